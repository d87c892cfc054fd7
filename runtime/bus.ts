/**
 * The bus this process runs on — Kafka when KAFKA_BROKERS is set, else the local log in DATA_DIR —
 * and the pipeline's topics under this deployment's prefix.
 */
import path from 'node:path';
import type { Bus } from '../common/bus/bus.ts';
import { createKafkaBus } from '../common/bus/kafka-bus.ts';
import { createLocalBus } from '../common/bus/local-bus.ts';
import { kafkaBrokers, type Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { DAY_MS, HOUR_MS } from '../common/time.ts';
import { TOPICS, topicName } from '../common/topics.ts';

export interface PipelineTopics {
  events: string;
  deadLetter: string;
  live: string;
}

/** Live deltas matter for seconds: the board re-reads its snapshot anyway. */
const LIVE_RETENTION_MS = HOUR_MS;
/** Dead letters are also kept in the dead_letters table, where admins read them. */
const DEAD_LETTER_RETENTION_MS = 7 * DAY_MS;

export function createBus(config: Config, logger: Logger): Bus {
  const brokers = kafkaBrokers(config);
  if (brokers.length > 0) {
    return createKafkaBus({
      brokers,
      clientId: config.KAFKA_CLIENT_ID,
      partitions: config.KAFKA_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      maxBytesPerPartition: config.KAFKA_FETCH_BYTES_PER_PARTITION,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      logger,
    });
  }
  return createLocalBus({
    dir: path.resolve(config.DATA_DIR, 'bus'),
    partitions: config.KAFKA_PARTITIONS,
    maxPendingPerPartition: Math.max(1, Math.floor(config.LOCAL_BUS_MAX_PENDING / config.KAFKA_PARTITIONS)),
    sync: config.LOCAL_BUS_SYNC,
  });
}

export function pipelineTopics(config: Pick<Config, 'KAFKA_TOPIC_PREFIX'>): PipelineTopics {
  return {
    events: topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.events),
    deadLetter: topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.deadLetter),
    live: topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.live),
  };
}

/** Creates the pipeline's topics where missing. */
export async function ensurePipelineTopics(bus: Bus, topics: PipelineTopics): Promise<void> {
  await bus.ensureTopics([topics.events]);
  // Fan-out topics: nobody must read them for the pipeline to go on, so old records go read or not.
  await bus.ensureTopics([topics.live], { retentionMs: LIVE_RETENTION_MS });
  await bus.ensureTopics([topics.deadLetter], { retentionMs: DEAD_LETTER_RETENTION_MS });
}
