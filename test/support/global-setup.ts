/**
 * Finds the Kafka broker and, for the projects that run on a ClickHouse server (the project provides
 * `clickhouseEngine: 'server'`), the ClickHouse server the tests talk to, each in this order:
 * KAFKA_BROKERS / CLICKHOUSE_URL when set; else testcontainers when a Docker engine answers; else the
 * local scripts (scripts/kafka-local, scripts/clickhouse-local). Throws — so the run fails, nothing is
 * skipped — when either cannot be had.
 *
 * The ClickHouse server always loads the project's own users (deploy/clickhouse/): the tests log in as the
 * service user `grouppulse` (the analysts' user is tested on a server of its own, test/analyst-user…). A server this setup starts
 * (container or script) is its own, on free ports with a fresh data directory, and is stopped at the end;
 * on a server named by CLICKHOUSE_URL the databases the run created (grouppulse_t*) are dropped at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import type { TestProject } from 'vitest/node';
import { startLocalClickHouse, TEST_DATABASE_PREFIX, TEST_READONLY_PASSWORD, TEST_SERVICE_PASSWORD } from './clickhouse-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    /** Which ClickHouse the project's tests use; set in vitest.config.ts per project. */
    clickhouseEngine: 'embedded' | 'server';
    /** The server (service user in the URL), when the engine is 'server'; else ''. */
    clickhouseUrl: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');

interface ClickHouseServer {
  url: string;
  stop: () => Promise<void>;
}

let dockerAnswered: boolean | undefined;
function dockerAnswers(): boolean {
  dockerAnswered ??= spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  return dockerAnswered;
}

async function startKafkaContainer(): Promise<{ brokers: string; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const kafka = await new GenericContainer('apache/kafka:3.9.2')
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
  return { brokers: 'localhost:39092', stop: async () => void (await kafka.stop()) };
}

function startKafkaScript(): string {
  // Idempotent: reuses a broker the developer already started; prints KAFKA_BROKERS=… on success.
  let output: string;
  try {
    output = execFileSync(path.join(ROOT, 'scripts', 'kafka-local'), ['start'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (error) {
    throw new Error(`Kafka could not be started with scripts/kafka-local (integration tests need a real broker): ${(error as Error).message}`);
  }
  const match = /KAFKA_BROKERS=(\S+)/.exec(output);
  if (!match) throw new Error(`scripts/kafka-local start did not print KAFKA_BROKERS=…; it printed:\n${output}`);
  return match[1]!;
}

/** The official image of the engine's branch (26.7, as docker-compose.yml), with the project's users. */
async function startClickHouseContainer(): Promise<ClickHouseServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('clickhouse/clickhouse-server:26.7.5.10')
    .withExposedPorts(8123)
    // Not CLICKHOUSE_PASSWORD (the image's entrypoint would write a user file of its own), and no user setup:
    // deploy/clickhouse/users.d keeps the default user to the container.
    .withEnvironment({ GROUPPULSE_SERVICE_PASSWORD: TEST_SERVICE_PASSWORD, GROUPPULSE_READONLY_PASSWORD: TEST_READONLY_PASSWORD, CLICKHOUSE_SKIP_USER_SETUP: '1' })
    .withCopyDirectoriesToContainer([{ source: path.join(ROOT, 'deploy', 'clickhouse', 'users.d'), target: '/etc/clickhouse-server/users.d' }])
    .withWaitStrategy(Wait.forHttp('/ping', 8123))
    .start();
  return {
    url: `http://grouppulse:${TEST_SERVICE_PASSWORD}@${container.getHost()}:${container.getMappedPort(8123)}`,
    stop: async () => void (await container.stop()),
  };
}

/** A server named by CLICKHOUSE_URL: used as it is; the test databases this run creates on it are dropped at the end. */
async function clickHouseFromEnv(url: string): Promise<ClickHouseServer> {
  const databases = async (): Promise<string[]> => {
    const client = createClient({ url });
    try {
      const result = await client.query({ query: 'SELECT name FROM system.databases WHERE startsWith(name, {prefix:String})', query_params: { prefix: TEST_DATABASE_PREFIX }, format: 'JSONEachRow' });
      return (await result.json<{ name: string }>()).map((row) => row.name);
    } finally {
      await client.close();
    }
  };
  const before = new Set(await databases());
  return {
    url,
    stop: async () => {
      const client = createClient({ url });
      try {
        for (const name of (await databases()).filter((n) => !before.has(n))) await client.command({ query: `DROP DATABASE IF EXISTS ${name} SYNC` });
      } finally {
        await client.close();
      }
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];

  let brokers = process.env.KAFKA_BROKERS ?? '';
  if (!brokers && dockerAnswers()) {
    const kafka = await startKafkaContainer();
    brokers = kafka.brokers;
    stops.push(kafka.stop);
  } else if (!brokers) {
    brokers = startKafkaScript();
  }
  project.provide('kafkaBrokers', brokers);

  const engine = project.config.provide?.clickhouseEngine ?? 'embedded';
  project.provide('clickhouseEngine', engine);
  let server: ClickHouseServer | undefined;
  if (engine === 'server') {
    const url = process.env.CLICKHOUSE_URL;
    server = url ? await clickHouseFromEnv(url) : dockerAnswers() ? await startClickHouseContainer() : await startLocalClickHouse();
    stops.push(server.stop);
  }
  project.provide('clickhouseUrl', server?.url ?? '');

  return async function teardown() {
    for (const stop of stops.reverse()) await stop();
  };
}
