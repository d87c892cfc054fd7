/**
 * The bus: what ingest produces to and the processor and api consume from.
 * Two implementations with one contract — Kafka (kafkajs) and the local log (an append-only log on
 * disk in DATA_DIR, for the embedded run mode). The contract suite runs against both.
 */

export interface ProducedRecord {
  /** Partitioning key: records with one key stay in order on one partition. */
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface ConsumedRecord {
  key: string | null;
  value: Buffer;
  offset: string;
  headers: Record<string, string>;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  /** Never empty. */
  records: ConsumedRecord[];
  firstOffset: string;
  lastOffset: string;
}

/** What a handler gets besides the batch. */
export interface BatchContext {
  /**
   * Aborted when the batch is no longer this consumer's to handle: the partition was taken away
   * (Kafka rebalance or eviction) or the subscription is stopping. A handler that retries a write
   * stops retrying and throws; the batch is then delivered again, here or to the partition's new owner.
   */
  signal: AbortSignal;
}

export interface HandledUpTo {
  /** Last offset handled (inclusive); later records of the batch come again. */
  lastHandledOffset: string;
}

export interface SubscribeOptions {
  groupId: string;
  topic: string;
  /**
   * Where a group with no committed offset starts. A group that reads from the beginning is a
   * durable reader (the processor, the alerts worker): records wait for it, and the local log keeps its
   * position across restarts. One that starts at the end is a live reader (a socket fan-out, usually
   * under a group id of its own): the local log keeps its position in memory only.
   */
  fromBeginning: boolean;
  /**
   * Called with batches from one partition at a time, in offset order. The batch's offsets are
   * committed only after this resolves; when it throws, the same batch is delivered again.
   * It may handle only a first part of the batch and say up to which offset: the rest is
   * delivered again in the next batch.
   */
  handleBatch(batch: ConsumedBatch, context: BatchContext): Promise<void | HandledUpTo>;
  /** Called with the partitions this consumer holds, whenever they change. */
  onAssignment?(partitions: number[]): void;
  /**
   * Most records in one batch; a larger delivery is handed over in parts, each committed after it was
   * handled. Default: the bus's own (the local log's maxBatchRecords; on Kafka what one fetch brings).
   */
  maxBatchRecords?: number;
  /**
   * How long a batch that could take more records waits for them after its first one arrived, at most.
   * Default 0: hand over what has arrived (records arriving while a batch is handled make the next one).
   */
  maxBatchWaitMs?: number;
}

export interface SubscriptionHealth {
  /** The consumer is running (not crashed, not restarting after a crash). */
  running: boolean;
  /** Why it is not running, for /readyz and the logs. */
  problem?: string;
}

export interface Subscription {
  /** Stop fetching, let the batch in hand finish and commit, leave the group. */
  stop(): Promise<void>;
  health(): SubscriptionHealth;
}

export interface PartitionOffsets {
  partition: number;
  /** Next offset the group will handle (the committed position); the topic's start when it has none. */
  committed: number;
  /** Next offset the topic will get. */
  end: number;
  /** Records waiting: end - committed. */
  lag: number;
}

export interface TopicOptions {
  /**
   * Fan-out topics (live deltas, dead letters): records older than this may go whether read or not.
   * Unset: a record stays until every group that reads the topic from the beginning has handled it.
   */
  retentionMs?: number;
}

export interface Bus {
  readonly kind: 'kafka' | 'local';
  /** Create the topics this deployment uses, if missing. */
  ensureTopics(topics: string[], options?: TopicOptions): Promise<void>;
  /** Resolves only once the bus durably acknowledged every record (acks=all on Kafka). */
  produce(topic: string, records: ProducedRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Where a group stands on each partition of a topic (consumer lag and progress). */
  lag(groupId: string, topic: string): Promise<PartitionOffsets[]>;
  /** Throws (BusUnavailableError) when the bus cannot take records now: /readyz of ingest. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The bus cannot take records right now (broker down, queue full): answer 503 and retry later. */
export class BusUnavailableError extends Error {
  override name = 'BusUnavailableError';
  constructor(message: string, readonly retryAfterSeconds = 5, options?: ErrorOptions) {
    super(message, options);
  }
}
