/**
 * Exactly-once effect under faults, on the real broker and the real ClickHouse engine: after
 * recovery, what ClickHouse holds equals what ingest acknowledged — exactly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { spawnService, freePort, type ChildService } from './support/child-service.ts';
import { expectedOf, fetchSummary, makeEvents, totalEvents } from './support/events.ts';
import { startTestPipeline, TEST_TOKEN, uniquePrefix, waitFor, type TestPipeline } from './support/pipeline.ts';
import { sendReliably } from './support/reliable-sender.ts';
import { messagesPerTable, openEmbeddedStore } from './support/store.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Records the service's processor has written since it started (its own /metrics). */
async function writtenBy(service: ChildService): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return Number(/^processor_records_total\{outcome="written"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

async function expectExactly(url: string, events: ReturnType<typeof makeEvents>) {
  const expected = expectedOf(events);
  // Rollup path (minute-aligned range) and raw path (exact edges) must both come out exact.
  const rollup = await waitFor(async () => {
    const body = await fetchSummary(url);
    return totalEvents(body) >= events.length ? body : undefined;
  }, `${events.length} events in ClickHouse`, 90_000);
  const raw = await fetchSummary(url, '2026-11-22', true);
  for (const [path, body] of [['rollup path', rollup], ['raw path', raw]] as const) {
    expect(body.rows, path).toHaveLength(1);
    expect(body.rows[0], path).toMatchObject({ messages: expected.messages, joins: expected.joins, leaves: expected.leaves, activeGroups: expected.groups.size, activeSenders: expected.senders.size });
  }
}

describe('processor killed with SIGKILL mid-stream', () => {
  let front: TestPipeline | undefined;
  let back: ChildService | undefined;
  afterAll(async () => {
    await back?.kill('SIGKILL');
    await front?.stop();
  });

  it('counts every acknowledged event exactly once after five kills mid-stream', async () => {
    const prefix = uniquePrefix();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'grouppulse-kill-'));
    front = await startTestPipeline({ roles: { ingest: true, processor: false, api: false }, topicPrefix: prefix });
    // Processor + api in a child process that owns the embedded engine. A 6 s Kafka session (the broker's
    // minimum) lets each new process take the partitions 6 s after the last one died, not 30 s.
    const env = { KAFKA_BROKERS: inject('kafkaBrokers'), KAFKA_TOPIC_PREFIX: prefix, DATA_DIR: dataDir, PSEUDONYM_KEY: '00112233445566778899aabbccddeeff', KAFKA_SESSION_TIMEOUT_MS: '6000' };
    const startBack = async () => {
      const service = await spawnService(['start', '--roles', 'processor,api'], env);
      await service.waitReady();
      return service;
    };
    back = await startBack();

    // ~150 events/s, so events keep arriving through every kill and restart.
    const events = makeEvents(8000, 'kill', 60);
    const sending = sendReliably(events, { url: () => front!.url, token: TEST_TOKEN, batchSize: 50, pauseMs: 300 });
    for (let kill = 0; kill < 5; kill++) {
      // Each kill lands while this process is writing: after its first batch, a random moment later.
      await waitFor(async () => ((await writtenBy(back!)) > 0 ? true : undefined), `process ${kill + 1} writing`, 180_000);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 500));
      expect(await back.kill('SIGKILL')).toBe('SIGKILL');
      back = await startBack();
    }
    const stats = await sending;
    expect(stats.acknowledged).toBe(8000);
    await expectExactly(back.url, events).catch(async (error: Error) => {
      // Say which batches wrote an event twice: the rows carry their batch's partition and offset.
      await back!.kill('SIGTERM');
      back = undefined;
      const store = await openEmbeddedStore(dataDir);
      const result = await store.client.query({
        query: `SELECT group_id, event_id, count() AS copies, groupArray((batch_partition, batch_next_offset, written_at)) AS batches
                FROM events GROUP BY group_id, event_id HAVING copies > 1 ORDER BY group_id, event_id LIMIT 30`,
        format: 'JSONEachRow',
      });
      const repeated = await result.json();
      // And which tables hold the extra counts: the raw table and each rollup's sum of messages.
      const perTable = await messagesPerTable(store.client);
      await store.close();
      throw new Error(`${error.message}\nevents stored more than once (first 30): ${JSON.stringify(repeated)}\nmessages per table: ${JSON.stringify(perTable)}`, { cause: error });
    });
    // Six starts, each waiting out the killed member's 6 s Kafka session, while 8,000 events arrive over ~55 s.
  }, 900_000);
});

describe('ClickHouse writes failing for a while', () => {
  let pipeline: TestPipeline | undefined;
  afterAll(() => pipeline?.stop());

  it.each([
    ['the raw table', 'events'],
    ['a materialized-view target', 'rollup_minute'],
  ])('retries the batch while %s is gone and counts it once', async (_what, table) => {
    pipeline = await startTestPipeline();
    const client = pipeline.store!.client;
    const events = makeEvents(3000, `ch-${table}`, 30);
    let sent = 0;
    const sending = sendReliably(events, { url: () => pipeline!.url, token: TEST_TOKEN, batchSize: 100, pauseMs: 10, onProgress: (n) => (sent = n) });
    await waitFor(() => (sent >= 1000 ? true : undefined), '1000 events sent', 60_000);
    await client.command({ query: `DETACH TABLE ${table}` });
    const failuresBefore = (await pipeline.metrics.processorWriteFailures.get()).values[0]?.value ?? 0;
    await waitFor(async () => (((await pipeline!.metrics.processorWriteFailures.get()).values[0]?.value ?? 0) > failuresBefore ? true : undefined), 'a failed write', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let it fail and retry for a while
    await client.command({ query: `ATTACH TABLE ${table}` });
    await sending;
    await expectExactly(pipeline.url, events);
    await pipeline.stop();
    pipeline = undefined;
  });
});

describe('broker stopped and restarted under load', () => {
  const kafkaDir = mkdtempSync(path.join(tmpdir(), 'grouppulse-broker-'));
  let kafkaEnv: NodeJS.ProcessEnv;
  let pipeline: TestPipeline | undefined;
  const kafkaLocal = (command: string) => execFileSync(path.join(ROOT, 'scripts', 'kafka-local'), [command], { env: kafkaEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

  afterAll(async () => {
    await pipeline?.stop(60_000);
    kafkaLocal('stop');
  });

  it('answers 503 while the broker is down and ends with every acknowledged event exactly once', async () => {
    // A broker of this test's own, so stopping it disturbs no other test.
    kafkaEnv = { ...process.env, KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: path.join(kafkaDir, 'data') };
    const brokers = /KAFKA_BROKERS=(\S+)/.exec(kafkaLocal('start'))![1]!;
    pipeline = await startTestPipeline({ env: { KAFKA_BROKERS: brokers } });

    const events = makeEvents(6000, 'broker', 40);
    let sent = 0;
    const sending = sendReliably(events, { url: () => pipeline!.url, token: TEST_TOKEN, batchSize: 100, pauseMs: 10, onProgress: (n) => (sent = n) });
    await waitFor(() => (sent >= 2000 ? true : undefined), '2000 events sent', 60_000);
    kafkaLocal('stop');
    await waitFor(async () => {
      const response = await pipeline!.post([{ type: 'message', id: 'probe', group: 'wa:probe', at: '2026-11-23T00:00:00Z', sender: 'x' }]);
      return response.status === 503 ? true : undefined;
    }, 'ingest answering 503 with the broker down', 30_000);
    kafkaLocal('start');
    const stats = await sending;
    expect(stats.acknowledged).toBe(6000);
    expect(stats.unavailable).toBeGreaterThan(0);
    await expectExactly(pipeline.url, events);
  }, 600_000);
});
