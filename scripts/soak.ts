/**
 * Soak: load plus random faults for a bounded time, then an exact reconciliation of what
 * ingest acknowledged against what ClickHouse holds.
 *
 *   npm run soak -- --minutes 3 --rate 400 [--record docs/soak-results.md]
 *
 * Runs its own Kafka broker (scripts/kafka-local on free ports), an ingest process and a
 * processor+api process (embedded ClickHouse), all on 127.0.0.1. Faults, at random every
 * 10–25 s: SIGKILL of the processor, SIGKILL of ingest, broker stop + start.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { freePort, spawnService, type ChildService } from '../test/support/child-service.ts';
import { expectedOf, fetchSummary, makeEvents, totalEvents } from '../test/support/events.ts';
import { sendReliably } from '../test/support/reliable-sender.ts';
import { waitFor } from '../test/support/wait.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const program = new Command('soak')
  .option('--minutes <n>', 'how long to send load', '3')
  .option('--rate <n>', 'events per second to aim for', '400')
  .option('--record <file>', 'write the result as markdown to this file')
  .parse();
const options = program.opts<{ minutes: string; rate: string; record?: string }>();
const minutes = Number(options.minutes);
const rate = Number(options.rate);
if (!(minutes > 0 && minutes <= 60) || !(rate > 0 && rate <= 20_000)) {
  console.error('soak: --minutes must be in (0, 60] and --rate in (0, 20000]');
  process.exit(2);
}

const work = mkdtempSync(path.join(tmpdir(), 'grouppulse-soak-'));
const kafkaEnv = { ...process.env, KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: path.join(work, 'kafka') };
const kafkaLocal = (command: string) => execFileSync(path.join(ROOT, 'scripts', 'kafka-local'), [command], { env: kafkaEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const log = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

const brokers = /KAFKA_BROKERS=(\S+)/.exec(kafkaLocal('start'))![1]!;
const token = 'soak-token';
const env = { KAFKA_BROKERS: brokers, DATA_DIR: path.join(work, 'data'), INGEST_TOKEN: token, PSEUDONYM_KEY: '00112233445566778899aabbccddeeff', LOG_LEVEL: 'error' };
async function start(roles: string): Promise<ChildService> {
  const service = await spawnService(['start', '--roles', roles], env);
  await service.waitReady(120_000);
  return service;
}
let ingest = await start('ingest');
let back = await start('processor,api');
log(`broker ${brokers}, ingest ${ingest.url}, processor+api ${back.url}; load ${rate}/s for ${minutes} min`);

const batchSize = 100;
const total = Math.round(rate * minutes * 60 / batchSize) * batchSize;
const events = makeEvents(total, `soak${Date.now().toString(36)}`, 500);
let sent = 0;
const sending = sendReliably(events, { url: () => ingest.url, token, batchSize, pauseMs: Math.max(0, (1000 * batchSize) / rate - 5), batchDeadlineMs: 300_000, onProgress: (n) => (sent = n) });
let sendingDone = false;
void sending.finally(() => (sendingDone = true));

const faults: string[] = [];
const progress = setInterval(() => log(`sent ${sent}/${total}`), 10_000);
while (!sendingDone) {
  const pause = 10_000 + Math.random() * 15_000;
  await Promise.race([new Promise((resolve) => setTimeout(resolve, pause)), sending.catch(() => undefined)]);
  if (sendingDone) break;
  const fault = (['kill processor', 'kill ingest', 'restart broker'] as const)[Math.floor(Math.random() * 3)]!;
  const started = Date.now();
  if (fault === 'kill processor') {
    await back.kill('SIGKILL');
    back = await start('processor,api');
  } else if (fault === 'kill ingest') {
    await ingest.kill('SIGKILL');
    ingest = await start('ingest');
  } else {
    kafkaLocal('stop');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    kafkaLocal('start');
  }
  faults.push(`${fault} at ${sent} sent (recovered in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  log(faults[faults.length - 1]!);
}
clearInterval(progress);
const stats = await sending;
log(`sending done: ${stats.acknowledged} acknowledged, ${stats.retries} retries (${stats.unavailable} × 503)`);

const expected = expectedOf(events);
let stored = 0;
await waitFor(async () => {
  stored = totalEvents(await fetchSummary(back.url, '2026-11-22', true));
  return stored >= stats.acknowledged ? true : undefined;
}, 'ClickHouse to hold every acknowledged event', 300_000).catch(() => undefined);
const raw = (await fetchSummary(back.url, '2026-11-22', true)).rows[0];
const rollup = (await fetchSummary(back.url)).rows[0];
const exact = [raw, rollup].every((r) => r && r.messages === expected.messages && r.joins === expected.joins && r.leaves === expected.leaves && r.activeGroups === expected.groups.size);

const lines = [
  `# Soak result`,
  '',
  `- date: ${new Date().toISOString()}`,
  `- machine: ${process.platform} ${process.arch}, ${(await import('node:os')).cpus().length} cores, Node ${process.version}`,
  `- command: \`npm run soak -- --minutes ${minutes} --rate ${rate}\``,
  `- events sent: ${total}; acknowledged: ${stats.acknowledged}; retries: ${stats.retries} (${stats.unavailable} answered 503)`,
  `- faults (${faults.length}):`,
  ...faults.map((f) => `  - ${f}`),
  `- expected: ${expected.messages} messages, ${expected.joins} joins, ${expected.leaves} leaves, ${expected.groups.size} active groups`,
  `- stored (raw events): ${raw ? `${raw.messages} messages, ${raw.joins} joins, ${raw.leaves} leaves, ${raw.activeGroups} active groups` : 'nothing'}`,
  `- stored (per-minute rollup): ${rollup ? `${rollup.messages} messages, ${rollup.joins} joins, ${rollup.leaves} leaves, ${rollup.activeGroups} active groups` : 'nothing'}`,
  `- reconciliation: **${exact ? 'EXACT' : 'MISMATCH'}**`,
  '',
];
console.log(lines.join('\n'));
if (options.record) writeFileSync(options.record, lines.join('\n'));

await Promise.all([ingest.kill('SIGTERM'), back.kill('SIGTERM')]);
kafkaLocal('stop');
process.exit(exact ? 0 : 1);
