/**
 * Scenario "ingest": events/s through POST /v1/events of an ingest-only service on the real broker and
 * on the local log (the embedded default's bus: written and fdatasync'd before the 202), beside two
 * limits measured in the same run with the same bodies and records:
 *  - HTTP limit: a bare node:http server that reads each body and answers 202;
 *  - Kafka limit: a bare kafkajs producer sending the same records (acks=-1, same batch size, same concurrency).
 * Checks afterwards that the events topic holds every accepted event (by id). Kafka is at least once: a
 * producer retry after a lost acknowledgement writes a record twice, and the processor drops the copy
 * by its id (docs/architecture.md, "Exactly-once effect") — so copies are counted and shown, not failed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../common/logger.ts';
import { TOPICS, topicName } from '../common/topics.ts';
import { startServices } from '../runtime/services.ts';
import { BENCH_TOKEN, benchConfig, kafkaBrokers, scaled, scenarioOptions, tempDir, uniquePrefix } from './support/harness.ts';
import { bareKafka, busRecords, chunk, createTopic, heldOnTopic, jsonBodies, makeIncoming, postAll, produceAll } from './support/load.ts';
import { report, type Figure } from './support/report.ts';

const options = scenarioOptions();
const total = options.events ?? scaled(200_000, options, 10_000, 1000);
const batchSize = 500;
const concurrency = 8;
const warmup = 5 * batchSize;
const runId = `ing${Date.now().toString(36)}`;
const prefix = uniquePrefix('ingest');
const brokers = kafkaBrokers();
const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };

const now = Date.now();
const events = makeIncoming(total + warmup, runId, 100_000, now);
const bodies = jsonBodies(events, batchSize);
const [warmBodies, timedBodies] = [bodies.slice(0, warmup / batchSize), bodies.slice(warmup / batchSize)];
const rate = (count: number, ms: number) => (count * 1000) / ms;

// 1. HTTP limit: a bare server answering the same bodies.
const bare = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end('{"accepted":500,"rejected":[]}');
  });
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
await postAll(bareUrl, '/v1/events', warmBodies, { concurrency, headers });
const httpLimit = await postAll(bareUrl, '/v1/events', timedBodies, { concurrency, headers });
await new Promise((resolve) => bare.close(resolve));

// 2. Kafka limit: a bare producer sending the same records.
const kafka = bareKafka(brokers, 'bench-ingest');
const limitTopic = `${prefix}bare-producer`;
await createTopic(kafka, limitTopic, 6);
const records = busRecords(events.slice(warmup), now);
const kafkaMs = await produceAll(kafka, limitTopic, chunk(records, batchSize), concurrency);

// 3. The ingest-only service.
const config = benchConfig({ prefix, dataDir: tempDir('ingest') });
const services = await startServices(config, { ingest: true, processor: false, api: false }, createLogger(config.LOG_LEVEL));
await postAll(services.url, '/v1/events', warmBodies, { concurrency, headers });
const ingest = await postAll(services.url, '/v1/events', timedBodies, { concurrency, headers });
const eventsTopic = topicName(prefix, TOPICS.events);
await services.stop();
// Which accepted events the topic holds: every record's (group, id), read back.
const onTopic = await heldOnTopic(kafka, eventsTopic, events);
const missing = events.length - onTopic.held;
const { unknown, copies } = onTopic;

// 4. The same service on the local log (the embedded default): every 202 after the records are on disk.
const localConfig = benchConfig({ prefix, dataDir: tempDir('ingest-local'), env: { KAFKA_BROKERS: '' } });
const local = await startServices(localConfig, { ingest: true, processor: false, api: false }, createLogger(localConfig.LOG_LEVEL));
await postAll(local.url, '/v1/events', warmBodies, { concurrency, headers });
const localIngest = await postAll(local.url, '/v1/events', timedBodies, { concurrency, headers });
const onLog = (await local.bus.lag('nobody', eventsTopic)).reduce((sum, p) => sum + p.end, 0);
await local.stop();

const httpRate = rate(httpLimit.events, httpLimit.ms);
const kafkaRate = rate(records.length, kafkaMs);
const ingestRate = rate(ingest.events, ingest.ms);
const localRate = rate(localIngest.events, localIngest.ms);
const lower = Math.min(httpRate, kafkaRate);
const lowerName = httpRate < kafkaRate ? 'bare HTTP server' : 'bare kafkajs producer';
const figures: Figure[] = [
  { name: 'HTTP limit: bare node:http server, same bodies', value: httpRate, unit: 'events/s', better: 'higher' },
  { name: 'Kafka limit: bare kafkajs producer, same records, acks=-1', value: kafkaRate, unit: 'events/s', better: 'higher' },
  { name: 'ingest service POST /v1/events → Kafka', value: ingestRate, unit: 'events/s', better: 'higher', limit: { name: `lower limit (${lowerName})`, value: lower } },
  { name: 'ingest service POST /v1/events → local log (synced)', value: localRate, unit: 'events/s', better: 'higher', limit: { name: 'bare HTTP server', value: httpRate } },
];
report({
  scenario: 'ingest: HTTP → Kafka',
  setup: { events: ingest.events, 'events per request': batchSize, 'requests in flight': concurrency, partitions: config.KAFKA_PARTITIONS },
  figures,
  notes: [
    `ingest vs HTTP limit ${((ingestRate / httpRate) * 100).toFixed(0)}%, vs Kafka limit ${((ingestRate / kafkaRate) * 100).toFixed(0)}%`,
    `local log holds ${onLog} records for the ${total + warmup} accepted: ${onLog === total + warmup ? 'every accepted event, once' : 'MISMATCH'}`,
    `events topic holds ${onTopic.records} records for the ${total + warmup} accepted (warm-up included): ${missing === 0 && unknown === 0 ? 'every accepted event' : `MISSING ${missing}, not sent ${unknown}`}; copies written twice by producer retries: ${copies} (dropped by the processor's dedup)`,
  ],
});
if (missing !== 0 || unknown !== 0 || onLog !== total + warmup) process.exitCode = 1;
process.exit();
