/**
 * A distributed deployment for the distributed tier: a Kafka broker and a ClickHouse server of its own
 * (scripts/kafka-local, scripts/clickhouse-local: the tests stop, kill and pause them), and every service
 * as an OS process through the real command line (`bin/grouppulse.ts ingest|processor|api`), as
 * docker-compose runs them. Each instance can be killed, restarted, or left to a supervisor that starts it
 * again when it exits on its own (what compose's `restart:` does).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { serverOf } from '../../common/store/store.ts';
import { inheritedEnv, spawnService, type ChildService } from '../support/child-service.ts';
import { startLocalClickHouse, type LocalClickHouse } from '../support/clickhouse-server.ts';
import { startOwnKafka, type OwnKafka } from '../support/kafka-broker.ts';
import { waitFor } from '../support/wait.ts';

export type Role = 'ingest' | 'processor' | 'api';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** Every process of the deployment runs without the embedded engine, as the service image has none (Dockerfile). */
const WITHOUT_EMBEDDED_ENGINE = `--import ${path.join(ROOT, 'test', 'support', 'without-embedded-engine.mjs')}`;

export const SOURCE_TOKEN = 'distributed-source-token';
export const IMPORT_TOKEN = 'distributed-directory-import-token';
/** Partitions of every topic: two per processor, so partitions move on every kill and restart. */
export const PARTITIONS = 6;

/** One service instance: the process now running it (a new one after each restart). */
export class Instance {
  current!: ChildService;
  /** Exits nobody asked for (code or signal), in order. */
  readonly exits: (number | string)[] = [];
  /** The output of the processes this instance ran before the current one. */
  private readonly earlier: string[] = [];
  /** Set: an exit nobody asked for starts the service again (a supervisor's restart policy). */
  supervised = false;
  private expectedExit = false;
  private restarting: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly role: Role,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return this.current.url;
  }

  /** Start the process (not waiting until it is ready). */
  async spawn(): Promise<void> {
    this.expectedExit = false;
    if (this.current) this.earlier.push(this.current.output());
    const child = await spawnService([this.role], this.env);
    this.current = child;
    void child.exited.then((how) => {
      if (this.expectedExit || this.current !== child) return;
      this.exits.push(how);
      if (this.supervised) this.restarting = this.restartAfterExit();
    });
  }

  /** As a supervisor would: start again, and again while the start fails (1 s apart), until it is ready. */
  private async restartAfterExit(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await this.spawn();
      const ready = await this.current.waitReady(120_000).then(() => true, () => false);
      if (ready) return;
      if (this.expectedExit) return;
    }
  }

  async start(): Promise<void> {
    await this.spawn();
    await this.current.waitReady(120_000);
  }

  /** Send a signal and wait for the exit. */
  async kill(signal: NodeJS.Signals): Promise<number | string> {
    this.expectedExit = true;
    return this.current.kill(signal);
  }

  /**
   * Ready again after a supervisor's restarts (or never stopped). A process may exit again while it starts
   * (a processor that exits on a stall, during a rebalance that outlasts STALL_EXIT_SECONDS): the supervisor
   * then starts another, so readiness is asked of whichever process runs now, up to `timeoutMs` in all.
   */
  async settled(timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown = new Error(`${this.name} not ready within ${timeoutMs} ms`);
    while (Date.now() < deadline) {
      const ready = await this.current.waitReady(5000).then(
        () => true,
        (error: unknown) => ((last = error), false),
      );
      if (ready) return;
    }
    throw last;
  }

  /** What every process of this instance logged at warn or above, the kill-and-restart noise left out: its last `lines`. */
  warnings(lines: number): string {
    const all = [...this.earlier, this.current?.output() ?? ''].join('\n').split('\n');
    return all.filter((l) => /"level":(40|50|60)/.test(l) && !/ECONNREFUSED|partitioner|ECONNRESET/.test(l)).slice(-lines).map((l) => l.slice(0, 600)).join('\n');
  }
}

export interface Deployment {
  kafka: OwnKafka;
  clickhouse: LocalClickHouse;
  /** The environment every service gets. */
  env: Record<string, string>;
  ingests: Instance[];
  processors: Instance[];
  apis: Instance[];
  all: Instance[];
  /** The service user, database grouppulse: for checks the api does not answer. */
  client: ClickHouseClient;
  kafkaAdmin: ReturnType<Kafka['admin']>;
  /** Every record of the events topic handled and committed by the processors' group. */
  drained(timeoutMs?: number): Promise<void>;
  /** Every service's last warnings and the server's last errors (for a failure message). */
  outputs(): string;
  stop(): Promise<void>;
}

export interface DeploymentOptions {
  processors: number;
  /** Extra environment of one processor (by index): e.g. one that exits on a stall. */
  processorEnv?: Record<number, Record<string, string>>;
}

/**
 * A whole-hour zone where it is 09:xx now, so the board's day cannot change during a run (a live day re-read
 * only hourly, as here, would drop the new day's deltas until then). Etc/GMT names count the other way:
 * Etc/GMT-5 is UTC+5.
 */
export function boardZoneFarFromMidnight(now = new Date()): string {
  const offset = ((9 - now.getUTCHours() + 36) % 24) - 12; // −12 … +11 h
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const [kafka, clickhouse] = await Promise.all([startOwnKafka(), startLocalClickHouse()]);
  const common: Record<string, string> = {
    NODE_OPTIONS: WITHOUT_EMBEDDED_ENGINE,
    KAFKA_BROKERS: kafka.brokers,
    KAFKA_PARTITIONS: String(PARTITIONS),
    // A killed processor's partitions go to the others after 6 s (the broker's minimum), not 30.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    CLICKHOUSE_URL: clickhouse.url,
    // The analysts' user is granted the database grouppulse (deploy/clickhouse/users.d).
    CLICKHOUSE_DATABASE: 'grouppulse',
    PSEUDONYM_KEY: '00112233445566778899aabbccddeeff',
    INGEST_TOKEN: SOURCE_TOKEN,
    DIRECTORY_IMPORT_TOKEN: IMPORT_TOKEN,
    // Tokens signed by one api instance are taken by the other.
    AUTH_JWT_SECRET: 'distributed-tier-jwt-secret-0123456789',
    INGEST_AUTH_FAILURES_PER_MINUTE: '100000',
    INGEST_RATE_LIMIT: '1000000',
    PIPELINE_STALL_SECONDS: '10',
    ALERT_TICK_MS: '1000',
    // Live counts move by deltas only: a resync snapshot would hide a delta that never came.
    LIVE_RESYNC_MS: '3600000',
    LIVE_INTERVAL_MS: '100',
    // With no resync the live day rolls over only hourly: the board's midnight must not fall within the run.
    BOARD_TIME_ZONE: boardZoneFarFromMidnight(),
  };
  const instance = (role: Role, index: number, env: Record<string, string> = {}) =>
    new Instance(`${role}-${index + 1}`, role, { ...common, DATA_DIR: mkdtempSync(path.join(tmpdir(), `grouppulse-${role}-`)), ...env });
  const ingests = [0, 1].map((i) => instance('ingest', i));
  const processors = Array.from({ length: options.processors }, (_, i) => instance('processor', i, options.processorEnv?.[i]));
  const readonlyEnv = { CLICKHOUSE_READONLY_USER: clickhouse.readonlyUser, CLICKHOUSE_READONLY_PASSWORD: clickhouse.readonlyPassword };
  const apis = [0, 1].map((i) => instance('api', i, readonlyEnv));
  const all = [...ingests, ...processors, ...apis];

  const server = serverOf({ CLICKHOUSE_URL: clickhouse.url, CLICKHOUSE_USER: undefined, CLICKHOUSE_PASSWORD: undefined });
  const client = createClient({ ...server, database: 'grouppulse', request_timeout: 30_000 });
  const kafkaAdmin = new Kafka({ clientId: 'distributed-tier', brokers: [kafka.brokers], logLevel: logLevel.NOTHING }).admin();

  const outputs = () =>
    [
      ...all.map((s) => `--- ${s.name} (exits: ${s.exits.join(', ') || 'none'}) ---\n${s.warnings(12)}`),
      `--- ClickHouse server ---\n${clickhouse.errors(20)}`,
    ].join('\n');

  return {
    kafka,
    clickhouse,
    env: common,
    ingests,
    processors,
    apis,
    all,
    client,
    kafkaAdmin,
    outputs,
    async drained(timeoutMs = 120_000) {
      await waitFor(async () => {
        await kafkaAdmin.connect();
        const [ends, [committed]] = await Promise.all([kafkaAdmin.fetchTopicOffsets('events'), kafkaAdmin.fetchOffsets({ groupId: 'processor', topics: ['events'] })]);
        const done = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        return ends.every((end) => Number(end.high) === 0 || done.get(end.partition) === Number(end.high)) ? true : undefined;
      }, 'every record of the events topic committed by the processors', timeoutMs);
    },
    async stop() {
      for (const s of all) s.supervised = false;
      await Promise.all(all.map((s) => (s.current && s.current.process.exitCode === null && s.current.process.signalCode === null ? s.kill('SIGKILL') : undefined)));
      await kafkaAdmin.disconnect().catch(() => undefined);
      await client.close();
      await Promise.all([kafka.remove(), clickhouse.stop()]);
    },
  };
}

/** A one-shot command of the real command line (e.g. `migrate`) without the embedded engine: its exit code and output. */
export async function runCommand(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const child = promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'grouppulse.ts'), ...args], {
    cwd: ROOT,
    env: { ...inheritedEnv(), NODE_OPTIONS: WITHOUT_EMBEDDED_ENGINE, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return child.then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
}
