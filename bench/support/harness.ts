/**
 * What every benchmark scenario needs: the real Kafka broker (scripts/kafka-local), a config for
 * services under a topic prefix of their own, a temp data dir (one per process: the embedded
 * engine binds one), bounded polling, and the command-line options shared by every scenario.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../common/config.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BENCH_TOKEN = 'bench-source-token';
export const BENCH_ADMIN_PASSWORD = 'bench-admin-password';

/** KAFKA_BROKERS when set, else the local broker (started if needed; idempotent). */
export function kafkaBrokers(): string {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS;
  const output = execFileSync(path.join(ROOT, 'scripts', 'kafka-local'), ['start'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const match = /KAFKA_BROKERS=(\S+)/.exec(output);
  if (!match) throw new Error(`scripts/kafka-local start did not print KAFKA_BROKERS=…; it printed:\n${output}`);
  process.env.KAFKA_BROKERS = match[1]!;
  return match[1]!;
}

export function uniquePrefix(scenario: string): string {
  return `bench.${scenario}.${randomBytes(3).toString('hex')}.`;
}

/** A temp directory removed when the process exits (benchmarks leave nothing behind). */
export function tempDir(scenario: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `grouppulse-bench-${scenario}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Service config for a benchmark: real broker, own prefix and data dir, quiet logs, no ingest rate limit. */
export function benchConfig(options: { prefix: string; dataDir: string; env?: Record<string, string> }): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    // BENCH_BUS=local: the scenario's services on the local log (the embedded default) instead of Kafka.
    KAFKA_BROKERS: process.env.BENCH_BUS === 'local' ? '' : kafkaBrokers(),
    KAFKA_TOPIC_PREFIX: options.prefix,
    CLICKHOUSE_URL: process.env.CLICKHOUSE_URL ?? '',
    INGEST_TOKEN: BENCH_TOKEN,
    PSEUDONYM_KEY: '00112233445566778899aabbccddeeff',
    ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    // The benchmark is one source sending as fast as the box allows: the per-source limit is not what is measured.
    INGEST_RATE_LIMIT: '1000000000',
    // Passed through so runs can be compared: the engine's memory release off (0), fewer or more partitions, larger fetches.
    ...(process.env.STORE_RELEASE_MEMORY_MS ? { STORE_RELEASE_MEMORY_MS: process.env.STORE_RELEASE_MEMORY_MS } : {}),
    ...(process.env.KAFKA_PARTITIONS ? { KAFKA_PARTITIONS: process.env.KAFKA_PARTITIONS } : {}),
    ...(process.env.KAFKA_FETCH_BYTES_PER_PARTITION ? { KAFKA_FETCH_BYTES_PER_PARTITION: process.env.KAFKA_FETCH_BYTES_PER_PARTITION } : {}),
    ...options.env,
  });
}

/** Poll `check` every `everyMs` until it returns a value, or throw after `timeoutMs` naming `what`. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options every scenario takes; run.ts passes them through. */
export interface ScenarioOptions {
  quick: boolean;
  /** Scale factor on the default sizes (1 = full, smaller for a quick look). */
  scale: number;
  /** Override of the main event count where a scenario has one. */
  events?: number;
  /** Override of the main duration (seconds) where a scenario has one. */
  seconds?: number;
  /** Board: measure the replayed minute only, not the live windows. */
  replayedOnly: boolean;
}

/** Parse `--quick`, `--scale n`, `--events n`, `--seconds n` from argv (the scenario files run as their own processes). */
export function scenarioOptions(argv: string[] = process.argv.slice(2)): ScenarioOptions {
  const value = (name: string): number | undefined => {
    const at = argv.indexOf(`--${name}`);
    if (at < 0) return undefined;
    const n = Number(argv[at + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got "${argv[at + 1] ?? ''}"`);
    return n;
  };
  const quick = argv.includes('--quick');
  return { quick, scale: value('scale') ?? (quick ? 0.1 : 1), events: value('events'), seconds: value('seconds'), replayedOnly: argv.includes('--replayed-only') };
}

/** `full × scale`, at least `min`, rounded to a multiple of `step`. */
export function scaled(full: number, options: ScenarioOptions, min: number, step = 1): number {
  return Math.max(min, Math.round((full * options.scale) / step) * step);
}
