/**
 * Starting real services for a test: the real bus (Kafka from the global setup, or the
 * in-process bus when asked) and real ClickHouse: the embedded engine in a temp dir, or, in the
 * server project, a database of its own on the global setup's ClickHouse server,
 * with topics and consumer groups under a prefix of their own so test files never see each
 * other's records.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../common/config.ts';
import { TEST_ADMIN_PASSWORD } from './auth.ts';
import { createLogger } from '../../common/logger.ts';
import { ALL_ROLES, startServices, type Roles, type RunningServices } from '../../runtime/services.ts';
import { testDatabase, testEngine } from './store.ts';

export const TEST_TOKEN = 'test-source-token';

export interface TestPipelineOptions {
  roles?: Roles;
  /** Use the local log (the embedded mode's bus) instead of Kafka. */
  localBus?: boolean;
  /** Reuse a data dir / topic prefix (to restart "the same" deployment). */
  dataDir?: string;
  topicPrefix?: string;
  env?: Record<string, string>;
}

export interface TestPipeline extends RunningServices {
  config: Config;
  post(body: unknown, init?: { token?: string; contentType?: string }): Promise<Response>;
}

export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}.`;
}

/**
 * A test deployment's config. On the server engine (the project's `clickhouseEngine`) it gets a database of
 * its own (the same again for the same data dir). The analysts' read-only user is granted the database
 * `grouppulse` only (deploy/clickhouse/users.d): test/analyst-user.integration.test.ts sets it up there.
 */
export function testConfig(options: TestPipelineOptions = {}): Config {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'grouppulse-test-'));
  const server = testEngine() === 'server';
  return loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    KAFKA_BROKERS: options.localBus ? '' : inject('kafkaBrokers'),
    KAFKA_TOPIC_PREFIX: options.topicPrefix ?? uniquePrefix(),
    CLICKHOUSE_URL: server ? inject('clickhouseUrl') : '',
    CLICKHOUSE_DATABASE: server ? testDatabase(dataDir) : 'grouppulse',
    INGEST_TOKEN: TEST_TOKEN,
    PSEUDONYM_KEY: '00112233445566778899aabbccddeeff',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LIVE_RESYNC_MS: '2000',
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    // Tests sign in often; the sign-in rate limit has its own test with a low limit.
    AUTH_SIGNIN_MAX_ATTEMPTS: '10000',
    INGEST_AUTH_FAILURES_PER_MINUTE: '100000',
    // Tests import their directories with the source token's value; deployments keep the two apart.
    DIRECTORY_IMPORT_TOKEN: TEST_TOKEN,
    ...options.env,
  });
}

export async function startTestPipeline(options: TestPipelineOptions = {}): Promise<TestPipeline> {
  const config = testConfig(options);
  const services = await startServices(config, options.roles ?? ALL_ROLES, createLogger(config.LOG_LEVEL));
  return {
    ...services,
    config,
    post(body, init = {}) {
      return fetch(`${services.url}/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${init.token ?? TEST_TOKEN}`,
          'content-type': init.contentType ?? 'application/json',
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
  };
}

export { waitFor } from './wait.ts';
