/**
 * The processor: consumes the events topic in batches and runs each batch through the chain of
 * chain.ts — decode → dedupe → place → rows → write (refused rows isolated, set aside as dead letters)
 * → live delta → commit (by the bus, when the batch is handled). Only the two ends know the bus.
 *
 * Nothing accepted is lost and nothing stops the counting silently: a write that fails for a passing
 * reason (store down, timeouts) is retried with backoff for as long as the partition is ours, while the
 * bus keeps the consumer's session alive; rows the engine refuses are set aside as dead letters and the
 * rest written; health() says when a batch has failed for too long or the consumer is down, and the
 * pipeline watch when a partition's records wait without progress.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { BatchContext, Bus, ConsumedBatch, HandledUpTo, Subscription } from '../common/bus/bus.ts';
import type { BatchMark } from '../common/live.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { retryUntilDone } from '../common/retry.ts';
import { createDayOf } from '../common/time.ts';
import { findIntent, recordIntent, type BatchIntent } from './batch-intents.ts';
import type { Directory } from '../common/placement.ts';
import { accountRows, decodeBatch, dropStored, markOf, placeRows, refusedLetters, type DecodedBatch } from './chain.ts';
import { storeDeadLetters, type DeadLetter } from './dead-letters.ts';
import { createFindStored } from './dedupe.ts';
import { buildLiveDelta } from './live-delta.ts';
import { PipelineWatch, type PartitionStall } from './pipeline-watch.ts';
import type { AccountRow, EventRow } from './rows.ts';
import { rawBlockStored, rowsDigest, writeAccountRows, writeIsolatingRefused } from './write-batch.ts';

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
  /** A batch's limits: most records, and how long one that could take more waits for them (both buses). Default: the bus's. */
  batch?: { maxRecords: number; maxWaitMs: number };
  /** How often consumer lag is read (consumer_lag metric, pipeline watch). */
  lagIntervalMs?: number;
  /** A partition whose records wait this long without progress, or a batch failing this long, is a stall. */
  stallAfterMs?: number;
  /** Waits between attempts of a failing write: the first, doubling up to the most. */
  retryFirstDelayMs?: number;
  retryMaxDelayMs?: number;
  /**
   * Hands memory the engine freed back to the system (Store.releaseMemory), at most every
   * `releaseMemoryEveryMs` (default 5 s; 0 = never) after a batch: the embedded engine's allocator otherwise keeps
   * what inserts used, and the process's RSS climbs by hundreds of MB. Takes ~20 ms.
   */
  releaseMemory?: () => Promise<void>;
  releaseMemoryEveryMs?: number;
}

export interface ProcessorHealth {
  /** Why this processor is not doing its job now; undefined when it is. */
  problem?: string;
}

export interface Processor {
  start(): Promise<void>;
  /** Stop consuming; the batch in hand finishes and commits first. */
  stop(): Promise<void>;
  /** Handle one batch (exposed for tests of the steps on a real store). */
  handleBatch(batch: ConsumedBatch, context?: BatchContext): Promise<HandledUpTo>;
  health(): ProcessorHealth;
  /** Partitions of the events topic (any processor's) with records waiting and no progress for stallAfterMs. */
  stalls(): PartitionStall[];
}

/** What a batch writes, prepared once and reused by every retry of it. */
interface PreparedBatch {
  decoded: DecodedBatch;
  rows: EventRow[];
  /** Account events, for `account_events` (written after the group events, in the same attempt). */
  accounts: AccountRow[];
}

const NEVER_ABORTED = new AbortController().signal;

/** The bus delivered less than an interrupted batch covered: retrying this delivery cannot help, a longer one will. */
class IncompleteBatchError extends Error {
  override name = 'IncompleteBatchError';
}

export function createProcessor(options: ProcessorOptions): Processor {
  const log = options.logger.child({ component: 'processor' });
  const findStored = createFindStored(options.client, options.dedupWindowDays);
  const dayOf = createDayOf(options.boardTimeZone);
  const stallAfterMs = options.stallAfterMs ?? 60_000;
  const watch = new PipelineWatch();
  options.metrics.countStalledPartitionsWith(() => watch.stalls(Date.now(), stallAfterMs).length);
  const pending = new Map<string, PreparedBatch>();
  let subscription: Subscription | undefined;
  let assigned: number[] = [];
  /** Per partition: since when its batch in hand has been failing, and why. */
  const failing = new Map<number, { since: number; error: string }>();
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

  async function readLag(): Promise<void> {
    try {
      const readings = await options.bus.lag(options.groupId, options.topics.events);
      watch.observe(readings, Date.now());
      for (const { partition, lag } of readings) {
        options.metrics.consumerLag.set({ topic: options.topics.events, partition: String(partition) }, lag);
      }
    } catch (error) {
      log.debug({ err: error }, 'could not read consumer lag');
    }
  }

  /** Place and make the rows of what was decoded and deduplicated. */
  function prepared(decoded: DecodedBatch): PreparedBatch {
    return { decoded, rows: placeRows(decoded, options.directory), accounts: accountRows(decoded) };
  }

  /**
   * decode → dedupe → place → rows, once per batch. A batch may replay an interrupted one
   * (batch-intents.ts): the same records, the same events dropped as stored.
   */
  async function prepare(batch: ConsumedBatch): Promise<PreparedBatch> {
    const partitionKey = `${batch.topic}:${batch.partition}`;
    const retry = pending.get(partitionKey);
    if (retry && retry.decoded.firstOffset === batch.firstOffset && BigInt(retry.decoded.lastOffset) <= BigInt(batch.lastOffset)) return retry;

    // Was a batch from this offset begun before and maybe left half written (the raw rows in, some views
    // not)? Asked of every batch, not only the first since this processor got the partition: the owner may
    // resume from an older committed offset, or the bus deliver a batch again cut shorter, and which tables
    // got the rows says nothing (the views are written in no set order), so only the same rows under the same
    // token make every table whole without writing any twice.
    const replayed = await replayOf(batch);
    if (replayed) {
      pending.set(partitionKey, replayed);
      return replayed;
    }

    const decoded = decodeBatch(batch, batch.lastOffset);
    const stored = decoded.events.length > 0 ? await findStored(decoded.events) : new Set<string>();
    const fresh = prepared(dropStored(decoded, stored));
    if (fresh.rows.length > 0) {
      const intent: BatchIntent = { topic: batch.topic, partition: batch.partition, firstOffset: batch.firstOffset, lastOffset: batch.lastOffset, dropped: [...stored], rowsHash: rowsDigest(fresh.rows) };
      await recordIntent(options.client, intent);
    }
    pending.set(partitionKey, fresh);
    return fresh;
  }

  /** The batch an intent recorded at `batch`'s first offset, rebuilt from the same records, when they are still there. */
  async function replayOf(batch: ConsumedBatch): Promise<PreparedBatch | undefined> {
    const intent = await findIntent(options.client, batch.topic, batch.partition, batch.firstOffset);
    if (!intent) return undefined;
    if (BigInt(batch.lastOffset) < BigInt(intent.lastOffset)) {
      throw new IncompleteBatchError(`batch at ${batch.topic}:${batch.partition}:${batch.firstOffset} is shorter than the interrupted one (up to ${intent.lastOffset}); waiting for the rest`);
    }
    const replayed = prepared(dropStored(decodeBatch(batch, intent.lastOffset), new Set(intent.dropped)));
    if (intent.rowsHash !== '' && intent.rowsHash !== rowsDigest(replayed.rows)) {
      log.warn({ partition: batch.partition, firstOffset: batch.firstOffset }, 'ignoring a stale batch intent: other records are at its offsets now');
      return undefined;
    }
    log.warn({ partition: batch.partition, firstOffset: intent.firstOffset, lastOffset: intent.lastOffset }, 'replaying a batch that may have been written in part');
    return replayed;
  }

  /** write: one attempt at the batch's rows (refused ones isolated), then its dead letters. Throws to be retried. */
  async function write(batch: ConsumedBatch): Promise<{ prepared: PreparedBatch; written: EventRow[]; accountsWritten: number; letters: DeadLetter[] }> {
    const prepared = await prepare(batch);
    const { rows, accounts, decoded } = prepared;
    const started = performance.now();
    const refused = rows.length > 0
      ? await writeIsolatingRefused(options.client, rows, (some) => rawBlockStored(options.client, some))
      : [];
    if (rows.length > 0) {
      options.metrics.processorBatchWriteSeconds.observe((performance.now() - started) / 1000);
      options.metrics.processorBatchRows.observe(rows.length);
    }
    const refusedAccounts = await writeAccountRows(options.client, accounts);
    const letters = [...decoded.undecodable, ...refusedLetters(decoded, [...refused, ...refusedAccounts])];
    await storeDeadLetters(options.client, letters);
    const refusedRows = new Set(refused.map((r) => r.row));
    return { prepared, written: refusedRows.size > 0 ? rows.filter((r) => !refusedRows.has(r)) : rows, accountsWritten: accounts.length - refusedAccounts.length, letters };
  }

  async function handleBatch(batch: ConsumedBatch, context: BatchContext = { signal: NEVER_ABORTED }): Promise<HandledUpTo> {
    const { prepared, written, accountsWritten, letters } = await retryUntilDone(() => write(batch), {
      signal: context.signal,
      firstDelayMs: options.retryFirstDelayMs ?? 250,
      maxDelayMs: options.retryMaxDelayMs ?? 5000,
      onFailure(error, attempt, nextDelayMs) {
        if (error instanceof IncompleteBatchError) throw error; // the bus delivers again, from the same offset
        options.metrics.processorWriteFailures.inc();
        // /readyz is unauthenticated: the kind of failure only (ClickHouse's error type), the details go to the log.
        const kind = (error as { type?: string }).type ?? (error as Error).name ?? 'Error';
        if (!failing.has(batch.partition)) failing.set(batch.partition, { since: Date.now(), error: kind });
        else failing.get(batch.partition)!.error = kind;
        log.error({ err: error, partition: batch.partition, firstOffset: batch.firstOffset, attempt, retryInMs: nextDelayMs }, 'batch write failed; retrying');
      },
    }).finally(() => failing.delete(batch.partition));
    pending.delete(`${batch.topic}:${batch.partition}`);
    if (letters.length > 0) await publishDeadLetters(letters);
    options.metrics.processorRecords.inc({ outcome: 'written' }, written.length + accountsWritten);
    options.metrics.processorRecords.inc({ outcome: 'duplicate' }, prepared.decoded.duplicates);
    options.metrics.processorRecords.inc({ outcome: 'dead_letter' }, letters.length);
    await publishLiveDelta(written, markOf(batch.partition, prepared.decoded.lastOffset));
    // Not awaited: the batch's commit does not wait for it (the engine runs it between statements).
    void releaseMemoryNow();
    // commit: the bus commits up to here once this resolves.
    return { lastHandledOffset: prepared.decoded.lastOffset };
  }

  /** A copy for other consumers of the dead-letter topic; the table holds them already. */
  async function publishDeadLetters(letters: DeadLetter[]): Promise<void> {
    log.warn({ count: letters.length, firstReason: letters[0]!.reason, partition: letters[0]!.partition }, 'records set aside as dead letters');
    try {
      await options.bus.produce(
        options.topics.deadLetter,
        letters.map((d) => ({
          key: d.key,
          value: d.value,
          headers: { reason: d.reason, stage: d.stage, 'source-topic': d.topic, 'source-partition': String(d.partition), 'source-offset': d.offset },
        })),
      );
    } catch (error) {
      log.warn({ err: error }, 'could not copy dead letters to the dead-letter topic (they are in the dead_letters table)');
    }
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

  async function handleBatchCounted(batch: ConsumedBatch, context?: BatchContext): Promise<HandledUpTo> {
    batchesInHand++;
    try {
      return await handleBatch(batch, context);
    } finally {
      batchesInHand--;
    }
  }

  function health(): ProcessorHealth {
    const consumer = subscription?.health();
    if (consumer && !consumer.running) return { problem: consumer.problem ?? 'the consumer is not running' };
    const now = Date.now();
    for (const [partition, { since, error }] of failing) {
      if (now - since >= stallAfterMs) return { problem: `writing a batch of partition ${partition} has failed for ${Math.round((now - since) / 1000)} s (${error}; details in the log)` };
    }
    const stalled = watch.stalls(now, stallAfterMs).filter((s) => assigned.includes(s.partition));
    if (stalled.length > 0) return { problem: `records wait without progress on partition ${stalled.map((s) => s.partition).join(', ')} for ${Math.round((now - stalled[0]!.since) / 1000)} s` };
    return {};
  }

  return {
    handleBatch: handleBatchCounted,
    health,
    stalls: () => watch.stalls(Date.now(), stallAfterMs),
    async start() {
      subscription = await options.bus.subscribe({
        groupId: options.groupId,
        topic: options.topics.events,
        fromBeginning: true,
        maxBatchRecords: options.batch?.maxRecords,
        maxBatchWaitMs: options.batch?.maxWaitMs,
        handleBatch: handleBatchCounted,
        onAssignment: (partitions) => {
          // Prepared retries belong to the previous owner of a partition.
          pending.clear();
          assigned = partitions;
          log.info({ partitions }, 'partitions assigned');
        },
      });
      log.info({ groupId: options.groupId, topic: options.topics.events }, 'processor consuming');
      lagTimer = setInterval(readLag, options.lagIntervalMs ?? 10_000);
      lagTimer.unref();
    },
    async stop() {
      clearInterval(lagTimer);
      await subscription?.stop();
      subscription = undefined;
    },
  };
}
