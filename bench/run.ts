/**
 * npm run bench -- [scenario …] [--quick] [--scale n] [--events n] [--seconds n] [--replayed-only] [--shared-broker] [--markdown file]
 *
 * Runs the named scenarios (all when none is named), each in its own process (the embedded engine
 * binds one data dir per process, and memory figures need a clean process), against a Kafka broker
 * of its own started with scripts/kafka-local on free ports (or KAFKA_BROKERS / the shared local
 * broker with --shared-broker), and prints every figure beside its limit measured in the same run.
 * --markdown writes the results with the machine and the command, ready for BENCHMARKS.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { freePort } from '../test/support/child-service.ts';
import { ROOT } from './support/harness.ts';
import { markdownOf, RESULT_MARKER, type ScenarioResult } from './support/report.ts';

const SCENARIOS: Record<string, string[]> = {
  ingest: ['bench/ingest.ts'],
  processor: ['bench/processor.ts'],
  e2e: ['bench/e2e.ts'],
  directory: ['bench/directory-processor.ts', 'bench/directory-import.ts'],
  queries: ['bench/queries.ts'],
  reach: ['bench/reach.ts'],
  scaleout: ['bench/scaleout.ts'],
  'scaleout-server': ['bench/scaleout-server.ts'],
  board: ['bench/board-ui.ts'],
};

const program = new Command('bench')
  .argument('[scenarios...]', `any of ${Object.keys(SCENARIOS).join(', ')} (default: all)`)
  .option('--quick', 'small sizes: checks that everything works, figures are only indicative')
  .option('--scale <n>', 'scale factor on the default sizes')
  .option('--events <n>', 'events per scenario (where it has such a count)')
  .option('--seconds <n>', 'duration of the latency run')
  .option('--replayed-only', 'board: only the replayed minute (the page alone on the box), not the live windows')
  .option('--shared-broker', 'use KAFKA_BROKERS or the shared local broker instead of a broker of its own')
  .option('--markdown <file>', 'write the results as markdown to this file')
  .parse();
const options = program.opts<{ quick?: boolean; replayedOnly?: boolean; scale?: string; events?: string; seconds?: string; sharedBroker?: boolean; markdown?: string }>();
const names = program.args.length > 0 ? program.args : Object.keys(SCENARIOS);
const unknown = names.filter((n) => !SCENARIOS[n]);
if (unknown.length > 0) {
  console.error(`bench: unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const passOn = [
  ...(options.quick ? ['--quick'] : []),
  ...(options.scale ? ['--scale', options.scale] : []),
  ...(options.events ? ['--events', options.events] : []),
  ...(options.seconds ? ['--seconds', options.seconds] : []),
  ...(options.replayedOnly ? ['--replayed-only'] : []),
];

function machine(): Record<string, string> {
  const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return {
    cpus: `${os.availableParallelism()} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memory: `${gib(os.totalmem())} total, ${gib(os.freemem())} free at start`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    'load average at start (1/5/15 min)': os.loadavg().map((l) => l.toFixed(1)).join(' / '),
  };
}

/** A broker of our own on free ports; stopped (by its own data dir) when the run ends. */
async function startOwnBroker(): Promise<{ brokers: string; stop: () => void }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'grouppulse-bench-kafka-'));
  const env = { ...process.env, KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: path.join(work, 'data') };
  const run = (command: string) => execFileSync(path.join(ROOT, 'scripts', 'kafka-local'), [command], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const brokers = /KAFKA_BROKERS=(\S+)/.exec(run('start'))?.[1];
  if (!brokers) throw new Error('scripts/kafka-local start did not print KAFKA_BROKERS=…');
  return {
    brokers,
    stop() {
      try {
        run('stop');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

function runScenario(file: string, env: NodeJS.ProcessEnv): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    console.log(`\n=== ${file} ${passOn.join(' ')}`);
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, file), ...passOn], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let result: ScenarioResult | undefined;
    let pending = '';
    child.stdout.on('data', (part: Buffer) => {
      pending += part.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith(RESULT_MARKER)) result = JSON.parse(line.slice(RESULT_MARKER.length)) as ScenarioResult;
        else console.log(line);
      }
    });
    child.once('exit', (code) => {
      if (result) {
        if (code !== 0) result.notes.push(`the scenario exited with code ${code}: a check failed (see above)`);
        resolve(result);
      } else reject(new Error(`${file} exited with code ${code} without a result`));
    });
  });
}

const startedAt = new Date();
const machineInfo = machine();
const broker = options.sharedBroker || process.env.KAFKA_BROKERS ? undefined : await startOwnBroker();
const env = { ...process.env, ...(broker ? { KAFKA_BROKERS: broker.brokers } : {}) };
const results: ScenarioResult[] = [];
const failures: string[] = [];
try {
  for (const name of names) {
    for (const file of SCENARIOS[name]!) {
      try {
        results.push(await runScenario(file, env));
      } catch (error) {
        failures.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
        console.error(`bench: ${file} failed: ${(error as Error).message}`);
      }
    }
  }
} finally {
  broker?.stop();
}

const command = `npm run bench -- ${[...program.args, ...process.argv.slice(2).filter((a) => a.startsWith('--'))].join(' ')}`.trim();
const markdown = [
  `## Run of ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  '',
  `Command: \`${command}\` (${Math.round((Date.now() - startedAt.getTime()) / 60_000)} min; Kafka: ${broker ? 'a broker of its own, scripts/kafka-local on free ports' : env.KAFKA_BROKERS ?? 'shared'})`,
  '',
  ...Object.entries({ ...machineInfo, 'load average at end (1/5/15 min)': os.loadavg().map((l) => l.toFixed(1)).join(' / ') }).map(([k, v]) => `- ${k}: ${v}`),
  '',
  ...results.map((r) => `${markdownOf(r)}\n`),
  ...(failures.length > 0 ? ['### Failed', '', ...failures.map((f) => `- ${f}`)] : []),
].join('\n');
console.log(`\n${markdown}`);
if (options.markdown) {
  writeFileSync(options.markdown, `${markdown}\n`);
  console.log(`bench: results written to ${options.markdown}`);
}
process.exit(failures.length > 0 ? 1 : 0);
