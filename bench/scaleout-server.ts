/**
 * Scenario "scaleout-server": the distributed mode scaled out, each instance its own OS process of the real
 * command line (`grouppulse processor|ingest`), on a ClickHouse server of the run's own (scripts/clickhouse-local)
 * and the run's Kafka broker.
 *  - processors: 1, 2 or 3 processor processes start together on a 6-partition topic and a database of their
 *    own (migrated beforehand by `grouppulse migrate`); once the consumer group is stable with every process in
 *    it they are paused (SIGSTOP), N records are produced, and the clock runs from their SIGCONT to the last row
 *    written: the backlog drained by all of them. Exact counts after.
 *  - ingest: the same events through 1 or 2 ingest processes (requests spread over them, the same requests in
 *    flight); the events topic must hold every accepted event.
 * Each figure beside the single-instance figure of the same run. The machine's cores are shared by every
 * process, the server and the broker: the figures show what more processes buy on this box, not more CPU.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@clickhouse/client';
import { serverOf } from '../common/store/store.ts';
import { TOPICS, topicName } from '../common/topics.ts';
import { inheritedEnv, spawnService, type ChildService } from '../test/support/child-service.ts';
import { startLocalClickHouse } from '../test/support/clickhouse-server.ts';
import { metric } from '../test/support/metrics-text.ts';
import { BENCH_TOKEN, kafkaBrokers, pollUntil, ROOT, scaled, scenarioOptions, uniquePrefix } from './support/harness.ts';
import { bareKafka, busRecords, chunk, createTopic, heldOnTopic, jsonBodies, makeIncoming, postAll, produceAll } from './support/load.ts';
import { report, type Figure } from './support/report.ts';
import { scalar } from './support/store.ts';

const PARTITIONS = 6;
const options = scenarioOptions();
const total = options.events ?? scaled(150_000, options, 15_000, 1000);
const ingestTotal = scaled(100_000, options, 10_000, 1000);
const batchSize = 500;
const inFlight = 8;
const brokers = kafkaBrokers();
const kafka = bareKafka(brokers, 'bench-scaleout-server');
const server = await startLocalClickHouse();

/** The environment of every service process: a topic prefix and database of the phase's own. */
function serviceEnv(prefix: string, database: string): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: String(PARTITIONS),
    CLICKHOUSE_URL: server.url,
    CLICKHOUSE_DATABASE: database,
    INGEST_TOKEN: BENCH_TOKEN,
    PSEUDONYM_KEY: '00112233445566778899aabbccddeeff',
    INGEST_RATE_LIMIT: '1000000000',
    // Room for the pause while the backlog is produced, without the group dropping a paused process.
    KAFKA_SESSION_TIMEOUT_MS: '120000',
    LOG_LEVEL: 'error',
  };
}

/** `grouppulse migrate` on the phase's database: no process of the phase spends its time migrating. */
async function migrateDatabase(env: Record<string, string>): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'grouppulse.ts'), 'migrate'], { cwd: ROOT, env: { ...inheritedEnv(), ...env } });
}

async function startAll(role: 'processor' | 'ingest', count: number, env: Record<string, string>): Promise<ChildService[]> {
  const children = await Promise.all(Array.from({ length: count }, () => spawnService([role], env)));
  await Promise.all(children.map((c) => c.waitReady(120_000)));
  return children;
}

async function stopAll(children: ChildService[]): Promise<void> {
  await Promise.all(children.map((c) => c.kill('SIGTERM')));
}

interface ProcessorPhase {
  processes: number;
  ms: number;
  shares: number[];
  stored: number;
  distinct: number;
  rollup: number;
}

async function processorPhase(processes: number): Promise<ProcessorPhase> {
  const prefix = uniquePrefix(`scaleout-server${processes}`);
  // The service user's grants cover databases named grouppulse* (deploy/clickhouse/users.d/grouppulse.xml).
  const database = `grouppulse_bench_scaleout_${processes}_${Date.now().toString(36)}`;
  const env = serviceEnv(prefix, database);
  await migrateDatabase(env);
  const eventsTopic = topicName(prefix, TOPICS.events);
  await createTopic(kafka, eventsTopic, PARTITIONS);
  const now = Date.now();
  const records = chunk(busRecords(makeIncoming(total, `sos${processes}${now.toString(36)}`, 100_000, now), now), 1000);

  // Every process in the group before the first record (else the first to join drains the topic alone), and
  // then paused (SIGSTOP) while the backlog is produced, so the figure is the processors' and not the producer's.
  const children = await startAll('processor', processes, env);
  const written = async () => (await Promise.all(children.map((c) => metric(c.url, 'processor_records_total', 'outcome="written"')))).reduce((a, b) => a + b, 0);
  const admin = kafka.admin();
  await admin.connect();
  await pollUntil(`${processes} processor process(es) in a stable group`, async () => {
    const group = (await admin.describeGroups([`${prefix}processor`])).groups[0];
    return group?.state === 'Stable' && group.members.length === processes ? true : undefined;
  }, 120_000, 20);
  await admin.disconnect();
  for (const c of children) c.process.kill('SIGSTOP');
  await produceAll(kafka, eventsTopic, records, 8);
  const startedAt = performance.now();
  for (const c of children) c.process.kill('SIGCONT');
  const doneAt = await pollUntil('every record written', async () => ((await written()) >= total ? performance.now() : undefined), 900_000, 20);
  const shares = await Promise.all(children.map((c) => metric(c.url, 'processor_records_total', 'outcome="written"')));
  await stopAll(children);

  const client = createClient({ ...serverOf({ CLICKHOUSE_URL: server.url, CLICKHOUSE_USER: undefined, CLICKHOUSE_PASSWORD: undefined }), database });
  try {
    return {
      processes,
      ms: doneAt - startedAt,
      shares: shares.map((n) => n / total),
      stored: await scalar(client, 'SELECT count() FROM events'),
      distinct: await scalar(client, 'SELECT uniqExact(event_id) FROM events'),
      rollup: await scalar(client, 'SELECT sum(messages) + sum(joins) + sum(leaves) FROM rollup_minute'),
    };
  } finally {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
  }
}

interface IngestPhase {
  processes: number;
  ms: number;
  accepted: number;
  /** Distinct accepted events the topic holds, records it holds that were never sent, and copies (producer retries). */
  held: number;
  unknown: number;
  copies: number;
}

async function ingestPhase(processes: number): Promise<IngestPhase> {
  const prefix = uniquePrefix(`scaleout-ingest${processes}`);
  const children = await startAll('ingest', processes, serviceEnv(prefix, 'grouppulse'));
  const events = makeIncoming(ingestTotal, `soi${processes}${Date.now().toString(36)}`, 100_000, Date.now());
  const bodies = jsonBodies(events, batchSize);
  const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
  // The same requests in flight in every phase, spread evenly: each process gets its share of the bodies.
  const started = performance.now();
  const sent = await Promise.all(children.map((c, i) => postAll(c.url, '/v1/events', bodies.filter((_, n) => n % processes === i), { concurrency: inFlight / processes, headers })));
  const ms = performance.now() - started;
  await stopAll(children);
  const onTopic = await heldOnTopic(kafka, topicName(prefix, TOPICS.events), events);
  return { processes, ms, accepted: sent.reduce((n, s) => n + s.events, 0), held: onTopic.held, unknown: onTopic.unknown, copies: onTopic.copies };
}

const processorPhases: ProcessorPhase[] = [];
const ingestPhases: IngestPhase[] = [];
try {
  for (const processes of [1, 2, 3]) processorPhases.push(await processorPhase(processes));
  for (const processes of [1, 2]) ingestPhases.push(await ingestPhase(processes));
} finally {
  await server.stop();
}

const processorRate = (p: ProcessorPhase) => (total * 1000) / p.ms;
const ingestRate = (p: IngestPhase) => (p.accepted * 1000) / p.ms;
// Messages + joins + leaves: every record makeIncoming makes is counted once in the rollup.
const processorExact = (p: ProcessorPhase) => p.stored === total && p.distinct === total && p.rollup === total;
const ingestExact = (p: IngestPhase) => p.accepted === ingestTotal && p.held === ingestTotal && p.unknown === 0;
const plural = (n: number, what: string) => `${n} ${what} process${n > 1 ? 'es' : ''}`;
const figures: Figure[] = [
  ...processorPhases.map((p) => ({
    name: plural(p.processes, 'processor'),
    value: processorRate(p),
    unit: 'events/s',
    better: 'higher' as const,
    limit: p.processes > 1 ? { name: '1 processor process, same run', value: processorRate(processorPhases[0]!) } : undefined,
    note: p.shares.map((s) => `${Math.round(s * 100)}%`).join(' / '),
  })),
  ...ingestPhases.map((p) => ({
    name: plural(p.processes, 'ingest'),
    value: ingestRate(p),
    unit: 'events/s',
    better: 'higher' as const,
    limit: p.processes > 1 ? { name: '1 ingest process, same run', value: ingestRate(ingestPhases[0]!) } : undefined,
  })),
];
report({
  scenario: 'scale-out on a ClickHouse server: processor and ingest processes',
  setup: {
    'processor records': total,
    'ingest events': ingestTotal,
    partitions: PARTITIONS,
    'ingest requests': `${batchSize} events each, ${inFlight} in flight in all`,
    store: 'ClickHouse server (scripts/clickhouse-local), a database per phase',
  },
  figures,
  notes: [
    ...processorPhases.map((p) => `${plural(p.processes, 'processor')}: ${total} records in ${Math.round(p.ms)} ms; share of rows written ${p.shares.map((s) => `${Math.round(s * 100)}%`).join(' / ')}; events ${p.stored}, distinct ids ${p.distinct}, rollup sum ${p.rollup} — ${processorExact(p) ? 'exact' : `NOT exact (N = ${total})`}`),
    ...ingestPhases.map((p) => `${plural(p.processes, 'ingest')}: ${p.accepted} of ${ingestTotal} accepted; the topic holds ${p.held} of them${p.unknown ? `, ${p.unknown} never sent` : ''}, copies by producer retries ${p.copies} — ${ingestExact(p) ? 'exact' : 'NOT exact'}`),
    'every process, the ClickHouse server and the broker share this machine\'s cores: the figures show what more processes buy here, not more CPU',
  ],
});
if (!processorPhases.every(processorExact) || !ingestPhases.every(ingestExact)) process.exitCode = 1;
process.exit();
