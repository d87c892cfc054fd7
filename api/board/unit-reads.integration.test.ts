/**
 * Drill-down summed in the engine over the directory's group paths (migration 0090) against the same
 * drill-down joined in memory, on the real engine with events written through their views: equal
 * numbers at every level, for a window of whole and partial days; a moved group counts under its new
 * unit once the new version's paths are copied; old copies are dropped, the previous and recent ones kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../common/store/migrate.ts';
import type { Store } from '../../common/store/store.ts';
import type { EventRow } from '../../processor/rows.ts';
import { writeEventRows } from '../../processor/write-batch.ts';
import { createDirectoryIndex } from '../../directory/directory-index.ts';
import { readDrillDown, type DrillDownReads } from './unit-reads.ts';
import { createGroupPaths, type GroupPaths } from '../../directory/group-paths.ts';
import { ORG_GROUPS, ORG_UNITS } from '../../test/support/org-fixture.ts';
import { resolveSettings } from '../../directory/model.ts';
import { createReadCache } from './read-cache.ts';
import { openTestStore } from '../../test/support/store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-11-01T00:00:00Z');
/** Directory versions are epoch microseconds: three imports an hour apart. */
const V1 = START * 1000;
const V2 = V1 + HOUR * 1000;
const V3 = V2 + HOUR * 1000;

/** The board tests' organisation plus a group on a division; wa:g5 stays quiet; 'stranger' is not in the directory. */
const GROUPS = [...ORG_GROUPS, { id: 'wa:own', unit: 'JPR', category: 'youth' }];
const ACTIVE = ['wa:g1', 'wa:g2', 'wa:g3', 'wa:g4', 'wa:own', 'stranger'];
const TYPES = ['message', 'message', 'member_joined', 'message', 'member_left', 'group_snapshot'];

/** 3 days of events every 13 minutes over the active groups, each group getting every type. */
function rows(): EventRow[] {
  const out: EventRow[] = [];
  for (let i = 0, at = START + 3 * 60_000; at < START + 3 * DAY; i++, at += 13 * 60_000) {
    const type = TYPES[Math.floor(i / ACTIVE.length) % TYPES.length]!;
    out.push({
      event_id: `e${i}`, type, group_id: ACTIVE[i % ACTIVE.length]!, at, received_at: at, source: 's', person: `p${i % 17}`,
      kind: i % 3 === 0 ? 'image' : 'text', forwarded: i % 4 === 0, members: type === 'group_snapshot' ? 10 + (i % 50) : null, admins: null,
      title: '', division: 'JPR', category: 'youth', unit_path: ['RJ', 'JPR'], batch_partition: 0, batch_next_offset: '0',
    });
  }
  return out;
}

function directoryAt(version: number, moved = false) {
  const index = createDirectoryIndex();
  index.setTree(resolveSettings({ levels: ['state', 'division', 'district', 'booth'], categories: ['booth-voters', 'youth', 'women'] }), new Map(ORG_UNITS.map((u) => [u.id, u])));
  index.applyGroups(GROUPS.map((g) => ({ id: g.id, unit: moved && g.id === 'wa:g1' ? 'B201' : g.unit, category: g.category, deleted: false, targetSize: null })));
  return { index, version };
}

describe('drill-down in the engine equals the in-memory join', () => {
  let store: Store;
  let paths: GroupPaths;
  const errors: Error[] = [];
  beforeAll(async () => {
    store = await openTestStore('grouppulse-drill-');
    await migrate(store.client);
    const all = rows();
    for (let i = 0; i < all.length; i += 100) await writeEventRows(store.client, all.slice(i, i + 100), `test:0:${i}-${i + 99}`);
    paths = createGroupPaths(store.client, (error) => errors.push(error));
  });
  afterAll(() => store?.close());

  function reads(directory: ReturnType<typeof directoryAt>, groupPaths?: GroupPaths): DrillDownReads {
    return { client: store.client, directory, groupPaths, cache: createReadCache(0) };
  }

  /** Copies the version's paths and waits until they are complete. */
  async function copied(directory: ReturnType<typeof directoryAt>): Promise<void> {
    expect(paths.isReady(directory.version, directory.index)).toBe(false);
    await paths.settled();
    expect(errors).toEqual([]);
    expect(paths.isReady(directory.version, directory.index)).toBe(true);
  }

  it('gives the same numbers at every level, over whole and partial days', async () => {
    const directory = directoryAt(V1);
    await copied(directory);
    const windows = [[START, START + 3 * DAY], [START + 5 * HOUR, START + 2 * DAY + 7 * HOUR], [START + DAY + 2 * HOUR, START + DAY + 9 * HOUR]] as const;
    for (const [from, to] of windows) {
      for (const unit of ['', 'RJ', 'JPR', 'JPR-D1', 'AJM', 'B101']) {
        const inEngine = await readDrillDown(reads(directory, paths), unit, new Date(from), new Date(to));
        const inMemory = await readDrillDown(reads(directory), unit, new Date(from), new Date(to));
        expect(inEngine, `${unit || 'top'} ${new Date(from).toISOString()}`).toEqual(inMemory);
      }
    }
    const jaipur = (await readDrillDown(reads(directory, paths), 'JPR', new Date(START), new Date(START + 3 * DAY)))!;
    // Jaipur City (g1-g3, all active), the division's own group; 'stranger' nowhere.
    expect(jaipur.children.map((c) => [c.id, c.groups, c.activeGroups, c.inactiveGroups])).toEqual([['JPR-D1', 3, 3, 0], ['', 1, 1, 0]]);
    expect(jaipur.total.messages).toBeGreaterThan(0);
    expect(jaipur.total.members).toBeGreaterThan(0);
    const ajmer = (await readDrillDown(reads(directory, paths), 'AJM', new Date(START), new Date(START + 3 * DAY)))!;
    expect(ajmer.children.map((c) => [c.id, c.groups, c.activeGroups, c.inactiveGroups])).toEqual([['B201', 2, 1, 1]]);
    expect(await readDrillDown(reads(directory, paths), 'nowhere', new Date(START), new Date(START + DAY))).toBeUndefined();
  });

  it('counts a moved group under its new unit from the new version on, and drops the copies of old versions', async () => {
    const window = [new Date(START), new Date(START + 3 * DAY)] as const;
    const before = (await readDrillDown(reads(directoryAt(V1), paths), 'RJ', ...window))!;
    const moved = directoryAt(V2, true);
    await copied(moved);
    const after = (await readDrillDown(reads(moved, paths), 'RJ', ...window))!;
    expect(after).toEqual(await readDrillDown(reads(moved), 'RJ', ...window));
    const g1 = after.children.find((c) => c.id === 'AJM')!.messages - before.children.find((c) => c.id === 'AJM')!.messages;
    expect(g1).toBeGreaterThan(0);
    expect(after.children.find((c) => c.id === 'JPR')!.messages).toBe(before.children.find((c) => c.id === 'JPR')!.messages - g1);

    // A copy made a minute before the next one stays (an api may still read it), one an hour older goes.
    await copied(directoryAt(V3 - 60_000_000));
    await copied(directoryAt(V3));
    const versions = await store.client.query({ query: 'SELECT DISTINCT version FROM directory_group_paths ORDER BY version', format: 'JSONEachRow' });
    expect((await versions.json<{ version: string }>()).map((r) => Number(r.version))).toEqual([V3 - 60_000_000, V3]);
  });
});
