/**
 * The bus: what ingest produces to and the processor and api consume from.
 * Two implementations with one contract — Kafka (kafkajs) and an in-process bus for the
 * embedded run mode. The contract suite in test/ runs against both.
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

export interface HandledUpTo {
  /** Last offset handled (inclusive); later records of the batch come again. */
  lastHandledOffset: string;
}

export interface SubscribeOptions {
  groupId: string;
  topic: string;
  /** Where a group with no committed offset starts. */
  fromBeginning: boolean;
  /**
   * Called with batches from one partition at a time, in offset order. The batch's offsets are
   * committed only after this resolves; when it throws, the same batch is delivered again.
   * It may handle only a first part of the batch and say up to which offset: the rest is
   * delivered again in the next batch.
   */
  handleBatch(batch: ConsumedBatch): Promise<void | HandledUpTo>;
  /** Called when partitions are taken away or assigned (informational). */
  onAssignment?(partitions: number[]): void;
}

export interface Subscription {
  /** Stop fetching, let the batch in hand finish and commit, leave the group. */
  stop(): Promise<void>;
}

export interface Bus {
  readonly kind: 'kafka' | 'memory';
  /** Create the topics this deployment uses, if missing. */
  ensureTopics(topics: string[]): Promise<void>;
  /** Resolves only once the bus durably acknowledged every record (acks=all on Kafka). */
  produce(topic: string, records: ProducedRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Records waiting per partition for a group (consumer lag). */
  lag(groupId: string, topic: string): Promise<{ partition: number; lag: number }[]>;
  close(): Promise<void>;
}

/** The bus cannot take records right now (broker down, queue full): answer 503 and retry later. */
export class BusUnavailableError extends Error {
  override name = 'BusUnavailableError';
  constructor(message: string, readonly retryAfterSeconds = 5, options?: ErrorOptions) {
    super(message, options);
  }
}
