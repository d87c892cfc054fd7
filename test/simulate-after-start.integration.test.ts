/**
 * `npm start`, then `npm run simulate`, as README documents them: the real CLI (`grouppulse start`, embedded
 * default, a fresh DATA_DIR) and the simulator command as written, sharing the directory's settings. The
 * simulator finds both tokens `npm start` kept in DATA_DIR, says where it got them, and what it sent is
 * counted. Without a token, or with one the server does not know, it says what to do.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLAYED_AGO_MS } from '../simulator/stream.ts';
import { signIn } from './support/auth.ts';
import { spawnService, type ChildService } from './support/child-service.ts';
import { waitFor } from './support/wait.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const HOUR = 3_600_000;

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

describe('npm run simulate after npm start', () => {
  let service: ChildService;
  let dataDir: string;
  /** The settings both terminals share: the same directory (and .env) gives the same DATA_DIR and PORT. */
  let shared: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'grouppulse-simulate-'));
    // Nothing configured: `npm start` generates the tokens, as on a first run.
    const nothingSet = { KAFKA_BROKERS: '', CLICKHOUSE_URL: '', INGEST_TOKEN: '', DIRECTORY_IMPORT_TOKEN: '' };
    service = await spawnService(['start'], { ...nothingSet, DATA_DIR: dataDir });
    await service.waitReady();
    shared = { ...nothingSet, DATA_DIR: dataDir, PORT: new URL(service.url).port };
  }, 120_000);
  afterAll(async () => {
    await service?.kill('SIGTERM');
  });

  /** `npm run simulate -- <args>` in the repository, with `env` over this process's environment. */
  async function simulate(args: string[], env: Record<string, string>): Promise<Finished> {
    try {
      const { stdout, stderr } = await run('npm', ['run', 'simulate', '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  it('takes the tokens npm start kept, says where from, and what it sent is counted', async () => {
    const finished = await simulate(['--duration', '5', '--central', '2000', '--json'], shared);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).toContain(`ingest token from ${path.join(dataDir, 'ingest.token')} (kept by npm start)`);
    expect(finished.stderr).toContain(`directory import token from ${path.join(dataDir, 'directory-import.token')} (kept by npm start)`);
    const summary = JSON.parse(finished.stdout.slice(finished.stdout.indexOf('\n{'))) as { sent: { messages: number; cascades: number }; server: { failedRequests: number; rejected: number } };
    expect(summary.sent.messages).toBeGreaterThan(0);
    expect(summary.sent.cascades).toBeGreaterThan(0);
    expect(summary.server).toMatchObject({ failedRequests: 0, rejected: 0 });

    const { token } = await signIn(service.url);
    // A sped-up run stamps its central messages' copies as they travelled, from REPLAYED_AGO_MS ago.
    const from = new Date(Date.now() - REPLAYED_AGO_MS - HOUR).toISOString();
    const to = new Date(Date.now() + HOUR).toISOString();
    const counted = await waitFor(async () => {
      const response = await fetch(`${service.url}/api/v1/summary?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as { rows: { messages: number }[] };
      const messages = body.rows.reduce((sum, row) => sum + row.messages, 0);
      return messages === summary.sent.messages ? messages : undefined;
    }, `the ${summary.sent.messages} simulated messages counted`, 60_000);
    expect(counted).toBe(summary.sent.messages);
  }, 180_000);

  it('without a token anywhere, says where npm start would keep it', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'grouppulse-simulate-empty-'));
    const finished = await simulate(['--duration', '1'], { ...shared, DATA_DIR: empty });
    expect(finished.code).toBe(1);
    expect(finished.stderr).toContain(`simulate: no ingest token: pass --token, set INGEST_TOKEN, or start the server with \`npm start\` first with the same DATA_DIR (it keeps one in ${path.join(empty, 'ingest.token')})`);
  }, 120_000);

  it('with tokens of another DATA_DIR, says the server refused them and why that may be', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'grouppulse-simulate-other-'));
    mkdirSync(other, { recursive: true });
    writeFileSync(path.join(other, 'ingest.token'), 'a-token-of-another-data-dir-000000\n');
    writeFileSync(path.join(other, 'directory-import.token'), 'an-import-token-of-another-data-dir\n');
    const finished = await simulate(['--duration', '1'], { ...shared, DATA_DIR: other });
    expect(finished.code).toBe(1);
    expect(finished.stderr).toContain(`simulate: the server refused the directory import token from ${path.join(other, 'directory-import.token')} (kept by npm start) (401). Is it running with the same DATA_DIR (${other})`);
    const eventsOnly = await simulate(['--duration', '1', '--no-import'], { ...shared, DATA_DIR: other });
    expect(eventsOnly.code).toBe(1);
    expect(eventsOnly.stderr).toContain(`simulate: the server refused the ingest token from ${path.join(other, 'ingest.token')} (kept by npm start) (401).`);
  }, 120_000);
});
