/**
 * Scenario "e2e": the whole pipeline in one process (ingest + processor + api on the real broker — or
 * with BENCH_BUS=local on the local log, the embedded default — and the embedded engine), watched by a signed-in socket.io client that adds up the live counts
 * (snapshot, then deltas: see common/live.ts and api/live/).
 *  1. Sustained events/s: N events posted as fast as 8 requests in flight allow, timed from the first
 *     POST until the socket's cumulative count covers all N; beside the Kafka limit (a bare kafkajs
 *     producer sending the same records with acks=-1, measured first in the same run).
 *  2. Live latency at a steady 5,000 events/s: for each batch, from its 202 to the moment the
 *     socket's cumulative count covers it (every batch accepted before it included); p50/p95/p99.
 */
import type { Histogram } from 'prom-client';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { SOCKET_EVENTS, type CountsDelta, type CountsRow, type CountsSnapshot } from '../common/live.ts';
import { createLogger } from '../common/logger.ts';
import { ALL_ROLES, startServices } from '../runtime/services.ts';
import { BENCH_ADMIN_PASSWORD, BENCH_TOKEN, benchConfig, delay, kafkaBrokers, pollUntil, scaled, scenarioOptions, tempDir, uniquePrefix } from './support/harness.ts';
import { bareKafka, busRecords, chunk, createHttpClient, createTopic, jsonBodies, makeIncoming, postAll, produceAll } from './support/load.ts';
import { measureCpu } from './support/cpu.ts';
import { percentile, report } from './support/report.ts';
import { scalar } from './support/store.ts';

const options = scenarioOptions();
const total = options.events ?? scaled(300_000, options, 20_000, 1000);
const latencySeconds = options.seconds ?? (options.quick ? 8 : 30);
const latencyRate = 5000;
const latencyBatch = 250;
const batchSize = 500;
const concurrency = 8;
const runId = `e2e${Date.now().toString(36)}`;
const prefix = uniquePrefix('e2e');
const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
const config = benchConfig({ prefix, dataDir: tempDir('e2e') });

const events = makeIncoming(total, runId, 100_000, Date.now());
const bodies = jsonBodies(events, batchSize);

// Kafka limit, same records, measured first.
const kafka = bareKafka(kafkaBrokers(), 'bench-e2e');
const limitTopic = `${prefix}bare-producer`;
await createTopic(kafka, limitTopic, config.KAFKA_PARTITIONS);
const records = busRecords(events, Date.now());
const kafkaMs = await produceAll(kafka, limitTopic, chunk(records, batchSize), concurrency);

const services = await startServices(config, ALL_ROLES, createLogger(config.LOG_LEVEL));

// A signed-in board: the cumulative count of messages + joins + leaves it has been shown.
const signIn = await fetch(`${services.url}/api/v1/auth/sign-in`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: BENCH_ADMIN_PASSWORD }),
});
if (signIn.status !== 200) throw new Error(`sign-in answered ${signIn.status}: ${await signIn.text()}`);
const { token } = (await signIn.json()) as { token: string };
const sumOf = (rows: CountsRow[]) => rows.reduce((n, r) => n + r.messages + r.joins + r.leaves, 0);
let shown = 0;
const waiters: { threshold: number; since: number; resolve: (ms: number) => void }[] = [];
function onCount(count: number): void {
  shown = count;
  const at = performance.now();
  while (waiters.length > 0 && waiters[0]!.threshold <= shown) {
    const waiter = waiters.shift()!;
    waiter.resolve(at - waiter.since);
  }
}
/** Resolves with ms from `since` to the first count ≥ threshold (thresholds must be added in rising order). */
function whenShown(threshold: number, since: number): Promise<number> {
  if (threshold <= shown) return Promise.resolve(performance.now() - since);
  return new Promise((resolve) => waiters.push({ threshold, since, resolve }));
}
const socket: Socket = connectSocket(services.url, { auth: { token }, transports: ['websocket'], reconnection: false });
const snapshotSeen = new Promise<void>((resolve, reject) => {
  socket.once('connect_error', reject);
  socket.once(SOCKET_EVENTS.snapshot, () => resolve());
});
socket.on(SOCKET_EVENTS.snapshot, (snapshot: CountsSnapshot) => onCount(sumOf(snapshot.rows)));
socket.on(SOCKET_EVENTS.delta, (delta: CountsDelta) => onCount(shown + sumOf(delta.rows)));
await snapshotSeen;

// 1. Sustained throughput.
const base = shown;
const stages = [services.metrics.processorBatchWriteSeconds, services.metrics.processorBatchRows, services.metrics.endToEndSeconds];
for (const histogram of stages) histogram.reset();
const sustainedCpu = measureCpu();
const started = performance.now();
const allShown = whenShown(base + total, started);
const sent = await postAll(services.url, '/v1/events', bodies, { concurrency, headers });
const e2eMs = await Promise.race([allShown, delay(600_000).then(() => Promise.reject(new Error(`the board showed ${shown - base} of ${total} events after 10 minutes`)))]);
const sustainedUse = sustainedCpu();
const sustainedInserts = await histogramStats(services.metrics.processorBatchWriteSeconds);
// Everything the board counted must be in ClickHouse too.
let stored = 0;
await pollUntil('ClickHouse to hold every event', async () => ((stored = await scalar(services.store!.client, 'SELECT count() FROM events')) >= total ? true : undefined), 60_000).catch(() => undefined);

// 2. Latency at a steady rate: one batch every interval, each timed from its 202 until the board covers it.
const latencyEvents = makeIncoming(Math.round(latencyRate * latencySeconds), `${runId}L`, 100_000, Date.now());
const latencyBodies = jsonBodies(latencyEvents, latencyBatch);
const intervalMs = (1000 * latencyBatch) / latencyRate;
const client = createHttpClient(services.url, 64);
// Thresholds count from the known total (what ingest accepted), not from what the board shows, so a
// board that ever showed more than was sent could not hide it.
await pollUntil('the board to settle at exactly the events sent before the latency run', () => (shown === base + total ? true : undefined), 60_000);
const latencyBase = base + total;
// Where the latency goes, from the services' own histograms over the latency run only.
for (const histogram of stages) histogram.reset();
let acceptedSoFar = 0;
const latencies: Promise<number>[] = [];
/** Latencies of the batches the board has covered so far. */
const shownLatencies: number[] = [];
const posts: Promise<void>[] = [];
let late = 0;
const paceStart = performance.now();
for (const [i, item] of latencyBodies.entries()) {
  const due = paceStart + i * intervalMs;
  const wait = due - performance.now();
  if (wait > 0) await delay(wait);
  else if (wait < -intervalMs) late += 1;
  posts.push(
    client.post('/v1/events', item.body, headers).then((outcome) => {
      if (outcome.status !== 202) throw new Error(`POST /v1/events answered ${outcome.status}: ${outcome.body.slice(0, 200)}`);
      acceptedSoFar += item.count;
      latencies.push(whenShown(latencyBase + acceptedSoFar, performance.now()).then((ms) => (shownLatencies.push(ms), ms)));
    }),
  );
}
await Promise.all(posts);
const sendSeconds = (performance.now() - paceStart) / 1000;
await Promise.race([Promise.all(latencies), delay(120_000)]);
const latencyRunSeconds = (performance.now() - paceStart) / 1000;
// A batch the board did not cover within 2 minutes after the last send counts as infinitely late.
const measured = [...shownLatencies, ...Array.from({ length: latencies.length - shownLatencies.length }, () => Infinity)];
const [insertSeconds, rowsPerInsert, acceptedToApi] = await Promise.all(stages.map(histogramStats));
client.close();
socket.close();
await services.stop();

const sorted = [...measured].sort((a, b) => a - b);
const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(sorted, p)) as [number, number, number];
const e2eRate = (total * 1000) / e2eMs;
const kafkaRate = (records.length * 1000) / kafkaMs;
const acceptRate = (sent.events * 1000) / sent.ms;
report({
  scenario: `end to end: HTTP → ${config.KAFKA_BROKERS ? 'Kafka' : 'local log'} → processor → ClickHouse → live socket`,
  setup: {
    events: total,
    'events per request': batchSize,
    'requests in flight': concurrency,
    'latency run': `${latencyRate}/s for ${latencySeconds} s in batches of ${latencyBatch} (actual ${Math.round(latencyEvents.length / sendSeconds)}/s)`,
    LIVE_INTERVAL_MS: config.LIVE_INTERVAL_MS,
  },
  figures: [
    { name: 'Kafka limit: bare kafkajs producer, same records, acks=-1', value: kafkaRate, unit: 'events/s', better: 'higher' },
    { name: 'accepted (202) while the pipeline runs', value: acceptRate, unit: 'events/s', better: 'higher', limit: { name: 'Kafka limit', value: kafkaRate } },
    {
      name: 'sustained end to end: first POST → all N on the socket',
      value: e2eRate,
      unit: 'events/s',
      better: 'higher',
      limit: { name: 'Kafka limit', value: kafkaRate },
      target: { text: '≥ 30,000 events/s', met: e2eRate >= 30_000 },
    },
    { name: 'live latency p50 (202 → on the socket)', value: p50, unit: 'ms', better: 'lower' },
    { name: 'live latency p95', value: p95, unit: 'ms', better: 'lower' },
    { name: 'live latency p99', value: p99, unit: 'ms', better: 'lower', target: { text: '≤ 1,500 ms', met: p99 <= 1500 } },
  ],
  notes: [
    `ClickHouse held ${stored} events after the throughput run (${stored === total ? 'exactly N' : `NOT N = ${total}`})`,
    `where the sustained run's time goes: the machine kept ${sustainedUse.machineCores.toFixed(2)} of its ${sustainedUse.cores} cores busy, this process (ingest, processor, api, the embedded engine and the load generator) ${sustainedUse.processCores.toFixed(2)} of them, the broker and anything else the rest; ${sustainedInserts.count} inserts of ${Math.round(total / Math.max(1, sustainedInserts.count))} rows on average took ${Math.round((100 * sustainedInserts.sum) / (e2eMs / 1000))}% of the ${(e2eMs / 1000).toFixed(1)} s`,
    `latency: ${shownLatencies.length} of ${latencies.length} batches shown within 2 minutes after the last send (the rest count as ∞); max ${Math.round(sorted[sorted.length - 1] ?? 0)} ms; ${late} sends more than one interval late (sender could not keep the pace)`,
    `where the latency goes (the latency run alone): acceptance → delta at the api mean ${Math.round(acceptedToApi.mean * 1000)} ms over ${acceptedToApi.count} deltas; ${insertSeconds.count} inserts of ${Math.round(rowsPerInsert.mean)} rows on average, each ${Math.round(insertSeconds.mean * 1000)} ms (inserts took ${Math.round((100 * insertSeconds.sum) / latencyRunSeconds)}% of the ${latencyRunSeconds.toFixed(1)} s from the first send until the last batch was shown)`,
    `the api broadcasts deltas at most once per LIVE_INTERVAL_MS (${config.LIVE_INTERVAL_MS} ms): up to that much of every latency is by design`,
  ],
});
if (stored !== total) process.exitCode = 1;
process.exit();

/** Count, sum and mean of a prom-client histogram. */
async function histogramStats(histogram: Histogram): Promise<{ count: number; sum: number; mean: number }> {
  const values = (await histogram.get()).values;
  const count = values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  const sum = values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
  return { count, sum, mean: count > 0 ? sum / count : 0 };
}
