/**
 * The local log: the bus of the embedded run mode, an append-only log on disk (DATA_DIR/bus) with the
 * Kafka bus's contract — partitions, order per key, consumer groups, commits after the handler.
 *
 * Accepted means durable: produce() resolves only after the records are in the log files (and, with
 * `sync`, on the disk), so a 202 survives SIGKILL and, synced, a power cut. Offsets count on across
 * restarts and are never reused. A durable group's position (one that reads from the beginning) is
 * kept in `groups.json` beside the partitions and survives restarts; records stay until every
 * durable group has handled them. Topics created with a retention (fan-out topics) drop old segments
 * whether read or not.
 *
 *   bus/<topic>/topic.json            partitions, retention
 *   bus/<topic>/groups.json           durable group → next offset per partition
 *   bus/<topic>/<partition>/*.log     segments (partition-log.ts)
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Bus, ConsumedBatch, PartitionOffsets, SubscribeOptions, Subscription, TopicOptions } from './bus.ts';
import { BusUnavailableError } from './bus.ts';
import { encodeFrame } from './log-frames.ts';
import { PartitionLog, type LogPosition, type ReadResult } from './partition-log.ts';
import { partitionFor } from './partitioner.ts';

export interface LocalBusOptions {
  /** Directory of the log (DATA_DIR/bus). One process at a time. */
  dir: string;
  /** Partitions of a topic created here (a topic that exists keeps its own). */
  partitions: number;
  /** Records a partition holds for its slowest durable group before produce answers BusUnavailableError. */
  maxPendingPerPartition: number;
  /** Most records and bytes handed to one handleBatch call (records: unless the subscription says). */
  maxBatchRecords?: number;
  maxBatchBytes?: number;
  /** A segment file is closed and a new one started past this size. */
  segmentBytes?: number;
  /** Flush appended records to the disk before produce() resolves (group commit). */
  sync: boolean;
  /** First pause before delivering a batch again after its handler failed (doubles, up to 5 s). */
  retryDelayMs?: number;
  onHandlerError?(error: unknown, topic: string, partition: number): void;
}

interface TopicMeta {
  partitions: number;
  retentionMs?: number;
}

interface Topic {
  name: string;
  dir: string;
  meta: TopicMeta;
  logs: PartitionLog[];
  /** Durable groups (kept in groups.json) and live ones (this process only): next offset per partition. */
  durable: Map<string, number[]>;
  live: Map<string, number[]>;
  /** Wakes the readers of a partition when records arrive. */
  waiters: Set<() => void>[];
}

const MAX_RETRY_DELAY_MS = 5000;
/** Data directories open in this process: a second bus on one would corrupt it. */
const openDirs = new Set<string>();

function readJson<T>(file: string, fallback: T): T {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : fallback;
}

/** Replace a small file whole: a crash leaves the old version or the new one, never half of one. */
function writeJsonAtomically(file: string, value: unknown): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(value));
  renameSync(temporary, file);
}

/** Take the directory for this process, or say which live process has it. */
function lockDirectory(dir: string): () => void {
  const resolved = path.resolve(dir);
  if (openDirs.has(resolved)) throw new Error(`the local log in ${resolved} is already open in this process`);
  mkdirSync(resolved, { recursive: true });
  const lockFile = path.join(resolved, 'owner.pid');
  const owner = existsSync(lockFile) ? Number(readFileSync(lockFile, 'utf8')) : 0;
  if (owner > 0 && owner !== process.pid && processAlive(owner)) {
    throw new Error(
      `the local log in ${resolved} is in use by process ${owner}: one GroupPulse process per DATA_DIR (set another DATA_DIR, or KAFKA_BROKERS and CLICKHOUSE_URL to run several). ` +
        `If no GroupPulse process runs there, delete ${lockFile}.`,
    );
  }
  writeFileSync(lockFile, String(process.pid));
  openDirs.add(resolved);
  return () => {
    openDirs.delete(resolved);
    rmSync(lockFile, { force: true });
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createLocalBus(options: LocalBusOptions): Bus {
  const unlock = lockDirectory(options.dir);
  const topics = new Map<string, Topic>();
  const maxBatchRecords = options.maxBatchRecords ?? 5000;
  const maxBatchBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
  const segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const subscriptions = new Set<Subscription>();
  /** `topic\0group` of the running subscriptions: one process reads each group's partitions alone. */
  const reading = new Set<string>();
  let closed = false;

  function topicOf(name: string): Topic {
    const topic = topics.get(name);
    if (!topic) throw new Error(`topic ${name} does not exist (ensureTopics first)`);
    return topic;
  }

  function openTopic(name: string, topicOptions: TopicOptions): Topic {
    const dir = path.join(options.dir, encodeURIComponent(name));
    const metaFile = path.join(dir, 'topic.json');
    let meta = readJson<TopicMeta | undefined>(metaFile, undefined);
    if (!meta) {
      mkdirSync(dir, { recursive: true });
      meta = { partitions: options.partitions, ...(topicOptions.retentionMs ? { retentionMs: topicOptions.retentionMs } : {}) };
      writeJsonAtomically(metaFile, meta);
    }
    const logs = Array.from({ length: meta.partitions }, (_, i) => PartitionLog.open(path.join(dir, String(i)), { segmentBytes, sync: options.sync }));
    const durable = new Map(Object.entries(readJson<Record<string, number[]>>(path.join(dir, 'groups.json'), {})));
    return { name, dir, meta, logs, durable, live: new Map(), waiters: logs.map(() => new Set()) };
  }

  /** Offset before which every durable group is done with partition `index` (retention and the bound). */
  function lowWaterMark(topic: Topic, index: number): number {
    let low = topic.logs[index]!.end;
    for (const offsets of topic.durable.values()) low = Math.min(low, offsets[index]!);
    return topic.durable.size > 0 ? low : topic.logs[index]!.start;
  }

  function applyRetention(topic: Topic, index: number): void {
    const log = topic.logs[index]!;
    if (topic.meta.retentionMs) log.dropOlderThan(Date.now() - topic.meta.retentionMs);
    else if (topic.durable.size > 0) log.dropBefore(lowWaterMark(topic, index));
  }

  // Group commit: every produce() waits for a sync that started after its append; syncs in a row
  // cover every append made while the one before ran.
  const unsynced = new Set<PartitionLog>();
  let syncing: Promise<void> | undefined;
  let syncQueued: Promise<void> | undefined;
  function syncAppended(): Promise<void> {
    if (!syncing) {
      const logs = [...unsynced];
      unsynced.clear();
      syncing = Promise.all(logs.map((log) => log.sync())).then(() => undefined).finally(() => (syncing = undefined));
      return syncing;
    }
    syncQueued ??= syncing.catch(() => undefined).then(() => {
      syncQueued = undefined;
      return syncAppended();
    });
    return syncQueued;
  }

  async function produce(name: string, records: Parameters<Bus['produce']>[1]): Promise<void> {
    if (closed) throw new BusUnavailableError('the bus is shutting down');
    if (records.length === 0) return;
    const topic = topicOf(name);
    const byPartition = new Map<number, Buffer[]>();
    for (const record of records) {
      const index = partitionFor(record.key, topic.meta.partitions);
      const frames = byPartition.get(index) ?? [];
      frames.push(encodeFrame({ key: record.key, value: typeof record.value === 'string' ? Buffer.from(record.value) : record.value, headers: record.headers ?? {} }));
      byPartition.set(index, frames);
    }
    if (!topic.meta.retentionMs) {
      for (const [index, frames] of byPartition) {
        const waiting = topic.logs[index]!.end - lowWaterMark(topic, index);
        if (waiting + frames.length > options.maxPendingPerPartition) {
          throw new BusUnavailableError(`the local log is full: ${waiting} records wait on ${name}[${index}] for the processor`);
        }
      }
    }
    for (const [index, frames] of byPartition) {
      const log = topic.logs[index]!;
      try {
        log.append(frames);
      } catch (error) {
        throw new BusUnavailableError(`the local log could not write: ${(error as Error).message}`, 5, { cause: error });
      }
      unsynced.add(log);
      applyRetention(topic, index);
      for (const wake of topic.waiters[index]!) wake();
    }
    if (options.sync) {
      await syncAppended().catch((error: unknown) => {
        throw new BusUnavailableError(`the local log could not flush to disk: ${(error as Error).message}`, 5, { cause: error });
      });
    } else unsynced.clear();
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    const topic = topicOf(subscribeOptions.topic);
    const { groupId, fromBeginning } = subscribeOptions;
    const readingKey = `${topic.name}\u0000${groupId}`;
    if (reading.has(readingKey)) throw new Error(`group ${groupId} already reads ${topic.name} here: the local log gives a group's partitions to one subscriber`);
    reading.add(readingKey);
    const groups = fromBeginning ? topic.durable : topic.live;
    if (!groups.has(groupId)) groups.set(groupId, topic.logs.map((log) => (fromBeginning ? log.start : log.end)));
    const offsets = groups.get(groupId)!;
    const persist = fromBeginning ? () => writeJsonAtomically(path.join(topic.dir, 'groups.json'), Object.fromEntries(topic.durable)) : () => undefined;
    persist();
    let running = true;
    const maxRecords = subscribeOptions.maxBatchRecords ?? maxBatchRecords;
    const maxWaitMs = subscribeOptions.maxBatchWaitMs ?? 0;
    const stopWaiting = new Set<() => void>();
    const inHand = new Set<AbortController>();
    subscribeOptions.onAssignment?.(topic.logs.map((_, i) => i));

    /** Resolves when records arrive on the partition, the subscription stops, or `timeoutMs` passes. */
    function waitForRecords(index: number, timeoutMs = Infinity): Promise<void> {
      return new Promise<void>((resolve) => {
        const timer = Number.isFinite(timeoutMs) ? setTimeout(() => wake(), timeoutMs) : undefined;
        const wake = () => {
          clearTimeout(timer);
          topic.waiters[index]!.delete(wake);
          stopWaiting.delete(wake);
          resolve();
        };
        topic.waiters[index]!.add(wake);
        stopWaiting.add(wake);
      });
    }

    /** A batch from `position`: what is there, or — asked to wait — until it is full or its first record waited maxWaitMs. */
    async function readBatch(log: PartitionLog, index: number, position: LogPosition): Promise<ReadResult> {
      const read = log.read(position, maxRecords, maxBatchBytes);
      if (read.records.length === 0 || read.records.length >= maxRecords || maxWaitMs === 0) return read;
      const deadline = Date.now() + maxWaitMs;
      while (running && log.end - position.offset < maxRecords && Date.now() < deadline) await waitForRecords(index, deadline - Date.now());
      return log.read(position, maxRecords, maxBatchBytes);
    }

    async function consumePartition(index: number): Promise<void> {
      const log = topic.logs[index]!;
      let position: LogPosition = log.positionOf(offsets[index]!);
      let failures = 0;
      while (running) {
        const { records, positions } = await readBatch(log, index, position);
        if (!running) break;
        if (records.length === 0) {
          await waitForRecords(index);
          continue;
        }
        const batch: ConsumedBatch = { topic: topic.name, partition: index, records, firstOffset: records[0]!.offset, lastOffset: records[records.length - 1]!.offset };
        const controller = new AbortController();
        inHand.add(controller);
        try {
          const handled = await subscribeOptions.handleBatch(batch, { signal: controller.signal });
          const upTo = handled ? records.findIndex((r) => r.offset === handled.lastHandledOffset) : records.length - 1;
          position = positions[upTo < 0 ? records.length - 1 : upTo]!;
          offsets[index] = position.offset;
          persist();
          applyRetention(topic, index);
          failures = 0;
        } catch (error) {
          if (!running) break;
          options.onHandlerError?.(error, topic.name, index);
          await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** failures)));
          failures += 1;
        } finally {
          inHand.delete(controller);
        }
      }
    }

    const loops = topic.logs.map((_, index) => consumePartition(index));
    const subscription: Subscription = {
      async stop() {
        running = false;
        for (const controller of inHand) controller.abort(new Error('the subscription is stopping'));
        for (const wake of [...stopWaiting]) wake();
        await Promise.all(loops);
        subscriptions.delete(subscription);
        reading.delete(readingKey);
        if (!fromBeginning) topic.live.delete(groupId);
      },
      health: () => ({ running: running && !closed }),
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    kind: 'local',
    async ensureTopics(names, topicOptions = {}) {
      for (const name of names) if (!topics.has(name)) topics.set(name, openTopic(name, topicOptions));
    },
    produce,
    subscribe,
    async lag(groupId, name): Promise<PartitionOffsets[]> {
      const topic = topicOf(name);
      const offsets = topic.durable.get(groupId) ?? topic.live.get(groupId);
      return topic.logs.map((log, partition) => {
        const committed = offsets ? offsets[partition]! : log.start;
        return { partition, committed, end: log.end, lag: log.end - committed };
      });
    },
    async check() {
      if (closed) throw new BusUnavailableError('the bus is shutting down');
      for (const topic of topics.values()) {
        if (topic.meta.retentionMs) continue;
        topic.logs.forEach((log, index) => {
          if (log.end - lowWaterMark(topic, index) >= options.maxPendingPerPartition) {
            throw new BusUnavailableError(`the local log is full on ${topic.name}[${index}]: the processor is not keeping up`);
          }
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
      await syncing?.catch(() => undefined);
      for (const topic of topics.values()) for (const log of topic.logs) log.close();
      unlock();
    },
  };
}
