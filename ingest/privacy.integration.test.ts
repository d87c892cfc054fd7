/**
 * Privacy at the door: known phone numbers, platform user ids, names and message texts are sent
 * through every ingest endpoint (/v1/events, both webhooks, the export upload); afterwards none of
 * them may appear on the Kafka topics, in any ClickHouse table, or in the log output.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACT_PATHS } from '../common/logger.ts';
import { topicName, TOPICS } from '../common/topics.ts';
import { ALL_ROLES, startServices, type RunningServices } from '../runtime/services.ts';
import { testConfig, TEST_TOKEN, waitFor } from '../test/support/pipeline.ts';
import { KNOWN, recentSeconds, telegramChatMember, telegramMessage, whatsappGroupsPayload, whatsappMessagesPayload } from './webhooks/fixtures/payloads.ts';

const APP_SECRET = 'privacy-app-secret';
const TG_SECRET = 'privacy-telegram-secret';
const VERIFY = 'privacy-verify-token';

/** Everything that must never leave ingest, in every form a leak might take. */
const NEEDLES = [
  ...KNOWN.phones,
  ...KNOWN.bsuids,
  ...KNOWN.telegramUsers.map(String),
  ...KNOWN.texts,
  'R. Osei',
  '919812345678', '919812345679', 'Namaste everyone', 'Sunita', 'Ravi Kumar', // in the export fixture
  'HBgMNDQ3NzAwOTAwMTIz', // the wamid prefix: base64 of the sender's phone number
  APP_SECRET, TG_SECRET, VERIFY, TEST_TOKEN,
];

/**
 * The webhooks and the export fingerprint message content: no plain (unkeyed) hash of a text, as sent
 * or normalised, may appear either — a short text could be found again from one.
 */
const TEXTS = [...KNOWN.texts, 'Namaste everyone\nthis is the second line of the same message\nand a third: with a colon', 'Namaste everyone'];
const HASH_NEEDLES = TEXTS.flatMap((text) => [text, text.trim().replace(/\s+/g, ' ').toLowerCase()]).flatMap((text) =>
  ['md5', 'sha1', 'sha256', 'sha512'].flatMap((algorithm) => {
    const digest = createHash(algorithm).update(text).digest();
    // Any 16 hex digits of it, or its base64 start: a truncated plain hash is still a plain hash.
    return [digest.toString('hex').slice(0, 16), digest.toString('hex').slice(16, 32), digest.toString('base64').slice(0, 16)];
  }),
);

describe('privacy: no raw ids, names or text reach Kafka, ClickHouse or the logs', () => {
  let services: RunningServices;
  let log = '';
  const config = testConfig({ env: { WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: VERIFY, TELEGRAM_SECRET_TOKEN: TG_SECRET, LOG_LEVEL: 'debug' } });

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    services = await startServices(config, ALL_ROLES, logger);
  });
  afterAll(() => services?.stop());

  it('sends known values through every endpoint, then finds none of them anywhere', async () => {
    const url = services.url;
    const now = Date.now();
    // /v1/events: phone numbers as sender and member, one bad event that echoes nothing back into logs.
    const events = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { type: 'message', id: 'p-1', group: 'wa:privacy', at: now - 1000, sender: KNOWN.phones[0], kind: 'text' },
        { type: 'member_joined', id: 'p-2', group: 'wa:privacy', at: now - 1000, member: KNOWN.bsuids[0] },
        { type: 'message', id: 'p-3', group: 'wa:privacy', at: now - 1000, sender: KNOWN.phones[1], text: KNOWN.texts[0] },
      ]),
    });
    expect(await events.json()).toMatchObject({ accepted: 2, rejected: [{ index: 2 }] });

    const ts = recentSeconds(10);
    for (const payload of [whatsappMessagesPayload(ts), whatsappGroupsPayload(ts)]) {
      const body = JSON.stringify(payload);
      const response = await fetch(`${url}/v1/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` },
        body,
      });
      expect(response.status).toBe(200);
    }
    expect((await fetch(`${url}/v1/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=42&hub.verify_token=${VERIFY}`)).status).toBe(200);
    const date = recentSeconds(10);
    for (const update of [
      telegramMessage(734512001, date, { text: KNOWN.texts[1] }),
      telegramMessage(734512002, date, { photo: [{ file_id: 'f' }], caption: KNOWN.texts[2] }),
      telegramMessage(734512003, date, { new_chat_members: [{ id: KNOWN.telegramUsers[1], is_bot: false, first_name: 'Jonas' }] }),
      telegramChatMember(734512004, date, KNOWN.telegramUsers[2]!, 'member', 'left'),
    ]) {
      const response = await fetch(`${url}/v1/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET }, body: JSON.stringify(update) });
      expect(response.status).toBe(200);
    }
    const upload = await fetch(`${url}/v1/imports/whatsapp-export?group=wa:privacy-export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'text/plain' },
      body: readFileSync(new URL('./chat-export/fixtures/android-24h-dmy.txt', import.meta.url)),
    });
    expect(upload.status).toBe(202);

    // 2 + 3 + 5 (WhatsApp) + 3 (Telegram) + 12 (export)
    const expected = 25;
    const client = services.store!.client;
    await waitFor(async () => {
      const result = await client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
      return Number((await result.json<{ n: string }>())[0]!.n) >= expected ? true : undefined;
    }, 'all events in ClickHouse');

    // Every table of the database, dumped whole.
    const tables = await (await client.query({ query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView', 'View')", format: 'JSONEachRow' })).json<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['events', 'event_keys', 'rollup_minute', 'sources', 'group_aliases']));
    let dump = '';
    for (const { name } of tables) {
      const result = await client.query({ query: 'SELECT * FROM {table:Identifier}', query_params: { table: name }, format: 'JSONEachRow' });
      dump += `\n# ${name}\n${await result.text()}`;
    }
    expect(dump).toContain('wa:privacy'); // the dump is real

    // Every record on the events and dead-letter topics, read from the start by a fresh consumer group.
    const records: string[] = [];
    const topics = [topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.events), topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.deadLetter)];
    const subscriptions = await Promise.all(topics.map((topic) => services.bus.subscribe({
      groupId: `${config.KAFKA_TOPIC_PREFIX}privacy-reader-${topic}`,
      topic,
      fromBeginning: true,
      async handleBatch(batch) {
        for (const record of batch.records) records.push(`${record.key} ${record.value.toString()} ${JSON.stringify(record.headers)}`);
      },
    })));
    await waitFor(() => (records.length >= expected ? true : undefined), 'the topics read back');
    await Promise.all(subscriptions.map((s) => s.stop()));
    const kafka = records.join('\n');

    // The fingerprints are there (keyed): WhatsApp text and image, Telegram text and caption, the export's two texts.
    const fingerprinted = await (await client.query({ query: "SELECT count() AS n, uniqExact(fingerprint) AS distinct FROM events WHERE fingerprint != ''", format: 'JSONEachRow' })).json<{ n: string; distinct: string }>();
    expect(fingerprinted[0]).toEqual({ n: 6, distinct: 6 });
    for (const needle of [...NEEDLES, ...HASH_NEEDLES]) {
      expect(kafka.includes(needle), `Kafka holds ${needle}`).toBe(false);
      expect(dump.includes(needle), `ClickHouse holds ${needle}`).toBe(false);
      expect(log.includes(needle), `the log holds ${needle}`).toBe(false);
    }
    expect(log.length).toBeGreaterThan(1000); // the log was captured
  });
});
