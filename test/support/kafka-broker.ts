/**
 * A Kafka broker of a test's own from scripts/kafka-local: free ports, a fresh data dir under the OS temp
 * dir. For tests that stop or restart their broker (the shared one of the global setup must stay up).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './child-service.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

export interface OwnKafka {
  brokers: string;
  /** Stop the broker (SIGTERM, as `scripts/kafka-local stop`), keeping its data dir. */
  stop(): Promise<void>;
  /** Start it again on the same ports and data dir. */
  start(): Promise<void>;
  /** Stop and delete the data dir. */
  remove(): Promise<void>;
}

export async function startOwnKafka(): Promise<OwnKafka> {
  const base = mkdtempSync(path.join(tmpdir(), 'grouppulse-broker-'));
  const env = { ...process.env, KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: path.join(base, 'data') };
  const script = async (verb: string): Promise<string> => {
    try {
      return (await run(path.join(ROOT, 'scripts', 'kafka-local'), [verb], { cwd: ROOT, env, encoding: 'utf8' })).stdout;
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`scripts/kafka-local ${verb} failed:\n${stderr ?? (error as Error).message}`);
    }
  };
  const brokers = /KAFKA_BROKERS=(\S+)/.exec(await script('start'))?.[1];
  if (!brokers) throw new Error('scripts/kafka-local start did not print KAFKA_BROKERS=…');
  return {
    brokers,
    stop: async () => void (await script('stop')),
    start: async () => void (await script('start')),
    async remove() {
      await script('stop');
      rmSync(base, { recursive: true, force: true });
    },
  };
}
