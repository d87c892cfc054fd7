/**
 * A ClickHouse server of a test's own from scripts/clickhouse-local: free ports, a fresh data directory
 * under the OS temp dir, the project's users (deploy/clickhouse/). For the global setup (the server tier's
 * server when neither CLICKHOUSE_URL nor Docker gives one) and for tests that restart their server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './child-service.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'clickhouse-local');
const run = promisify(execFile);

/** Every database a test deployment creates on a server is named so (test/support/store.ts). */
export const TEST_DATABASE_PREFIX = 'grouppulse_t';
export const TEST_SERVICE_PASSWORD = 'test-service-password';
export const TEST_READONLY_PASSWORD = 'test-readonly-password';

export interface LocalClickHouse {
  /** The service user's URL. */
  url: string;
  readonlyUser: string;
  readonlyPassword: string;
  /** Stop and start again on the same data dir and ports (what a server restart does to loaded views, caches). */
  restart(): Promise<void>;
  /** Start again (after a kill) on the same data dir and ports; a no-op while it runs. */
  start(): Promise<void>;
  /** Send the server process a signal: SIGKILL (then `start`), SIGSTOP and SIGCONT. */
  signal(signal: NodeJS.Signals): void;
  /** The last `lines` lines of its log at level Error (for a failure message). */
  errors(lines: number): string;
  /** Stop and delete the data dir. */
  stop(): Promise<void>;
}

export async function startLocalClickHouse(): Promise<LocalClickHouse> {
  const base = mkdtempSync(path.join(tmpdir(), 'grouppulse-clickhouse-'));
  const env = {
    ...process.env,
    CLICKHOUSE_DATA_DIR: path.join(base, 'data'),
    CLICKHOUSE_RUN_DIR: path.join(base, 'run'),
    CLICKHOUSE_HTTP_PORT: String(await freePort()),
    CLICKHOUSE_TCP_PORT: String(await freePort()),
    CLICKHOUSE_PASSWORD: TEST_SERVICE_PASSWORD,
    CLICKHOUSE_READONLY_PASSWORD: TEST_READONLY_PASSWORD,
  };
  const script = async (verb: string): Promise<string> => {
    try {
      return (await run(SCRIPT, [verb], { cwd: ROOT, env, encoding: 'utf8' })).stdout;
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`scripts/clickhouse-local ${verb} failed:\n${stderr ?? (error as Error).message}`);
    }
  };
  const pidFile = path.join(env.CLICKHOUSE_RUN_DIR, 'clickhouse.pid');
  const output = await script('start');
  const values = Object.fromEntries(output.split('\n').map((line) => /^(\w+)=(.*)$/.exec(line)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]));
  if (!values.CLICKHOUSE_URL || !values.CLICKHOUSE_READONLY_USER) throw new Error(`scripts/clickhouse-local start did not print CLICKHOUSE_URL=…; it printed:\n${output}`);
  return {
    url: values.CLICKHOUSE_URL,
    readonlyUser: values.CLICKHOUSE_READONLY_USER,
    readonlyPassword: values.CLICKHOUSE_READONLY_PASSWORD ?? '',
    async restart() {
      await script('restart');
    },
    async start() {
      await script('start');
    },
    signal(signal) {
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), signal);
    },
    errors(lines) {
      const log = readFileSync(path.join(env.CLICKHOUSE_RUN_DIR, 'clickhouse.log'), 'utf8').split('\n');
      return log.filter((l) => l.includes('<Error>')).slice(-lines).map((l) => l.slice(0, 600)).join('\n');
    },
    async stop() {
      await script('stop');
      rmSync(base, { recursive: true, force: true });
    },
  };
}
