/**
 * Scenario "processor": N bus records pre-produced to a fresh topic, then the processor
 * (processor/processor.ts on the Kafka bus and the real engine) until ClickHouse holds all N, beside
 * two limits measured in the same run:
 *  - Kafka limit: a bare kafkajs consumer (fresh group) reading the same topic;
 *  - store limit: a bare bulk insert of the same rows into the same engine and tables (materialized
 *    views attached), one INSERT per batch of the processor's mean batch size, as many in flight
 *    as there are partitions.
 * Timings start when a consumer has joined its group (the join itself is left out of both).
 * Target: processor ≥ 60% of the lower limit.
 */
import { createLogger } from '../common/logger.ts';
import { createMetrics } from '../common/metrics.ts';
import { TOPICS, topicName } from '../common/topics.ts';
import { emptyDirectory, UNASSIGNED_PLACEMENT } from '../common/placement.ts';
import { createProcessor } from '../processor/processor.ts';
import { toEventRow } from '../processor/rows.ts';
import { writeEventRows } from '../processor/write-batch.ts';
import { createBus } from '../runtime/bus.ts';
import { benchConfig, kafkaBrokers, pollUntil, scaled, scenarioOptions, tempDir, uniquePrefix } from './support/harness.ts';
import { bareKafka, busRecords, chunk, consumeAll, makeIncoming, produceAll, toBusEvent } from './support/load.ts';
import { report } from './support/report.ts';
import { meanBatchRows, openStore, scalar, truncatePipelineTables, withJoinClock, writtenByProcessor } from './support/store.ts';

const options = scenarioOptions();
const total = options.events ?? scaled(300_000, options, 20_000, 1000);
const runId = `proc${Date.now().toString(36)}`;
const prefix = uniquePrefix('processor');
const config = benchConfig({ prefix, dataDir: tempDir('processor') });
const logger = createLogger(config.LOG_LEVEL);
const topics = {
  events: topicName(prefix, TOPICS.events),
  deadLetter: topicName(prefix, TOPICS.deadLetter),
  live: topicName(prefix, TOPICS.live),
};
const receivedAt = Date.now();
const events = makeIncoming(total, runId, 100_000, receivedAt - 60_000);

// Pre-produce the records (not timed as part of any figure).
const kafka = bareKafka(kafkaBrokers(), 'bench-processor');
const rawBus = createBus(config, logger);
await rawBus.ensureTopics([topics.events, topics.deadLetter, topics.live]);
const produceMs = await produceAll(kafka, topics.events, chunk(busRecords(events, receivedAt), 1000), 8);

// 1. Kafka limit: a bare consumer reads the same topic.
const consumerMs = await consumeAll(kafka, topics.events, total, 600_000);

// 2. The processor.
const store = await openStore(config);
const metrics = createMetrics();
const { bus, joinedAt } = withJoinClock(rawBus);
const processor = createProcessor({
  bus,
  client: store.client,
  directory: emptyDirectory,
  logger,
  metrics,
  topics,
  groupId: `${prefix}processor`,
  dedupWindowDays: config.DEDUP_WINDOW_DAYS,
  boardTimeZone: config.BOARD_TIME_ZONE,
  batch: { maxRecords: config.PROCESSOR_BATCH_ROWS, maxWaitMs: config.PROCESSOR_BATCH_WAIT_MS },
  releaseMemory: () => store.releaseMemory(),
  releaseMemoryEveryMs: config.STORE_RELEASE_MEMORY_MS,
});
const processorCpu = process.cpuUsage();
await processor.start();
const processorDoneAt = await pollUntil('the processor to write every record', async () => ((await writtenByProcessor(metrics)) >= total ? performance.now() : undefined), 900_000, 20);
const processorMs = processorDoneAt - joinedAt()!;
const processorCpuMs = cpuMs(process.cpuUsage(processorCpu));
await processor.stop();
const stored = await scalar(store.client, 'SELECT count() FROM events');
const batchRows = Math.max(1, Math.round(await meanBatchRows(metrics)));

// 3. Store limit: the same rows, bare, into the same (emptied) tables.
await truncatePipelineTables(store.client);
const rows = events.map((e) => toEventRow(toBusEvent(e, receivedAt), UNASSIGNED_PLACEMENT));
const batches = chunk(rows, batchRows);
let next = 0;
const insertCpu = process.cpuUsage();
const insertStarted = performance.now();
await Promise.all(
  Array.from({ length: config.KAFKA_PARTITIONS }, async function insertWorker() {
    while (next < batches.length) {
      const index = next++;
      await writeEventRows(store.client, batches[index]!, `bench-bare:${runId}:${index}`);
    }
  }),
);
const insertMs = performance.now() - insertStarted;
const insertCpuMs = cpuMs(process.cpuUsage(insertCpu));
const storedBare = await scalar(store.client, 'SELECT count() FROM events');
await rawBus.close();
await store.close();

const rate = (ms: number) => (total * 1000) / ms;
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}
const consumerRate = rate(consumerMs);
const insertRate = rate(insertMs);
const processorRate = rate(processorMs);
const lower = Math.min(consumerRate, insertRate);
const ratio = processorRate / lower;
report({
  scenario: 'processor: Kafka → ClickHouse',
  setup: { records: total, partitions: config.KAFKA_PARTITIONS, 'mean rows per insert': batchRows, 'pre-produce': `${Math.round(rate(produceMs))} events/s`, store: store.kind },
  figures: [
    { name: 'Kafka limit: bare kafkajs consumer, same topic', value: consumerRate, unit: 'events/s', better: 'higher' },
    { name: `store limit: bare INSERT of the same rows, ${batchRows} per insert, ${config.KAFKA_PARTITIONS} in flight`, value: insertRate, unit: 'events/s', better: 'higher' },
    {
      name: 'processor (decode, dedupe, place, insert, live delta, commit)',
      value: processorRate,
      unit: 'events/s',
      better: 'higher',
      limit: { name: `lower limit (${consumerRate < insertRate ? 'bare consumer' : 'bare insert'})`, value: lower },
      target: { text: '≥ 60% of the lower limit', met: ratio >= 0.6 },
    },
  ],
  notes: [
    `processor vs consumer limit ${((processorRate / consumerRate) * 100).toFixed(0)}%, vs store limit ${((processorRate / insertRate) * 100).toFixed(0)}%`,
    // CPU time of this process (JS and the embedded engine's threads) moves less with other load on the box than wall time.
    `CPU of this process: processor ${(processorCpuMs / 1000).toFixed(1)} s, bare insert ${(insertCpuMs / 1000).toFixed(1)} s — the insert is ${((insertCpuMs / processorCpuMs) * 100).toFixed(0)}% of the processor's work`,
    `ClickHouse held ${stored} events after the processor (${stored === total ? 'exactly N' : `NOT N = ${total}`}) and ${storedBare} after the bare insert`,
  ],
});
if (stored !== total || storedBare !== total) process.exitCode = 1;
process.exit();
