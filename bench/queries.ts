/**
 * Scenario "queries": the board's reads over 30 days of rollups for 100,000 groups (the simulator's
 * field-scale organisation), generated straight into the engine's tables with INSERT … SELECT from
 * numbers(). Timed as the api answers them (ClickHouse reads + the in-memory join with the
 * directory): the summary probe, drill-down, coverage and the leaders' scorecards. Baseline in the same run: a full scan of the
 * largest table (rollup_group_hour) and a bare count(). Target: each ≤ 300 ms.
 */
import { loadConfig } from '../common/config.ts';
import { querySummary } from '../api/summary/query.ts';
import { DAY_PART, daySplit, finePart } from '../common/store/day-split.ts';
import { readLastMessages, readReach } from '../directory/activity.ts';
import { computeCoverage, coverageLayout } from '../directory/coverage.ts';
import { createCoverageLayouts } from '../directory/coverage-layouts.ts';
import { createDirectoryIndex } from '../directory/directory-index.ts';
import { readDrillDown } from '../api/board/unit-reads.ts';
import { createGroupPaths } from '../directory/group-paths.ts';
import { createReadCache } from '../api/board/read-cache.ts';
import { DEFAULT_SETTINGS } from '../directory/model.ts';
import { readAccountActivity, scoreRepresentatives } from '../directory/representatives.ts';
import { generateOrg } from '../simulator/org.ts';
import { accountHistory, generateRepresentatives } from '../simulator/representatives.ts';
import { scenarioOptions, tempDir } from './support/harness.ts';
import { chunk } from './support/load.ts';
import { medianMs, report, type Figure } from './support/report.ts';
import { openStore, scalar } from './support/store.ts';

const options = scenarioOptions();
const org = generateOrg({ scale: options.quick ? 0.1 : 1, seed: 11 });
const groups = org.groups.length;
const days = 30;
const activeHoursPerDay = 6;
const peoplePerGroup = 40;
const runs = options.quick ? 3 : 7;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// The directory as the api holds it.
const index = createDirectoryIndex();
index.setTree(DEFAULT_SETTINGS, new Map(org.units.map((u) => [u.id, u])));
index.applyGroups(org.groups.map((g) => ({ id: g.id, unit: g.unit, category: g.category, deleted: false, targetSize: g.targetSize ?? null })));

const config = loadConfig({ DATA_DIR: tempDir('queries'), CLICKHOUSE_URL: process.env.CLICKHOUSE_URL ?? '', LOG_LEVEL: 'error' });
const store = await openStore(config);
const client = store.client;

// Data: 30 days up to this hour.
const now = Date.now();
const end = Math.floor(now / HOUR) * HOUR;
const start = end - days * DAY;
const generateStarted = performance.now();
await client.command({ query: 'CREATE TABLE bench_groups (idx UInt32, group_id String, division String, category String, path Array(String)) ENGINE = Memory' });
for (const part of chunk(org.groups, 50_000)) {
  await client.insert({
    table: 'bench_groups',
    values: part.map((g) => {
      const placement = index.place(g.id);
      return { idx: g.index, group_id: g.id, division: placement.division, category: placement.category, path: placement.unitPath };
    }),
    format: 'JSONEachRow',
  });
}
const params = { start: start / 1000, groups, hours: activeHoursPerDay, people: peoplePerGroup, rows: groups * days * activeHoursPerDay };
// Per group and hour: `activeHoursPerDay` active hours a day per group.
await client.command({
  query: `INSERT INTO rollup_group_hour
          SELECT toDateTime({start:DateTime('UTC')}) + toIntervalHour(intDiv(intDiv(n.number, {groups:UInt32}), {hours:UInt32}) * 24 + cityHash64(n.number) % 24) AS hour,
                 g.group_id, 1 + cityHash64(n.number, 1) % 40, cityHash64(n.number, 2) % 5, cityHash64(n.number, 3) % 4,
                 cityHash64(n.number, 4) % 2, cityHash64(n.number, 5) % 2, hour + toIntervalSecond(cityHash64(n.number, 6) % 3600)
          FROM numbers({rows:UInt64}) AS n INNER JOIN bench_groups AS g ON g.idx = n.number % {groups:UInt32}`,
  query_params: params,
  clickhouse_settings: { max_insert_block_size: '1048576' },
});
// Per minute × division × category: source rows spread over every minute of the window and over the groups,
// aggregated into the cells (so the uniq states are real).
await client.command({
  query: `INSERT INTO rollup_minute (minute, division, category, messages, media, forwarded, joins, leaves, active_groups, active_senders)
          SELECT minute, division, category, sum(m), sum(m % 3), sum(m % 2), sum(j), sum(l), uniqState(grp), uniqState(person)
          FROM (
            SELECT toDateTime({start:DateTime('UTC')}) + toIntervalMinute(n.number % ({days:UInt32} * 1440)) AS minute,
                   g.division AS division, g.category AS category, g.group_id AS grp,
                   concat('p', toString(cityHash64(n.number) % 5000000)) AS person,
                   1 + cityHash64(n.number, 1) % 5 AS m, cityHash64(n.number, 2) % 2 AS j, cityHash64(n.number, 3) % 2 AS l
            FROM numbers({minuteRows:UInt64}) AS n INNER JOIN bench_groups AS g ON g.idx = cityHash64(n.number, 9) % {groups:UInt32}
          )
          GROUP BY minute, division, category`,
  query_params: { ...params, days, minuteRows: days * 1440 * (options.quick ? 16 : 96) },
});
await client.command({
  query: `INSERT INTO group_last_message SELECT group_id, toDateTime64({end:DateTime('UTC')}, 3) - toIntervalSecond(cityHash64(idx) % (10 * 86400)) FROM bench_groups WHERE idx % 7 != 0`,
  query_params: { end: end / 1000 },
});
await client.command({
  query: `INSERT INTO group_members SELECT group_id, toDateTime64({end:DateTime('UTC')}, 3), 20 + cityHash64(idx) % 300, 1 + idx % 4 FROM bench_groups`,
  query_params: { end: end / 1000 },
});
await client.command({
  query: `INSERT INTO group_people
          SELECT g.group_id, concat('p', toString((g.idx * 37 + n.number % {people:UInt32} * 101) % 5000000)),
                 toDateTime64({start:DateTime('UTC')}, 3) + toIntervalSecond(cityHash64(n.number) % (30 * 86400)), toUInt8(cityHash64(n.number, 1) % 10 != 0), g.path
          FROM numbers({peopleRows:UInt64}) AS n INNER JOIN bench_groups AS g ON g.idx = intDiv(n.number, {people:UInt32})`,
  query_params: { ...params, peopleRows: groups * peoplePerGroup },
});
// The per-day rollups, as their views would have filled them (the same statements as migration 0050's copy).
await client.command({
  query: `INSERT INTO rollup_day SELECT toDate(minute) AS day, division, category, sum(messages), sum(media), sum(forwarded), sum(joins), sum(leaves),
          uniqMergeState(active_groups), uniqMergeState(active_senders) FROM rollup_minute GROUP BY day, division, category`,
});
await client.command({
  query: `INSERT INTO rollup_group_day SELECT toDate(hour) AS day, group_id, sum(messages), sum(media), sum(forwarded), sum(joins), sum(leaves), max(last_at)
          FROM rollup_group_hour GROUP BY day, group_id`,
});
await client.command({ query: 'OPTIMIZE TABLE rollup_group_hour FINAL' });
await client.command({ query: 'OPTIMIZE TABLE rollup_group_day FINAL' });
const generateMs = performance.now() - generateStarted;
const sizes = {
  rollup_group_hour: await scalar(client, 'SELECT count() FROM rollup_group_hour'),
  rollup_group_day: await scalar(client, 'SELECT count() FROM rollup_group_day'),
  rollup_minute: await scalar(client, 'SELECT count() FROM rollup_minute'),
  group_people: await scalar(client, 'SELECT count() FROM group_people'),
};

// Baselines, same run.
const countMs = await medianMs(() => scalar(client, 'SELECT count() FROM rollup_group_hour'), runs);
const scanMs = await medianMs(() => scalar(client, 'SELECT sum(messages) + sum(joins) + sum(leaves) + count(DISTINCT group_id) FROM rollup_group_hour'), runs);

const division = 'dv1';
const timed: { name: string; ms: number }[] = [];
async function time(name: string, fn: () => Promise<unknown>): Promise<void> {
  timed.push({ name, ms: await medianMs(fn, runs) });
}
await time('summary, 30 days, every division (GET /api/v1/summary)', () => querySummary(client, { from: new Date(start), to: new Date(end) }));
await time('summary, today, one division', () => querySummary(client, { from: new Date(end - DAY), to: new Date(end), divisions: [division] }));
// Where the 30-day summary's time goes: the whole days (with and without the distinct senders) and the partial days.
const wholeDays = daySplit(start, end);
// Every row is fetched, as the api does: under count() the engine would drop the unused aggregates.
const allRows = async (query: string, params: Record<string, unknown> = {}) => (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json();
const dayPart = (columns: string) => () =>
  allRows(`SELECT division, category, ${columns} FROM rollup_day WHERE ${DAY_PART} GROUP BY division, category`, { ...wholeDays });
await time('  summary part: the whole days from rollup_day', dayPart('sum(messages), uniqMerge(active_groups), uniqMerge(active_senders)'));
await time('  summary part: the same without distinct senders', dayPart('sum(messages), uniqMerge(active_groups)'));
await time('  summary part: the partial days at the ends from rollup_minute', () =>
  allRows(`SELECT division, category, sum(messages), uniqMerge(active_groups), uniqMerge(active_senders) FROM rollup_minute WHERE ${finePart('minute')} GROUP BY division, category`, { ...wholeDays }));
// Drill-down as the api answers it once the directory version's group paths are copied (timed once:
// it runs in the background after each directory change); and joined in memory as before, for comparison.
const directory = { index, version: 1 };
const groupPaths = createGroupPaths(client, (error) => {
  throw error;
});
const copyStarted = performance.now();
groupPaths.isReady(directory.version, index);
await groupPaths.settled();
const copyMs = performance.now() - copyStarted;
if (!groupPaths.isReady(directory.version, index)) throw new Error('the group paths were not copied');
const inEngine = { client, directory, groupPaths, cache: createReadCache(0) };
const inMemory = { client, directory, cache: createReadCache(0) };
await time('drill-down, top of the tree, last 24 h (board default)', () => readDrillDown(inEngine, '', new Date(end - DAY), new Date(end)));
await time('drill-down, a division, 30 days', () => readDrillDown(inEngine, division, new Date(start), new Date(end)));
await time('  drill-down joined in memory (before), top, last 24 h', () => readDrillDown(inMemory, '', new Date(end - DAY), new Date(end)));
await time('  drill-down joined in memory (before), a division, 30 days', () => readDrillDown(inMemory, division, new Date(start), new Date(end)));
// Coverage as the api answers it: the directory's part (layout) kept per directory version, built by
// the first request of a version (timed apart); the activity pass and the reads on every request.
const layouts = createCoverageLayouts();
const coverage = async (unit: string, layout = layouts.get(directory, unit, ['booth-voters'])) => {
  const node = unit ? index.units.get(unit)! : undefined;
  const [last, reach] = await Promise.all([readLastMessages(client, new Date(end - 7 * DAY)), readReach(client, unit, node ? node.path.length : 0)]);
  return computeCoverage(index, unit, last, reach, ['booth-voters'], end, layout);
};
await time('coverage, top of the tree', () => coverage(''));
await time('coverage, a division', () => coverage(division));
// Where coverage's time goes: its two reads alone, the layout built anew each time (before: on every request).
await time('  coverage part: readReach, top (distinct people per child unit)', () => readReach(client, '', 0));
// What FINAL costs readReach: the same distinct count without it (not the answer: it counts people who left).
await time('  coverage part: readReach\'s table read without FINAL (baseline, wrong answer)', () =>
  allRows('SELECT if(length(unit_path) > 0, unit_path[1], \'\') AS child, uniq(person) AS people FROM group_people WHERE present = 1 GROUP BY child WITH TOTALS'));
await time('  coverage part: readLastMessages (7 days)', () => readLastMessages(client, new Date(end - 7 * DAY)));
await time('  coverage part: layout of the top (once per directory version)', async () => coverageLayout(index, '', ['booth-voters']));
await time('  coverage, top, layout built on every request (before)', () => coverage('', coverageLayout(index, '', ['booth-voters'])));
// Leaders' scorecards: the simulator's 200 representatives with 30 days of snapshots and posts in account_events.
const representatives = generateRepresentatives(org, 12);
const history = accountHistory(representatives, end, days, 13, 'bench') as { id: string; type: string; account: string; platform: string; at: string; kind?: string; followers?: number }[];
await client.insert({
  table: 'account_events',
  values: history.map((e) => ({
    event_id: e.id, type: e.type, account: e.account, platform: e.platform, at: Date.parse(e.at), received_at: Date.parse(e.at),
    source: 'bench', kind: e.kind ?? '', followers: e.followers ?? null,
  })),
  format: 'JSONEachRow',
});
await time(`representatives' scorecards, all ${representatives.length} (GET /api/v1/board/representatives)`, async () =>
  scoreRepresentatives(representatives, await readAccountActivity(client, representatives, end, 'Asia/Kolkata'), index, 0.25));
await store.close();

const figures: Figure[] = [
  { name: 'baseline: SELECT count() FROM rollup_group_hour', value: countMs, unit: 'ms', better: 'lower' },
  { name: 'baseline: full scan of rollup_group_hour (sums + distinct groups)', value: scanMs, unit: 'ms', better: 'lower' },
  ...timed.map((t): Figure => ({ name: t.name, value: t.ms, unit: 'ms', better: 'lower', limit: { name: 'full scan', value: scanMs }, target: { text: '≤ 300 ms', met: t.ms <= 300 } })),
];
report({
  scenario: `board queries: ${days} days of rollups, ${groups.toLocaleString('en-US')} groups`,
  setup: {
    groups,
    'rollup_group_hour rows': sizes.rollup_group_hour,
    'rollup_group_day rows': sizes.rollup_group_day,
    'rollup_minute rows': sizes.rollup_minute,
    'group_people rows': sizes.group_people,
    'account_events rows': history.length,
    'generated in': `${Math.round(generateMs / 1000)} s`,
    'group paths copied in': `${Math.round(copyMs)} ms`,
    'median of': runs,
  },
  figures,
  notes: ['each figure is the api\'s work: the ClickHouse reads plus the join with the in-memory directory (drill-down, coverage)'],
});
process.exit(0);
