/**
 * In-process bus for the embedded run mode: partitioned, ordered per key, consumer groups with
 * committed offsets, and a bound on what waits (produce fails with BusUnavailableError beyond it,
 * exactly where Kafka would push back). Records live in memory: a crash of the process loses what
 * was accepted but not yet written to ClickHouse — run with KAFKA_BROKERS for durability.
 */
import { createHash } from 'node:crypto';
import type { Bus, ConsumedBatch, ConsumedRecord, ProducedRecord, SubscribeOptions, Subscription } from './bus.ts';
import { BusUnavailableError } from './bus.ts';

interface Partition {
  /** Offset of records[0]. */
  base: number;
  records: ConsumedRecord[];
  /** Wakes consumers waiting on this partition. */
  waiters: Set<() => void>;
}

interface Topic {
  partitions: Partition[];
  /** groupId → next offset to consume per partition. */
  committed: Map<string, number[]>;
}

export interface MemoryBusOptions {
  partitions: number;
  /** Most records a partition keeps waiting for its slowest group. */
  maxPendingPerTopic: number;
  /** Most records handed to one handleBatch call. */
  maxBatchRecords?: number;
  /** Pause before redelivering a batch whose handler failed. */
  retryDelayMs?: number;
}

export function partitionFor(key: string, partitions: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % partitions;
}

export function createMemoryBus(options: MemoryBusOptions): Bus {
  const topics = new Map<string, Topic>();
  const maxBatch = options.maxBatchRecords ?? 5000;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxPerPartition = Math.max(1, Math.floor(options.maxPendingPerTopic / options.partitions));
  let closed = false;
  const subscriptions = new Set<Subscription>();

  function topicOf(name: string): Topic {
    const topic = topics.get(name);
    if (!topic) throw new Error(`topic ${name} does not exist (ensureTopics first)`);
    return topic;
  }

  /** Drop records every group has consumed; with no group yet, keep them for the first one. */
  function trim(topic: Topic, index: number): void {
    const partition = topic.partitions[index]!;
    if (topic.committed.size === 0) return;
    let low = Infinity;
    for (const offsets of topic.committed.values()) low = Math.min(low, offsets[index]!);
    const drop = Math.min(low - partition.base, partition.records.length);
    if (drop > 0) {
      partition.records.splice(0, drop);
      partition.base += drop;
    }
  }

  async function produce(name: string, records: ProducedRecord[]): Promise<void> {
    if (closed) throw new BusUnavailableError('bus is shutting down');
    const topic = topicOf(name);
    const byPartition = new Map<number, ProducedRecord[]>();
    for (const record of records) {
      const index = partitionFor(record.key, topic.partitions.length);
      const list = byPartition.get(index) ?? [];
      list.push(record);
      byPartition.set(index, list);
    }
    // All-or-nothing: check every partition's room before appending anything.
    for (const [index, list] of byPartition) {
      const partition = topic.partitions[index]!;
      trim(topic, index);
      if (partition.records.length + list.length > maxPerPartition) {
        throw new BusUnavailableError(`in-process bus is full (${partition.records.length} records waiting on ${name}[${index}])`);
      }
    }
    for (const [index, list] of byPartition) {
      const partition = topic.partitions[index]!;
      for (const record of list) {
        partition.records.push({
          key: record.key,
          value: typeof record.value === 'string' ? Buffer.from(record.value) : record.value,
          offset: String(partition.base + partition.records.length),
          headers: record.headers ?? {},
        });
      }
      for (const wake of partition.waiters) wake();
    }
  }

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    const topic = topicOf(subscribeOptions.topic);
    if (!topic.committed.has(subscribeOptions.groupId)) {
      topic.committed.set(
        subscribeOptions.groupId,
        topic.partitions.map((p) => (subscribeOptions.fromBeginning ? p.base : p.base + p.records.length)),
      );
    }
    const offsets = topic.committed.get(subscribeOptions.groupId)!;
    let running = true;
    const stopWaiting = new Set<() => void>();
    subscribeOptions.onAssignment?.(topic.partitions.map((_, i) => i));

    async function consumePartition(index: number): Promise<void> {
      const partition = topic.partitions[index]!;
      while (running) {
        const start = offsets[index]! - partition.base;
        const records = partition.records.slice(start, start + maxBatch);
        if (records.length === 0) {
          await new Promise<void>((resolve) => {
            const wake = () => {
              partition.waiters.delete(wake);
              stopWaiting.delete(wake);
              resolve();
            };
            partition.waiters.add(wake);
            stopWaiting.add(wake);
          });
          continue;
        }
        const batch: ConsumedBatch = {
          topic: subscribeOptions.topic,
          partition: index,
          records,
          firstOffset: records[0]!.offset,
          lastOffset: records[records.length - 1]!.offset,
        };
        try {
          const handled = await subscribeOptions.handleBatch(batch);
          offsets[index] = Number(handled?.lastHandledOffset ?? batch.lastOffset) + 1;
          trim(topic, index);
        } catch {
          // The handler reports its own error; redeliver the same batch after a pause.
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
        }
      }
    }

    const loops = topic.partitions.map((_, index) => consumePartition(index));
    const subscription: Subscription = {
      async stop() {
        running = false;
        for (const wake of [...stopWaiting]) wake();
        await Promise.all(loops);
        subscriptions.delete(subscription);
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  return {
    kind: 'memory',
    async ensureTopics(names) {
      for (const name of names) {
        if (topics.has(name)) continue;
        topics.set(name, {
          partitions: Array.from({ length: options.partitions }, () => ({ base: 0, records: [], waiters: new Set() })),
          committed: new Map(),
        });
      }
    },
    produce,
    subscribe,
    async lag(groupId, name) {
      const topic = topicOf(name);
      const offsets = topic.committed.get(groupId);
      return topic.partitions.map((p, partition) => ({
        partition,
        lag: p.base + p.records.length - (offsets ? offsets[partition]! : p.base),
      }));
    },
    async close() {
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.stop()));
    },
  };
}
