/**
 * Scenario "scaleout": one, two and three processor instances on a topic of 6 partitions, each
 * count in its own child process (own data dir, own topic prefix). In the child, the instances are
 * processor-only services (runtime/services.ts) in one process, sharing the embedded engine through
 * the same DATA_DIR and the same consumer group (as test/pipeline.integration.test.ts restarts do).
 * N records are produced first; all instances start together and the clock runs from the moment the
 * consumer group is stable with every instance in it to the last row written. Checks that
 * the counts are exact (raw rows, distinct ids, rollup sums) and shows each instance's share.
 * Baseline: one instance, same run.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '../common/logger.ts';
import { TOPICS, topicName } from '../common/topics.ts';
import { startServices, type RunningServices } from '../runtime/services.ts';
import { benchConfig, kafkaBrokers, pollUntil, ROOT, scaled, scenarioOptions, tempDir, uniquePrefix } from './support/harness.ts';
import { bareKafka, busRecords, chunk, createTopic, makeIncoming, produceAll } from './support/load.ts';
import { report, type Figure } from './support/report.ts';
import { scalar, writtenByProcessor } from './support/store.ts';

const PHASE_MARKER = 'PHASE_RESULT ';
const PARTITIONS = 6;
const argv = process.argv.slice(2);
const instancesArg = argv.includes('--instances') ? Number(argv[argv.indexOf('--instances') + 1]) : undefined;
const options = scenarioOptions(argv.filter((a, i) => a !== '--instances' && argv[i - 1] !== '--instances'));
const total = options.events ?? scaled(300_000, options, 20_000, 1000);

interface Phase {
  instances: number;
  ms: number;
  /** Records written after the clock started (the rest went while instances joined). */
  timed: number;
  shares: number[];
  stored: number;
  distinct: number;
  rollup: number;
}

async function runInstances(instances: number): Promise<Phase> {
  const prefix = uniquePrefix(`scaleout${instances}`);
  const config = benchConfig({ prefix, dataDir: tempDir('scaleout'), env: { KAFKA_PARTITIONS: String(PARTITIONS) } });
  const kafka = bareKafka(kafkaBrokers(), 'bench-scaleout');
  const eventsTopic = topicName(prefix, TOPICS.events);
  await createTopic(kafka, eventsTopic, PARTITIONS);
  const now = Date.now();
  await produceAll(kafka, eventsTopic, chunk(busRecords(makeIncoming(total, `so${instances}${now.toString(36)}`, 100_000, now), now), 1000), 8);

  const services: RunningServices[] = [];
  const written = async () => (await Promise.all(services.map((s) => writtenByProcessor(s.metrics)))).reduce((a, b) => a + b, 0);
  // All instances start together; the clock starts once the group is stable with every instance in it
  // (what the first instance wrote while the others joined is left out of the rate).
  services.push(...(await Promise.all(Array.from({ length: instances }, () => startServices(config, { ingest: false, processor: true, api: false }, createLogger(config.LOG_LEVEL))))));
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${prefix}processor`;
  await pollUntil(`${instances} instance(s) in a stable group`, async () => {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    return group?.state === 'Stable' && group.members.length === instances ? true : undefined;
  }, 120_000, 10);
  await admin.disconnect();
  const startedAt = performance.now();
  const writtenAtStart = await written();
  const doneAt = await pollUntil('every record written', async () => ((await written()) >= total ? performance.now() : undefined), 900_000, 10);
  const shares = await Promise.all(services.map((s) => writtenByProcessor(s.metrics)));
  const client = services[0]!.store!.client;
  // Let the instances settle (a batch written twice would show here), then count.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const stored = await scalar(client, 'SELECT count() FROM events');
  const distinct = await scalar(client, 'SELECT uniqExact(event_id) FROM events');
  const rollup = await scalar(client, 'SELECT sum(messages) + sum(joins) + sum(leaves) FROM rollup_minute');
  for (const s of services.reverse()) await s.stop();
  return { instances, ms: doneAt - startedAt, timed: total - writtenAtStart, shares: shares.map((n) => n / total), stored, distinct, rollup };
}

function runChild(instances: number): Promise<Phase> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'scaleout.ts'), '--instances', String(instances), ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (part: Buffer) => (output += part.toString()));
    child.once('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith(PHASE_MARKER));
      if (code !== 0 || !line) reject(new Error(`scale-out with ${instances} instance(s) exited ${code}:\n${output.slice(-2000)}`));
      else resolve(JSON.parse(line.slice(PHASE_MARKER.length)) as Phase);
    });
  });
}

if (instancesArg !== undefined) {
  console.log(`${PHASE_MARKER}${JSON.stringify(await runInstances(instancesArg))}`);
  process.exit(0);
}

const phases: Phase[] = [];
for (const instances of [1, 2, 3]) phases.push(await runChild(instances));
const rate = (p: Phase) => (p.timed * 1000) / p.ms;
const one = rate(phases[0]!);
// Messages + joins + leaves: every record makeIncoming makes is counted once in the rollup.
const exact = (p: Phase) => p.stored === total && p.distinct === total && p.rollup === total;
const figures: Figure[] = phases.map((p) => ({
  name: `${p.instances} processor instance${p.instances > 1 ? 's' : ''}`,
  value: rate(p),
  unit: 'events/s',
  better: 'higher',
  limit: p.instances > 1 ? { name: '1 instance, same run', value: one } : undefined,
  note: p.shares.map((s) => `${Math.round(s * 100)}%`).join(' / '),
}));
report({
  scenario: 'scale-out: processor instances sharing a 6-partition topic',
  setup: { records: total, partitions: PARTITIONS, 'instances per run': '1, 2, 3 (one process, one embedded engine)' },
  figures,
  notes: [
    ...phases.map((p) => `${p.instances} instance(s): timed ${p.timed} of ${total} records; share of rows written ${p.shares.map((s) => `${Math.round(s * 100)}%`).join(' / ')}; events ${p.stored}, distinct ids ${p.distinct}, rollup sum ${p.rollup} — ${exact(p) ? 'exact' : `NOT exact (N = ${total})`}`),
    'the instances share one Node process (one event loop) and one embedded ClickHouse engine, as the embedded engine binds one data dir per process: this measures how the work spreads over partitions and inserts in flight, not more CPU; with a ClickHouse server each instance would be its own process',
  ],
});
if (!phases.every(exact)) process.exitCode = 1;
process.exit();
