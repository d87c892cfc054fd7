/**
 * Kafka bus on kafkajs. Produces with acks=all; consumes with autoCommit off and commits a
 * partition's offsets only after its batch handler resolved (commit is the last step).
 */
import { Kafka, logLevel as KafkaLogLevel, type Consumer, type EachBatchPayload, type Producer, type IHeaders } from 'kafkajs';
import type { Logger } from 'pino';
import type { Bus, ConsumedRecord, SubscribeOptions, Subscription } from './bus.ts';
import { BusUnavailableError } from './bus.ts';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  partitions: number;
  replicationFactor: number;
  logger: Logger;
  /** Give up producing after this long and answer 503 (the caller retries). */
  produceTimeoutMs?: number;
  /** Upper bound of one fetch per partition; bounds the batch a handler gets. */
  maxBytesPerPartition?: number;
  /** Kafka's session timeout for consumers (kafkajs' default 30 s); heartbeats go at a third of it, 3 s at most. */
  sessionTimeoutMs?: number;
}

/** How long a fetch waits when there is nothing to read (Kafka's long poll). */
const IDLE_POLL_MS = 200;

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BusUnavailableError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createKafkaBus(options: KafkaBusOptions): Bus {
  const log = options.logger.child({ component: 'kafka' });
  const connection = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
  };
  const kafka = new Kafka({
    ...connection,
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => ({ namespace, level, log: entry }) => {
      const { message, ...rest } = entry;
      const method = level <= KafkaLogLevel.ERROR ? 'error' : level === KafkaLogLevel.WARN ? 'warn' : 'debug';
      log[method]({ namespace, ...rest }, message);
    },
  });
  const produceTimeoutMs = options.produceTimeoutMs ?? 8000;
  let producer: Producer | undefined;
  let producerReady: Promise<Producer> | undefined;
  const consumers = new Set<Consumer>();

  function getProducer(): Promise<Producer> {
    producerReady ??= (async () => {
      const p = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 } });
      p.on('producer.disconnect', () => {
        // Reconnect lazily on the next produce.
        producerReady = undefined;
      });
      await p.connect();
      producer = p;
      return p;
    })().catch((error: unknown) => {
      producerReady = undefined;
      throw error;
    });
    return producerReady;
  }

  /**
   * A group with no committed offsets that does not read from the beginning starts at the end of
   * the topic as of subscribe(), as on the memory bus. Left to kafkajs it would start at the end as
   * of its first fetch after joining — seconds later under load — and skip what came in between
   * (a live client missing its first deltas). Just after a broker (re)start the group coordinator
   * may not be ready yet: retried for a while, then left to kafkajs with a warning rather than
   * failing the service's start.
   */
  // Only for startNewGroupAtEnd: just after a broker starts, its coordinator answers "not the correct
  // coordinator" for a while, which kafkajs logs at error level on every retry; the loop reports the outcome once.
  const quietKafka = new Kafka({ ...connection, logLevel: KafkaLogLevel.NOTHING });

  async function startNewGroupAtEnd(groupId: string, topic: string): Promise<void> {
    const admin = quietKafka.admin();
    await admin.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          if ((committed?.partitions ?? []).some((p) => Number(p.offset) >= 0)) return;
          const ends = await admin.fetchTopicOffsets(topic);
          await admin.setOffsets({ groupId, topic, partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })) });
          return;
        } catch (error) {
          const retriable = (error as { retriable?: boolean }).retriable === true;
          if (!retriable || attempt >= 20) {
            log.warn({ err: error, groupId, topic }, 'could not set the new group to start at the end of the topic; it starts where its first fetch finds the end');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * attempt)));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  return {
    kind: 'kafka',

    async ensureTopics(topics, topicOptions = {}) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t));
        if (missing.length > 0) {
          // Leaders are awaited below: kafkajs' own wait gives up on "does not host this topic-partition".
          await admin.createTopics({
            waitForLeaders: false,
            topics: missing.map((topic) => ({
              topic,
              numPartitions: options.partitions,
              replicationFactor: options.replicationFactor,
              configEntries: topicOptions.retentionMs ? [{ name: 'retention.ms', value: String(topicOptions.retentionMs) }] : [],
            })),
          });
          log.info({ topics: missing, partitions: options.partitions }, 'created topics');
        }
        // A topic just created can still be unknown to the partition leaders for a moment:
        // wait until the metadata names a leader for every partition.
        const deadline = Date.now() + 15_000;
        for (;;) {
          const ready = await admin
            .fetchTopicMetadata({ topics })
            .then(({ topics: metadata }) => metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
            .catch(() => false);
          if (ready) break;
          if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after 15 s`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await admin.disconnect();
      }
    },

    async produce(topic, records) {
      if (records.length === 0) return;
      try {
        const p = await withTimeout(getProducer(), produceTimeoutMs, 'Kafka is not reachable');
        await withTimeout(
          p.send({
            topic,
            acks: -1,
            messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
          }),
          produceTimeoutMs,
          `Kafka did not acknowledge within ${produceTimeoutMs} ms`,
        );
      } catch (error) {
        if (error instanceof BusUnavailableError) throw error;
        throw new BusUnavailableError(`Kafka did not accept the records: ${(error as Error).message}`, 5, { cause: error });
      }
    },

    async subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
      const maxBytesPerPartition = options.maxBytesPerPartition ?? 2 * 1024 * 1024;
      const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
      const heartbeatInterval = Math.min(3000, Math.floor(sessionTimeout / 3));
      const { groupId, topic } = subscribeOptions;
      const batchWaitMs = subscribeOptions.maxBatchWaitMs ?? 0;
      let stopping = false;
      let consumer: Consumer | undefined;
      let problem: string | undefined;
      let restartTimer: NodeJS.Timeout | undefined;
      let restarts = 0;
      /** Batches being handled: aborted when their partition is taken away or the consumer crashed. */
      const inHand = new Set<AbortController>();

      if (!subscribeOptions.fromBeginning) await startNewGroupAtEnd(groupId, topic);

      function abortInHand(reason: unknown): void {
        for (const controller of inHand) controller.abort(reason);
      }

      /** One part of a fetched batch through the handler; returns the last offset it handled. */
      async function handlePart(topicName: string, partition: number, records: ConsumedRecord[], heartbeat: EachBatchPayload['heartbeat']): Promise<string> {
        const lastOffset = records[records.length - 1]!.offset;
        const controller = new AbortController();
        inHand.add(controller);
        // kafkajs heartbeats only between fetches and when told: keep the session alive while the
        // handler works (a slow or retried write), and learn early that the partition was taken away.
        const beat = setInterval(() => {
          heartbeat().catch((error: unknown) => {
            const type = (error as { type?: string }).type;
            if (type === 'REBALANCE_IN_PROGRESS' || type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION') controller.abort(error);
          });
        }, heartbeatInterval);
        try {
          // Throwing here makes kafkajs seek back and deliver again from the last committed offset.
          const handled = await subscribeOptions.handleBatch(
            { topic: topicName, partition, records, firstOffset: records[0]!.offset, lastOffset },
            { signal: controller.signal },
          );
          return handled?.lastHandledOffset ?? lastOffset;
        } finally {
          clearInterval(beat);
          inHand.delete(controller);
        }
      }

      async function eachBatch({ batch, isRunning, isStale, heartbeat, resolveOffset }: EachBatchPayload): Promise<void> {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const records: ConsumedRecord[] = batch.messages.map((m) => ({
          key: m.key ? m.key.toString() : null,
          value: m.value ?? Buffer.alloc(0),
          offset: m.offset,
          headers: headersToStrings(m.headers),
        }));
        // A fetch larger than the subscription's batch is handled in parts, each committed after it.
        const partSize = subscribeOptions.maxBatchRecords ?? records.length;
        for (let start = 0; start < records.length; start += partSize) {
          if (start > 0 && (!isRunning() || isStale())) return;
          const part = records.slice(start, start + partSize);
          const upTo = await handlePart(batch.topic, batch.partition, part, heartbeat);
          // Handled, even if a heartbeat meanwhile learnt of a rebalance: commit what was handled. When
          // the partition went elsewhere the commit fails and its new owner gets the batch again (and its
          // writes dedupe); throwing here would deliver it again even when the partition stayed ours.
          // Moves kafkajs' fetch position past what was handled (the rest is fetched again);
          // the commit makes it durable.
          resolveOffset(upTo);
          await consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(upTo) + 1n).toString() }]);
          await heartbeat();
          if (upTo !== part[part.length - 1]!.offset) return;
        }
      }

      async function startConsumer(): Promise<void> {
        const next = kafka.consumer({
          groupId,
          allowAutoTopicCreation: false,
          maxBytesPerPartition,
          // Room for a full batch of every partition in one fetch (kafkajs' default stops at 10 MB).
          maxBytes: Math.max(10 * 1024 * 1024, maxBytesPerPartition * options.partitions),
          // Age of a batch: with a wait, the broker answers when a full batch is there or the wait is over;
          // without, as soon as there is anything (and after IDLE_POLL_MS when there is nothing).
          minBytes: batchWaitMs > 0 ? maxBytesPerPartition : 1,
          maxWaitTimeInMs: batchWaitMs > 0 ? batchWaitMs : IDLE_POLL_MS,
          retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5000 },
          sessionTimeout,
          heartbeatInterval,
        });
        next.on(next.events.GROUP_JOIN, (event) => {
          problem = undefined;
          subscribeOptions.onAssignment?.(event.payload.memberAssignment[topic] ?? []);
        });
        next.on(next.events.CRASH, (event) => {
          abortInHand(event.payload.error);
          if (stopping) return;
          problem = `the consumer crashed: ${event.payload.error.message}`;
          subscribeOptions.onAssignment?.([]);
          // kafkajs restarts a consumer after a retriable crash itself; after any other (e.g. "The
          // coordinator is not aware of this member" once Kafka evicted it) it stays down: start a new one.
          if (event.payload.restart) {
            log.warn({ groupId, err: event.payload.error }, 'consumer crashed; kafkajs restarts it');
            return;
          }
          log.error({ groupId, err: event.payload.error }, 'consumer crashed; starting a new one');
          scheduleRestart(next);
        });
        await next.connect();
        await next.subscribe({ topic, fromBeginning: subscribeOptions.fromBeginning });
        consumer = next;
        consumers.add(next);
        await next.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: options.partitions, eachBatch });
      }

      function scheduleRestart(crashed: Consumer): void {
        const delay = Math.min(30_000, 1000 * 2 ** Math.min(restarts, 5));
        restarts += 1;
        restartTimer = setTimeout(async function restartConsumer() {
          consumers.delete(crashed);
          await crashed.disconnect().catch(() => undefined);
          if (stopping) return;
          try {
            await startConsumer();
            restarts = 0;
            log.info({ groupId }, 'consumer restarted');
          } catch (error) {
            problem = `the consumer could not be restarted: ${(error as Error).message}`;
            log.error({ groupId, err: error }, 'consumer restart failed; trying again');
            scheduleRestart(consumer ?? crashed);
          }
        }, delay);
        restartTimer.unref();
      }

      await startConsumer();
      return {
        async stop() {
          stopping = true;
          clearTimeout(restartTimer);
          abortInHand(new Error('the subscription is stopping'));
          if (consumer) {
            consumers.delete(consumer);
            await consumer.disconnect();
          }
        },
        health: () => (problem ? { running: false, problem } : { running: true }),
      };
    },

    async lag(groupId, topic) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId, topics: [topic] }),
        ]);
        const committedByPartition = new Map(
          (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
        );
        return ends.map((end) => {
          const done = committedByPartition.get(end.partition) ?? -1;
          const high = Number(end.high);
          const committed = done < 0 ? Number(end.low) : done;
          return { partition: end.partition, committed, end: high, lag: high - committed };
        });
      } finally {
        await admin.disconnect();
      }
    },

    async check() {
      const admin = quietKafka.admin();
      try {
        await withTimeout(admin.connect().then(() => admin.describeCluster()), 3000, 'Kafka did not answer within 3 s');
      } catch (error) {
        throw error instanceof BusUnavailableError ? error : new BusUnavailableError(`Kafka is not reachable: ${(error as Error).message}`, 5, { cause: error });
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },

    async close() {
      await Promise.all([...consumers].map((c) => c.disconnect()));
      consumers.clear();
      if (producer) await producer.disconnect();
      producer = undefined;
      producerReady = undefined;
    },
  };
}
