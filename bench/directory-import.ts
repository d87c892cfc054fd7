/**
 * Scenario "directory-import": the simulator's field-scale organisation (52,000 booths, 100,000
 * groups at --scale 1) imported through the real importer (parse → validate → write → version) on
 * the real engine, beside a baseline measured in the same run: a bare ClickHouse insert of the same
 * group rows into a table of the same schema. Also: the live directory's full load of those groups,
 * `place` per second, drill-down and coverage over them in memory, and the heap of the in-memory
 * directory at 1,000,000 groups (target: well under 1 GB).
 *
 *   node --expose-gc --import tsx bench/directory-import.ts [--scale 0.1]
 */
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { readGroupActivity, readGroupMembers, readLastMessages, readReach } from '../directory/activity.ts';
import { computeCoverage } from '../directory/coverage.ts';
import { createDirectoryIndex } from '../directory/directory-index.ts';
import { drillDown } from '../directory/drilldown.ts';
import { createImporter } from '../directory/importer.ts';
import { createLiveDirectory } from '../directory/live-directory.ts';
import { nextVersion, type GroupRow } from '../directory/repository.ts';
import { toEventRow, type EventRow } from '../processor/rows.ts';
import { writeEventRows } from '../processor/write-batch.ts';
import { generateOrg, groupsCsv, personId, unitsCsv } from '../simulator/org.ts';
import { scenarioOptions, tempDir } from './support/harness.ts';
import { report, type Figure } from './support/report.ts';
import { openStore } from './support/store.ts';

const options = scenarioOptions();
const gc = (globalThis as { gc?: () => void }).gc;
/** JS heap plus array buffers: the directory keeps its groups in typed arrays, outside the heap proper. */
const heapMb = () => {
  gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return (heapUsed + arrayBuffers) / 1024 / 1024;
};

const org = generateOrg({ scale: options.scale, seed: 7 });
const groups = org.groups.length;
// No broker needed: the import and the directory talk to the store only.
const config = loadConfig({ DATA_DIR: tempDir('directory'), CLICKHOUSE_URL: process.env.CLICKHOUSE_URL ?? '', LOG_LEVEL: 'error' });
const store = await openStore(config);
const client = store.client;
const importer = createImporter(client);

// Setup (timed for the notes, not a figure): settings and the unit tree.
await importer.importSettings({ levels: org.levels, categories: org.categories });
const unitsResult = await importer.importUnits(unitsCsv(org), 'csv', 'merge');
if (!unitsResult.ok) throw new Error(`units import refused: ${JSON.stringify(unitsResult.problems.slice(0, 3))}`);

// 1. The import, end to end from CSV text.
const csv = groupsCsv(org.groups);
const started = performance.now();
const result = await importer.importGroups(csv, 'csv', 'merge');
const importMs = performance.now() - started;
if (!result.ok) throw new Error(`groups import refused: ${JSON.stringify(result.problems.slice(0, 3))}`);

// 2. Baseline: the same rows, already built, in one bare insert into a table of the same schema.
await client.command({ query: 'CREATE TABLE IF NOT EXISTS bench_directory_groups AS directory_groups' });
const version = nextVersion();
const rows = org.groups.map((g) => ({ group_id: g.id, unit_id: g.unit, category: g.category, title: g.title, platform: g.platform, target_size: g.targetSize ?? null, version, deleted: 0 }));
const bareStarted = performance.now();
await client.insert({ table: 'bench_directory_groups', values: rows, format: 'JSONEachRow' });
const bareMs = performance.now() - bareStarted;

// 3. A running directory's full load of what was imported.
const heapBeforeLoad = heapMb();
const live = createLiveDirectory({ client, logger: createLogger('error'), pollMs: 60_000 });
const loadStarted = performance.now();
await live.start();
const loadMs = performance.now() - loadStarted;
const loadedHeapMb = heapMb() - heapBeforeLoad;
if (live.index.groups.size !== groups) throw new Error(`live directory loaded ${live.index.groups.size} of ${groups} groups`);

// 4. place() per event.
const ids = org.groups.map((g) => g.id);
const lookups = 2_000_000;
let hits = 0;
const placeStarted = performance.now();
for (let i = 0; i < lookups; i++) if (live.place(ids[i % ids.length]!).division !== 'unassigned') hits += 1;
const placePerSecond = lookups / ((performance.now() - placeStarted) / 1000);
if (hits !== lookups) throw new Error('place missed groups');

// 5. Drill-down and coverage in memory over every group (the ClickHouse reads come on top).
const activity = new Map(org.groups.filter((g) => g.weight > 0).map((g) => [g.id, { messages: Math.ceil(g.weight), media: 0, forwarded: 0, joins: 0, leaves: 0 }]));
const members = new Map(org.groups.map((g) => [g.id, g.size]));
const drillStarted = performance.now();
const top = drillDown(live.index, 'st', activity, members)!;
const drillMs = performance.now() - drillStarted;
const lastMessage = new Map(org.groups.filter((g) => g.weight > 0).map((g) => [g.id, Date.now()]));
const coverageStarted = performance.now();
computeCoverage(live.index, 'st', lastMessage, { total: 0, byChild: new Map() }, ['booth-voters'], Date.now());
const coverageMs = performance.now() - coverageStarted;
// 6. The same through ClickHouse, as the api answers it: a day of events for every group is written
// first (setup, not timed): one snapshot per group, and messages/joins from the simulated members.
const day = Date.now() - 3_600_000;
let written = 0;
for (let start = 0; start < org.groups.length; start += 20_000) {
  const batch: EventRow[] = [];
  for (const g of org.groups.slice(start, start + 20_000)) {
    const base = { v: 1 as const, group: g.id, receivedAt: day, source: 'bench', kind: '' as const, forwarded: false };
    batch.push(toEventRow({ ...base, type: 'group_snapshot', id: `s${g.index}`, at: day, person: '', members: g.size }, live.place(g.id)));
    const messages = g.weight > 0 ? 3 : 0;
    for (let m = 0; m < messages; m++) batch.push(toEventRow({ ...base, type: 'message', id: `m${g.index}.${m}`, at: day + m * 60_000, person: personId(g.poolStart + ((m * 7) % g.size)), kind: 'text' }, live.place(g.id)));
    batch.push(toEventRow({ ...base, type: 'member_joined', id: `j${g.index}`, at: day, person: personId((g.index * 7919) % org.members) }, live.place(g.id)));
  }
  await writeEventRows(client, batch, `bench:directory:${start}`);
  written += batch.length;
}
const apiDrillStarted = performance.now();
const [dayActivity, dayMembers] = await Promise.all([readGroupActivity(client, new Date(day - 3_600_000), new Date()), readGroupMembers(client)]);
const apiDrill = drillDown(live.index, 'dv1', dayActivity, dayMembers)!;
const apiDrillMs = performance.now() - apiDrillStarted;
const apiCoverageStarted = performance.now();
const [dayLast, dayReach] = await Promise.all([readLastMessages(client, new Date(Date.now() - 7 * 86_400_000)), readReach(client, 'st', 1)]);
const apiCoverage = computeCoverage(live.index, 'st', dayLast, dayReach, ['booth-voters'], Date.now())!;
const apiCoverageMs = performance.now() - apiCoverageStarted;
await live.stop();

// 6. Memory of the in-memory directory at 1,000,000 groups on the same tree.
const million = 1_000_000;
const booths = org.units.filter((u) => u.level === 'booth').map((u) => u.id);
const heapBefore = heapMb();
const big = createDirectoryIndex();
big.setTree(live.index.settings, new Map(org.units.map((u) => [u.id, u])));
for (let start = 0; start < million; start += 50_000) {
  const chunk: GroupRow[] = [];
  for (let i = start; i < start + 50_000; i++) {
    chunk.push({ id: `wa:1203630${String(i).padStart(11, '0')}@g.us`, unit: booths[i % booths.length]!, category: org.categories[i % org.categories.length]!, deleted: false, targetSize: i % 3 === 0 ? 250 : null });
  }
  big.applyGroups(chunk);
}
const millionHeapMb = heapMb() - heapBefore;
if (big.groups.size !== million) throw new Error('million index incomplete');

const figures: Figure[] = [
  { name: `import ${groups.toLocaleString('en-US')} groups (CSV → validated → stored → version)`, value: importMs / 1000, unit: 's', better: 'lower', limit: { name: 'bare insert of the same rows', value: bareMs / 1000 }, target: { text: '"in seconds" (< 10 s)', met: importMs < 10_000 } },
  { name: 'import throughput', value: groups / (importMs / 1000), unit: 'rows/s', better: 'higher', limit: { name: 'bare insert', value: groups / (bareMs / 1000) } },
  { name: `live directory full load (${groups.toLocaleString('en-US')} groups)`, value: loadMs / 1000, unit: 's', better: 'lower', limit: { name: 'bare insert', value: bareMs / 1000 } },
  { name: 'place() lookups', value: placePerSecond, unit: 'lookups/s', better: 'higher', target: { text: '≥ 10× the 50k events/s the pipeline must hold', met: placePerSecond >= 500_000 } },
  { name: 'drill-down in memory (top unit)', value: drillMs, unit: 'ms', better: 'lower' },
  { name: 'coverage in memory (top unit)', value: coverageMs, unit: 'ms', better: 'lower' },
  { name: 'drill-down as the api answers it (reads + join), a division', value: apiDrillMs, unit: 'ms', better: 'lower', target: { text: 'live board (< 2 s)', met: apiDrillMs < 2000 } },
  { name: 'coverage as the api answers it (reads + join), the state', value: apiCoverageMs, unit: 'ms', better: 'lower' },
  { name: `heap + array buffers of the directory, ${groups.toLocaleString('en-US')} groups`, value: loadedHeapMb, unit: 'MB', better: 'lower' },
  { name: 'heap + array buffers of the directory, 1,000,000 groups', value: millionHeapMb, unit: 'MB', better: 'lower', target: { text: 'well under 1 GB', met: millionHeapMb < 500 } },
];
report({
  scenario: 'directory-import',
  setup: { groups, units: org.units.length, booths: org.booths, store: store.kind, gc: gc ? 'exposed' : 'not exposed (heap figures noisy)' },
  figures,
  notes: [
    `units import (setup): ${unitsResult.ms} ms for ${org.units.length} units`,
    `groups import steps (ms): ${Object.entries(result.steps).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `drill-down top level: ${top.children.length} child(ren), ${top.total.groups} groups`,
    `api-path figures over ${written.toLocaleString('en-US')} event rows written first; dv1: ${apiDrill.total.activeGroups} active of ${apiDrill.total.groups} groups; state reach ${apiCoverage.total.reached.toLocaleString('en-US')} distinct people`,
  ],
});
await store.close();
process.exit(0);
