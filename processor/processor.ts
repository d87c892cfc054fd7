/**
 * The processor: consumes the events topic in batches and runs each batch through small steps —
 * decode → drop repeats → drop already-stored → place (directory) → rows → write → dead letters →
 * live delta — after which the bus commits the batch's offsets. Only the two ends know the bus.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Bus, ConsumedBatch, HandledUpTo, Subscription } from '../common/bus/bus.ts';
import type { BusEvent } from '../common/events.ts';
import type { BatchMark } from '../common/live.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { batchToken, findIntent, recordIntent, type BatchIntent } from './batch-intents.ts';
import { decodeRecord } from './decode.ts';
import { createFindStored, dropRepeats, eventKey } from './dedupe.ts';
import type { Directory } from './directory.ts';
import { buildLiveDelta, createDayOf } from './live-delta.ts';
import { toEventRow, type EventRow } from './rows.ts';
import { writeEventRows } from './write-batch.ts';

export interface ProcessorOptions {
  bus: Bus;
  client: ClickHouseClient;
  directory: Directory;
  logger: Logger;
  metrics: Metrics;
  topics: { events: string; deadLetter: string; live: string };
  groupId: string;
  dedupWindowDays: number;
  boardTimeZone: string;
  /** How often consumer lag is read into the consumer_lag metric. */
  lagIntervalMs?: number;
  /**
   * Hands memory the engine freed back to the system (Store.releaseMemory), at most every
   * `releaseMemoryEveryMs` (default 5 s; 0 = never) after a batch: the embedded engine's allocator otherwise keeps
   * what inserts used, and the process's RSS climbs by hundreds of MB. Takes ~20 ms.
   */
  releaseMemory?: () => Promise<void>;
  releaseMemoryEveryMs?: number;
}

export interface Processor {
  start(): Promise<void>;
  /** Stop consuming; the batch in hand finishes and commits first. */
  stop(): Promise<void>;
  /** Handle one batch (exposed for tests of the steps on a real store). */
  handleBatch(batch: ConsumedBatch): Promise<HandledUpTo>;
}

/** Prepared rows kept per partition so a retried batch reuses the same rows and token. */
interface PreparedBatch {
  token: string;
  rows: EventRow[];
  deadLetters: { key: string; value: Buffer; reason: string; offset: string }[];
  duplicates: number;
  /** Last offset this batch covers (a replay can cover less than the delivered batch). */
  lastOffset: string;
  /** The mark its rows carry and its live delta repeats. */
  mark: BatchMark;
}

export function createProcessor(options: ProcessorOptions): Processor {
  const log = options.logger.child({ component: 'processor' });
  const findStored = createFindStored(options.client, options.dedupWindowDays);
  const dayOf = createDayOf(options.boardTimeZone);
  const pending = new Map<string, PreparedBatch>();
  let subscription: Subscription | undefined;
  /** Partitions whose first batch since assignment was checked for an interrupted write. */
  const resumed = new Set<string>();
  let lagTimer: NodeJS.Timeout | undefined;
  let releasedAt = performance.now();
  /** Batches being handled right now (at most one per partition). */
  let batchesInHand = 0;

  async function releaseMemoryNow(): Promise<void> {
    const everyMs = options.releaseMemoryEveryMs ?? 5000;
    if (!options.releaseMemory || everyMs === 0) return;
    const sinceMs = performance.now() - releasedAt;
    // When no other batch is in hand (the engine is idle while the next ones are fetched): under load
    // the purge, and the pages the next inserts fault back in, would hold up the batches behind it.
    // Never more than 6 intervals apart, so memory still comes back under sustained load.
    if (sinceMs < everyMs || (batchesInHand > 1 && sinceMs < 6 * everyMs)) return;
    releasedAt = performance.now();
    await options.releaseMemory().catch((error: unknown) => log.debug({ err: error }, 'could not release the engine\'s memory'));
  }

  async function recordLag(): Promise<void> {
    try {
      for (const { partition, lag } of await options.bus.lag(options.groupId, options.topics.events)) {
        options.metrics.consumerLag.set({ topic: options.topics.events, partition: String(partition) }, lag);
      }
    } catch (error) {
      log.debug({ err: error }, 'could not read consumer lag');
    }
  }

  function decodeAll(records: ConsumedBatch['records']) {
    const decoded: BusEvent[] = [];
    const deadLetters: PreparedBatch['deadLetters'] = [];
    for (const record of records) {
      const result = decodeRecord(record);
      if (result.ok) decoded.push(result.event);
      else deadLetters.push({ key: record.key ?? '', value: record.value, reason: result.reason, offset: record.offset });
    }
    return { decoded, deadLetters };
  }

  function placeAll(events: BusEvent[], batch: BatchMark): EventRow[] {
    return events.map((event) => toEventRow(event, options.directory.place(event.group), batch));
  }

  /** The mark every row of a batch carries and its live delta repeats (see common/live.ts). */
  function markOf(partition: number, lastOffset: string): BatchMark {
    return { partition, nextOffset: String(BigInt(lastOffset) + 1n) };
  }

  /** Rebuild exactly the rows of an interrupted batch: same records, same drops, same token. */
  function replay(batch: ConsumedBatch, intent: BatchIntent): PreparedBatch {
    const last = BigInt(intent.lastOffset);
    const { decoded, deadLetters } = decodeAll(batch.records.filter((r) => BigInt(r.offset) <= last));
    const { unique, repeats } = dropRepeats(decoded);
    const dropped = new Set(intent.dropped);
    const mark = markOf(batch.partition, intent.lastOffset);
    const rows = placeAll(unique.filter((e) => !dropped.has(eventKey(e.group, e.id))), mark);
    log.warn({ partition: batch.partition, firstOffset: intent.firstOffset, lastOffset: intent.lastOffset }, 'replaying a batch that may have been written in part');
    return { token: batchToken(intent), rows, deadLetters, duplicates: repeats + dropped.size, lastOffset: intent.lastOffset, mark };
  }

  async function prepare(batch: ConsumedBatch): Promise<PreparedBatch> {
    const partitionKey = `${batch.topic}:${batch.partition}`;
    const retry = pending.get(partitionKey);
    if (retry && retry.token.startsWith(`${partitionKey}:${batch.firstOffset}-`) && BigInt(retry.lastOffset) <= BigInt(batch.lastOffset)) return retry;

    if (!resumed.has(partitionKey)) {
      // First batch since this processor got the partition: was it left half written?
      const intent = await findIntent(options.client, batch.topic, batch.partition, batch.firstOffset);
      if (intent) {
        if (BigInt(batch.lastOffset) < BigInt(intent.lastOffset)) {
          throw new Error(`batch at ${partitionKey}:${batch.firstOffset} is shorter than the interrupted one (up to ${intent.lastOffset}); waiting for the rest`);
        }
        const prepared = replay(batch, intent);
        pending.set(partitionKey, prepared);
        return prepared;
      }
      resumed.add(partitionKey);
    }

    const { decoded, deadLetters } = decodeAll(batch.records);
    const { unique, repeats } = dropRepeats(decoded);
    const stored = unique.length > 0 ? await findStored(unique) : new Set<string>();
    const fresh = stored.size > 0 ? unique.filter((e) => !stored.has(eventKey(e.group, e.id))) : unique;
    const intent: BatchIntent = { topic: batch.topic, partition: batch.partition, firstOffset: batch.firstOffset, lastOffset: batch.lastOffset, dropped: [...stored] };
    if (fresh.length > 0) await recordIntent(options.client, intent);
    const mark = markOf(batch.partition, batch.lastOffset);
    const prepared = { token: batchToken(intent), rows: placeAll(fresh, mark), deadLetters, duplicates: repeats + stored.size, lastOffset: batch.lastOffset, mark };
    pending.set(partitionKey, prepared);
    return prepared;
  }

  async function handleBatch(batch: ConsumedBatch): Promise<HandledUpTo> {
    const prepared = await prepare(batch);
    try {
      if (prepared.rows.length > 0) {
        const started = performance.now();
        await writeEventRows(options.client, prepared.rows, prepared.token);
        options.metrics.processorBatchWriteSeconds.observe((performance.now() - started) / 1000);
        options.metrics.processorBatchRows.observe(prepared.rows.length);
      }
      if (prepared.deadLetters.length > 0) {
        await options.bus.produce(
          options.topics.deadLetter,
          prepared.deadLetters.map((d) => ({
            key: d.key,
            value: d.value,
            headers: { reason: d.reason, 'source-topic': batch.topic, 'source-partition': String(batch.partition), 'source-offset': d.offset },
          })),
        );
        log.warn({ count: prepared.deadLetters.length, firstReason: prepared.deadLetters[0]!.reason, partition: batch.partition }, 'records sent to the dead-letter topic');
      }
    } catch (error) {
      options.metrics.processorWriteFailures.inc();
      log.error({ err: error, partition: batch.partition, token: prepared.token }, 'batch write failed; it will be retried');
      throw error;
    }
    pending.delete(`${batch.topic}:${batch.partition}`);
    resumed.add(`${batch.topic}:${batch.partition}`);
    options.metrics.processorRecords.inc({ outcome: 'written' }, prepared.rows.length);
    options.metrics.processorRecords.inc({ outcome: 'duplicate' }, prepared.duplicates);
    options.metrics.processorRecords.inc({ outcome: 'dead_letter' }, prepared.deadLetters.length);
    await publishLiveDelta(prepared.rows, prepared.mark);
    // Not awaited: the batch's commit does not wait for it (the engine runs it between statements).
    void releaseMemoryNow();
    return { lastHandledOffset: prepared.lastOffset };
  }

  /** Best effort: the board re-reads its snapshot from ClickHouse, so a lost delta heals itself. */
  async function publishLiveDelta(rows: EventRow[], batch: BatchMark): Promise<void> {
    const delta = buildLiveDelta(rows, dayOf, batch);
    if (!delta) return;
    try {
      await options.bus.produce(options.topics.live, [{ key: 'delta', value: JSON.stringify(delta) }]);
    } catch (error) {
      log.warn({ err: error }, 'could not publish live delta');
    }
  }

  async function handleBatchCounted(batch: ConsumedBatch): Promise<HandledUpTo> {
    batchesInHand++;
    try {
      return await handleBatch(batch);
    } finally {
      batchesInHand--;
    }
  }

  return {
    handleBatch: handleBatchCounted,
    async start() {
      subscription = await options.bus.subscribe({
        groupId: options.groupId,
        topic: options.topics.events,
        fromBeginning: true,
        handleBatch: handleBatchCounted,
        onAssignment: (partitions) => {
          // Prepared retries belong to the previous owner of a partition.
          pending.clear();
          resumed.clear();
          log.info({ partitions }, 'partitions assigned');
        },
      });
      log.info({ groupId: options.groupId, topic: options.topics.events }, 'processor consuming');
      lagTimer = setInterval(recordLag, options.lagIntervalMs ?? 10_000);
      lagTimer.unref();
    },
    async stop() {
      clearInterval(lagTimer);
      await subscription?.stop();
      subscription = undefined;
    },
  };
}
