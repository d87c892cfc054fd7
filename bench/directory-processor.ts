/**
 * Scenario "directory" (beside bench/directory-import.ts, which covers the field-scale import, the
 * api's drill-down and coverage, and the heap of the index): a processor with 1,000,000 groups in its
 * directory.
 *  1. Import time of 1,000,000 groups through the real importer, beside a bare insert of the same rows.
 *  2. Processor memory: a child process that is what a processor-only service builds (store, live
 *     directory, Kafka bus, processor) loads the directory, then processes events of those groups;
 *     RSS and heap after load and after processing, beside the same child with an empty directory
 *     (the baseline, measured in the same run).
 *  3. Enrichment cost per event: `place` (the live directory) beside a bare Map lookup of the same keys.
 *
 *   node --expose-gc --import tsx bench/directory-processor.ts [--quick]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '../common/logger.ts';
import { createMetrics } from '../common/metrics.ts';
import { TOPICS, topicName } from '../common/topics.ts';
import { createImporter } from '../directory/importer.ts';
import { nextVersion } from '../directory/repository.ts';
import { startDirectoryService } from '../directory/service.ts';
import { createProcessor } from '../processor/processor.ts';
import { createBus } from '../runtime/bus.ts';
import { generateOrg, groupsCsv, unitsCsv } from '../simulator/org.ts';
import { benchConfig, kafkaBrokers, pollUntil, ROOT, scenarioOptions, tempDir, uniquePrefix } from './support/harness.ts';
import { bareKafka, busRecords, chunk, makeIncoming, produceAll } from './support/load.ts';
import { report, type Figure } from './support/report.ts';
import { openStore, writtenByProcessor } from './support/store.ts';

const PHASE_MARKER = 'PHASE_RESULT ';
const argv = process.argv.slice(2);
const options = scenarioOptions(argv.filter((a, i) => !['--phase', '--data-dir'].includes(a) && !['--phase', '--data-dir'].includes(argv[i - 1] ?? '')));
const phase = argv.includes('--phase') ? argv[argv.indexOf('--phase') + 1] : 'main';
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => bytes / 1024 / 1024;
function memory(): { rss: number; heap: number } {
  gc?.();
  const usage = process.memoryUsage();
  return { rss: mb(usage.rss), heap: mb(usage.heapUsed) };
}

interface ProcessorPhase {
  groups: number;
  loadMs: number;
  start: { rss: number; heap: number };
  loaded: { rss: number; heap: number };
  processed: { rss: number; heap: number };
  peakRss: number;
  events: number;
  processMs: number;
  placeNs?: number;
  mapNs?: number;
}

/** The child: what a processor-only service builds, measured. */
async function processorPhase(dataDir: string): Promise<ProcessorPhase> {
  const start = memory();
  const prefix = uniquePrefix('directory');
  const config = benchConfig({ prefix, dataDir });
  const logger = createLogger(config.LOG_LEVEL);
  const topics = { events: topicName(prefix, TOPICS.events), deadLetter: topicName(prefix, TOPICS.deadLetter), live: topicName(prefix, TOPICS.live) };
  const store = await openStore(config);
  const bus = createBus(config, logger);
  await bus.ensureTopics([topics.events, topics.deadLetter, topics.live]);
  const loadStarted = performance.now();
  const directoryService = await startDirectoryService({ client: store.client, logger, pollMs: 600_000, releaseMemory: () => store.releaseMemory() });
  const loadMs = performance.now() - loadStarted;
  const directory = directoryService.directory;
  const loaded = memory();

  // Events of the directory's groups (unknown groups when it is empty) through Kafka and the processor.
  // The ids are made from the packed index on iteration: a copy the processor itself never holds, dropped before it runs.
  let ids: string[] = [...directory.index.groups.keys()];
  const groups = ids.length;
  const eventCount = options.events ?? (options.quick ? 20_000 : 200_000);
  const events = makeIncoming(eventCount, `dir${Date.now().toString(36)}`, Math.max(ids.length, 100_000), Date.now(), (n) => ids[n] ?? `wa:unknown-${n}`);
  await produceAll(bareKafka(kafkaBrokers(), 'bench-directory'), topics.events, chunk(busRecords(events, Date.now()), 1000), 8);
  events.length = 0;
  ids = [];
  const metrics = createMetrics();
  const processor = createProcessor({ bus, client: store.client, directory, logger, metrics, topics, groupId: `${prefix}processor`, dedupWindowDays: config.DEDUP_WINDOW_DAYS, boardTimeZone: config.BOARD_TIME_ZONE, batch: { maxRecords: config.PROCESSOR_BATCH_ROWS, maxWaitMs: config.PROCESSOR_BATCH_WAIT_MS }, releaseMemory: () => store.releaseMemory() });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, mb(process.memoryUsage().rss))), 50);
  const processStarted = performance.now();
  await processor.start();
  await pollUntil('the processor to write every event', async () => ((await writtenByProcessor(metrics)) >= eventCount ? true : undefined), 900_000, 20);
  const processMs = performance.now() - processStarted;
  clearInterval(sampler);
  await processor.stop();
  const processed = memory();

  // Enrichment cost: place() beside a bare Map of the same keys (after the memory figures: the copy costs memory).
  let placeNs: number | undefined;
  let mapNs: number | undefined;
  if (groups > 0) {
    ids = [...directory.index.groups.keys()];
    const lookups = 3_000_000;
    const keys = Array.from({ length: 1_000_000 }, (_, i) => (i % 10 === 9 ? `wa:unknown-${i}` : ids[(i * 7919) % ids.length]!));
    const bare = new Map(directory.index.groups);
    const fallback = { division: 'unassigned', category: 'unassigned', unitPath: [] as string[] };
    const time = (lookup: (id: string) => { division: string }) => {
      let checksum = 0;
      for (let i = 0; i < lookups; i++) checksum += lookup(keys[i % keys.length]!).division.length;
      const started = performance.now();
      for (let i = 0; i < lookups; i++) checksum += lookup(keys[i % keys.length]!).division.length;
      const ns = ((performance.now() - started) * 1e6) / lookups;
      if (checksum === 0) throw new Error('lookups found nothing');
      return ns;
    };
    mapNs = time((id) => bare.get(id) ?? fallback);
    placeNs = time((id) => directory.place(id));
  }
  await directoryService.stop();
  await bus.close();
  await store.close();
  return { groups, loadMs, start, loaded, processed, peakRss, events: eventCount, processMs, placeNs, mapNs };
}

function runChild(dataDir: string): Promise<ProcessorPhase> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench', 'directory-processor.ts'), '--phase', 'processor', '--data-dir', dataDir, ...process.argv.slice(2)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (part: Buffer) => (output += part.toString()));
    child.once('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith(PHASE_MARKER));
      if (code !== 0 || !line) reject(new Error(`processor phase exited ${code}:\n${output.slice(-2000)}`));
      else resolve(JSON.parse(line.slice(PHASE_MARKER.length)) as ProcessorPhase);
    });
  });
}

if (phase === 'processor') {
  const dataDir = argv[argv.indexOf('--data-dir') + 1]!;
  console.log(`${PHASE_MARKER}${JSON.stringify(await processorPhase(dataDir))}`);
  process.exit(0);
}

// main: import the directory, then measure a processor on it and one on an empty directory.
const scale = options.quick ? 1 : 10; // 100,000 groups quick, 1,000,000 full
const org = generateOrg({ scale, seed: 9 });
const dataDir = tempDir('directory');
const config = benchConfig({ prefix: uniquePrefix('directory'), dataDir });
const store = await openStore(config);
const importer = createImporter(store.client);
await importer.importSettings({ levels: org.levels, categories: org.categories });
const unitsStarted = performance.now();
const units = await importer.importUnits(unitsCsv(org), 'csv', 'merge');
const unitsMs = performance.now() - unitsStarted;
if (!units.ok) throw new Error(`units import refused: ${JSON.stringify(units.problems.slice(0, 3))}`);
const csv = groupsCsv(org.groups);
const importStarted = performance.now();
const imported = await importer.importGroups(csv, 'csv', 'merge');
const importMs = performance.now() - importStarted;
if (!imported.ok) throw new Error(`groups import refused: ${JSON.stringify(imported.problems.slice(0, 3))}`);
await store.client.command({ query: 'CREATE TABLE IF NOT EXISTS bench_directory_groups AS directory_groups' });
const version = nextVersion();
const rows = org.groups.map((g) => ({ group_id: g.id, unit_id: g.unit, category: g.category, title: g.title, platform: g.platform, target_size: g.targetSize ?? null, version, deleted: 0 }));
const bareStarted = performance.now();
for (const part of chunk(rows, 50_000)) await store.client.insert({ table: 'bench_directory_groups', values: part, format: 'JSONEachRow' });
const bareMs = performance.now() - bareStarted;
await store.client.command({ query: 'DROP TABLE bench_directory_groups' });
await store.close();
const groups = org.groups.length;
rows.length = 0;

const full = await runChild(dataDir);
const empty = await runChild(tempDir('directory-empty'));
if (full.groups !== groups) throw new Error(`the processor's directory loaded ${full.groups} of ${groups} groups`);

const label = groups.toLocaleString('en-US');
const figures: Figure[] = [
  { name: `import ${label} groups (CSV → validated → stored → version)`, value: importMs / 1000, unit: 's', better: 'lower', limit: { name: 'bare insert of the same rows', value: bareMs / 1000 } },
  { name: `processor: directory load at start (${label} groups)`, value: full.loadMs / 1000, unit: 's', better: 'lower' },
  { name: 'processor RSS after load', value: full.loaded.rss, unit: 'MB', better: 'lower', limit: { name: 'same, empty directory', value: empty.loaded.rss }, target: { text: '≤ 1,024 MB', met: full.loaded.rss <= 1024 } },
  { name: 'processor heap after load', value: full.loaded.heap, unit: 'MB', better: 'lower', limit: { name: 'same, empty directory', value: empty.loaded.heap } },
  { name: `processor peak RSS while processing ${full.events.toLocaleString('en-US')} events`, value: full.peakRss, unit: 'MB', better: 'lower', limit: { name: 'same, empty directory', value: empty.peakRss }, target: { text: '≤ 1,024 MB', met: full.peakRss <= 1024 } },
  { name: 'processor heap after processing', value: full.processed.heap, unit: 'MB', better: 'lower', limit: { name: 'same, empty directory', value: empty.processed.heap } },
  { name: 'processor events/s with the directory', value: (full.events * 1000) / full.processMs, unit: 'events/s', better: 'higher', limit: { name: 'same, empty directory', value: (empty.events * 1000) / empty.processMs } },
  { name: 'enrichment: place() per event', value: full.placeNs!, unit: 'ns', better: 'lower', limit: { name: 'bare Map.get of the same keys', value: full.mapNs! } },
];
report({
  scenario: `directory: a processor with ${label} groups`,
  setup: { groups, units: org.units.length, booths: org.booths, 'units import': `${Math.round(unitsMs)} ms`, gc: gc ? 'exposed' : 'not exposed' },
  figures,
  notes: [
    'memory figures are whole-process (Node + the embedded ClickHouse engine + kafkajs); the baseline is the same child process with an empty directory',
    'processing time includes the consumer group join (same for both)',
    'place() lookups: 10% unknown groups, keys spread over the directory',
  ],
});
process.exit(0);
