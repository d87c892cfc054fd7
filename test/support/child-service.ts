/**
 * A GroupPulse service in a child process (the real CLI), for tests that kill it with
 * SIGKILL or SIGTERM. Output is kept for the failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { TEST_ADMIN_PASSWORD } from './auth.ts';
import { waitFor } from './wait.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ChildService {
  url: string;
  process: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  waitReady(timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** This process's environment without the ClickHouse server it may name: a child gets the store its test gives it. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CLICKHOUSE_')));
}

export async function spawnService(args: string[], env: Record<string, string>): Promise<ChildService> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'grouppulse.ts'), ...args], {
    cwd: ROOT,
    env: { ...inheritedEnv(), LOG_LEVEL: 'warn', ADMIN_PASSWORD: TEST_ADMIN_PASSWORD, AUTH_SIGNIN_MAX_ATTEMPTS: '10000', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    process: child,
    output: () => output,
    exited,
    async waitReady(timeoutMs = 60_000) {
      let gone = false;
      let lastAnswer = 'none';
      void exited.then(() => (gone = true));
      await waitFor(async () => {
        if (gone) throw new Error(`service exited before it was ready:\n${output}`);
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        if (response && response.status !== 200) lastAnswer = `${response.status} ${await response.text().catch(() => '')}`;
        return response?.status === 200 ? true : undefined;
      }, `${args.join(' ')} ready`, timeoutMs).catch((error: Error) => {
        throw new Error(`${error.message}\n--- last /readyz: ${lastAnswer}\n--- output ---\n${output.slice(-3000)}`);
      });
    },
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
