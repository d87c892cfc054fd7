/**
 * Scenario "reach": the Reach page's reads at 1 lakh groups (the simulator's field-scale organisation) over
 * `reach_first_seen` generated straight into the table with INSERT … SELECT from numbers(): yesterday and today
 * (IST, today as at 18:00 whatever the hour of the run), `--events`-free: every group sends CHATTER distinct fingerprinted messages a day that go nowhere,
 * CENTRAL messages a day start in a state or division group and reach ~55 % of the groups over 6 h, and 24 forward
 * bursts a day reach 3,000 groups each. Timed as the api runs them: the day's list (readReachList: the
 * candidates' first sightings, then per division at the four marks) for an admin and for one division's lead, and one message's drill-down (levels,
 * the booth groups a division missed). Baseline in the same run: a full scan of reach_first_seen. Target ≤ 300 ms.
 */
import { loadConfig } from '../common/config.ts';
import { DAY_MS, HOUR_MS, wallClockAt, wallClockToEpochMs } from '../common/time.ts';
import { createDirectoryIndex } from '../directory/directory-index.ts';
import { DEFAULT_SETTINGS } from '../directory/model.ts';
import { CANDIDATE_ROWS, readDivisionReach, readReachByLevel, readReachCandidates, readReachedGroups, readReachList } from '../directory/reach.ts';
import { boothGroupsByDivision, missingBoothGroups } from '../directory/reach-math.ts';
import { generateOrg } from '../simulator/org.ts';
import { scenarioOptions, tempDir } from './support/harness.ts';
import { chunk } from './support/load.ts';
import { medianMs, report, type Figure } from './support/report.ts';
import { openStore, scalar } from './support/store.ts';

const options = scenarioOptions();
const org = generateOrg({ scale: options.scale, seed: 11 });
const groups = org.groups.length;
const CHATTER = Number(process.env.REACH_CHATTER_PER_GROUP ?? 20);
const CENTRAL = 5;
const BURSTS = 24;
const runs = options.quick ? 3 : 7;

const index = createDirectoryIndex();
index.setTree(DEFAULT_SETTINGS, new Map(org.units.map((u) => [u.id, u])));
index.applyGroups(org.groups.map((g) => ({ id: g.id, unit: g.unit, category: g.category, deleted: false, targetSize: g.targetSize ?? null })));

const config = loadConfig({ DATA_DIR: tempDir('reach'), CLICKHOUSE_URL: process.env.CLICKHOUSE_URL ?? '', LOG_LEVEL: 'error' });
const store = await openStore(config);
const client = store.client;

// Today (IST) as at 18:00, whatever the hour of the run: its five central messages have all started.
const wall = wallClockAt(Date.now(), 'Asia/Kolkata');
const today = wallClockToEpochMs({ ...wall, hour: 0, minute: 0, second: 0 }, 'Asia/Kolkata');
const now = today + 18 * HOUR_MS;
const yesterday = today - DAY_MS;

const generateStarted = performance.now();
await client.insert({ table: 'directory_units', values: org.units.map((u) => ({ unit_id: u.id, name: u.name, level: u.level, parent: u.parent, version: 1 })), format: 'JSONEachRow' });
await client.command({ query: 'CREATE TABLE bench_groups (idx UInt32, group_id String, division String, unit String, top UInt8) ENGINE = Memory' });
for (const part of chunk(org.groups, 50_000)) {
  await client.insert({
    table: 'bench_groups',
    values: part.map((g) => {
      const placement = index.place(g.id);
      const level = index.units.get(g.unit)!.unit.level;
      return { idx: g.index, group_id: g.id, division: placement.division, unit: g.unit, top: level === 'state' || level === 'division' ? 1 : 0 };
    }),
    format: 'JSONEachRow',
  });
}
const insert = (select: string, params: Record<string, unknown>) =>
  client.command({ query: `INSERT INTO reach_first_seen (day, fingerprint, group_id, division, unit, first_at) ${select}`, query_params: params, clickhouse_settings: { max_insert_block_size: '1048576' } });
for (const start of [yesterday, today]) {
  const end = Math.min(start + DAY_MS, now);
  // Chatter: each fingerprint in one group, at any time of the day so far.
  await insert(
    `SELECT toDate(at), concat('chat', toString(n.number), '-', toString({start:Int64})), g.group_id, g.division, g.unit, at
     FROM (SELECT number, fromUnixTimestamp64Milli(toInt64({start:Int64} + cityHash64(number) % {span:UInt64})) AS at FROM numbers({rows:UInt64})) AS n
     INNER JOIN bench_groups AS g ON g.idx = n.number % {groups:UInt32}`,
    { start, span: end - start, rows: groups * CHATTER, groups },
  );
  // Central messages: from a top group, to ~55 % of the groups within 6 h of the start (booths later).
  for (let c = 0; c < CENTRAL; c++) {
    const first = start + (c + 1) * 2 * HOUR_MS;
    if (first >= end) continue;
    await insert(
      `SELECT toDate(at), {fp:String}, group_id, division, unit, at FROM (
         SELECT group_id, division, unit, fromUnixTimestamp64Milli(toInt64(least({first:Int64} + cityHash64(group_id, {fp:String}) % (6 * 3600000) * (1 - top), {now:Int64}))) AS at
         FROM bench_groups WHERE top = 1 OR cityHash64(group_id, {fp:String}, 1) % 100 < 55)`,
      { fp: `central-${start}-${c}`, first, now },
    );
  }
  // Forward bursts: 3,000 groups each within a minute, from any group.
  await insert(
    `SELECT toDate(at), concat('burst', toString(b.number % {bursts:UInt32}), '-', toString({start:Int64})), g.group_id, g.division, g.unit, at
     FROM (SELECT number, fromUnixTimestamp64Milli(toInt64({start:Int64} + (number % {bursts:UInt32}) * ({span:UInt64} / {bursts:UInt32}) + cityHash64(number) % 60000)) AS at FROM numbers({rows:UInt64})) AS b
     INNER JOIN bench_groups AS g ON g.idx = cityHash64(b.number, 7) % {groups:UInt32}`,
    { start, span: end - start, bursts: BURSTS, rows: BURSTS * 3000, groups },
  );
}
// What the forwarded view would have kept: every copy of central messages and bursts, and 8 % of the chatter
// (forwarded once from elsewhere, as the simulator forwards 8 % of messages).
await client.command({
  query: `INSERT INTO reach_forwarded SELECT day, fingerprint, count() FROM reach_first_seen
          WHERE startsWith(fingerprint, 'central') OR startsWith(fingerprint, 'burst') OR (startsWith(fingerprint, 'chat') AND cityHash64(fingerprint) % 100 < 8)
          GROUP BY day, fingerprint`,
});
await client.command({ query: 'OPTIMIZE TABLE reach_first_seen FINAL' });
await client.command({ query: 'OPTIMIZE TABLE reach_forwarded FINAL' });
const generateMs = performance.now() - generateStarted;
const rows = await scalar(client, 'SELECT count() FROM reach_first_seen');
const forwardedRows = await scalar(client, 'SELECT count() FROM reach_forwarded');

const scanMs = await medianMs(() => scalar(client, 'SELECT uniqExact(fingerprint) + count() FROM reach_first_seen'), runs);
const timed: { name: string; ms: number }[] = [];
async function time(name: string, fn: () => Promise<unknown>): Promise<void> {
  timed.push({ name, ms: await medianMs(fn, runs) });
}
const leaf = 'booth';
const lead = ['dv1'];
// As the route reads the list: sent down = first seen in a group above booth.
const sentDown = (m: { group: string; unit: string }) => !index.isLeaf(index.groups.get(m.group)?.unitPath.at(-1) ?? m.unit);
const list = (divisions?: string[]) => readReachList(client, { fromMs: today, toMs: today + DAY_MS, divisions, limit: 20, leafLevel: leaf, sentDown });
const listed = await list(); // also warms: the first read of a table's parts is not what a viewer waits for
const central = listed[0]?.message;
if (!central || !central.fingerprint.startsWith('central')) throw new Error('no central message leads today\'s list: the generated data is wrong');
const sentDownToday = (await readReachCandidates(client, { fromMs: today, toMs: today + DAY_MS })).filter(sentDown);
await time('list: the day\'s top messages, admin (GET /api/v1/board/reach)', () => list());
await time('list: the day\'s top messages, one division\'s lead', () => list(lead));
await time(`  list part: candidates and their first sightings (${CANDIDATE_ROWS} rows of reach_forwarded)`, () => readReachCandidates(client, { fromMs: today, toMs: today + DAY_MS }));
await time(`  list part: per division at the four marks, the ${sentDownToday.length} messages sent down today`, () => readDivisionReach(client, sentDownToday, { leafLevel: leaf }));
// Booth groups per division: the route keeps them per directory version (timed apart below).
const booths = boothGroupsByDivision(index);
await time('drill-down: levels and one division\'s missed booth groups (GET /api/v1/board/reach/{id})', async () => {
  const [, , reached] = await Promise.all([
    readDivisionReach(client, [central], { leafLevel: leaf }),
    readReachByLevel(client, central),
    readReachedGroups(client, central, 'dv1'),
  ]);
  return missingBoothGroups(booths.get('dv1') ?? [], reached, (u) => index.units.get(u)?.unit.name ?? u, 1, 50);
});
await time('  booth groups per division from the directory (once per directory version)', async () => boothGroupsByDivision(index));
await store.close();

const figures: Figure[] = [
  { name: 'baseline: full scan of reach_first_seen (distinct fingerprints + rows)', value: scanMs, unit: 'ms', better: 'lower' },
  ...timed.map((t): Figure => ({ name: t.name, value: t.ms, unit: 'ms', better: 'lower', limit: { name: 'full scan', value: scanMs }, target: { text: '≤ 300 ms', met: t.ms <= 300 } })),
];
report({
  scenario: `message reach: ${groups.toLocaleString('en-US')} groups, ${CHATTER} messages per group a day, yesterday and today`,
  setup: {
    groups,
    'reach_first_seen rows': rows,
    'reach_forwarded rows': forwardedRows,
    'central messages a day': CENTRAL,
    'central message followed': `${listed[0]!.groups.toLocaleString('en-US')} groups`,
    'messages listed': listed.length,
    'generated in': `${Math.round(generateMs / 1000)} s`,
    'median of': runs,
  },
  figures,
  notes: ['each figure is the api\'s work for the page: the ClickHouse reads plus the directory\'s part in memory'],
});
process.exit(0);
