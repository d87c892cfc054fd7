/**
 * Finds the Kafka broker (and ClickHouse server, if any) the integration tests talk to, in the
 * order DESIGN.md fixes: KAFKA_BROKERS / CLICKHOUSE_URL when set; else testcontainers when a
 * Docker engine answers; else the local broker script and the embedded engine. Throws — so the
 * run fails — when Kafka cannot be had.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    clickhouseUrl: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function dockerAnswers(): boolean {
  const result = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

async function startContainers(): Promise<{ brokers: string; clickhouseUrl: string; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const kafka = await new GenericContainer('apache/kafka:3.9.1')
    .withExposedPorts({ container: 9092, host: 39092 })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://localhost:39092',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const clickhouse = await new GenericContainer('clickhouse/clickhouse-server:26.3')
    .withExposedPorts(8123)
    .withEnvironment({ CLICKHOUSE_PASSWORD: 'test' })
    .withWaitStrategy(Wait.forHttp('/ping', 8123))
    .start();
  return {
    brokers: `localhost:39092`,
    clickhouseUrl: `http://default:test@${clickhouse.getHost()}:${clickhouse.getMappedPort(8123)}`,
    stop: async () => {
      await Promise.all([kafka.stop(), clickhouse.stop()]);
    },
  };
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  let brokers = process.env.KAFKA_BROKERS ?? '';
  let clickhouseUrl = process.env.CLICKHOUSE_URL ?? '';
  let teardown: (() => Promise<void>) | undefined;

  if (!brokers && dockerAnswers()) {
    const containers = await startContainers();
    brokers = containers.brokers;
    clickhouseUrl ||= containers.clickhouseUrl;
    teardown = containers.stop;
  } else if (!brokers) {
    // Idempotent: reuses a broker the developer already started; prints KAFKA_BROKERS=… on success.
    let output: string;
    try {
      output = execFileSync(path.join(ROOT, 'scripts', 'kafka-local'), ['start'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    } catch (error) {
      throw new Error(`Kafka could not be started with scripts/kafka-local (integration tests need a real broker): ${(error as Error).message}`);
    }
    const match = /KAFKA_BROKERS=(\S+)/.exec(output);
    if (!match) throw new Error(`scripts/kafka-local start did not print KAFKA_BROKERS=…; it printed:\n${output}`);
    brokers = match[1]!;
  }
  project.provide('kafkaBrokers', brokers);
  project.provide('clickhouseUrl', clickhouseUrl);
  return teardown;
}
