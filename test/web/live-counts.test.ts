import { describe, expect, it } from 'vitest';
import { LiveCounts } from '../../web/src/lib/state/live-counts.svelte.ts';

const DAY = '2026-11-30';
const row = (division: string, category: string, messages: number, activeGroups = 1) => ({ division, category, messages, media: 0, forwarded: 0, joins: 0, leaves: 0, activeGroups, activeSenders: 2 });
const snapshot = (rows: ReturnType<typeof row>[], day = DAY) => ({ day, timeZone: 'Asia/Kolkata', asOf: '2026-11-30T06:00:00Z', rows });
const delta = (rows: { division: string; category: string; messages: number }[], day = DAY) => ({
  day,
  asOf: '2026-11-30T06:00:01Z',
  rows: rows.map((r) => ({ ...r, media: 0, forwarded: 0, joins: 0, leaves: 0 })),
});
const shown = (counts: LiveCounts) => counts.divisions.map((d) => [d.division, d.rows.map((r) => `${r.category}:${r.messages}`).join(' '), d.totals.messages]);

describe("the board's live counts", () => {
  it('groups a snapshot by division, sorted, with the unassigned bucket last, and sums it', () => {
    const counts = new LiveCounts();
    counts.applySnapshot(snapshot([row('unassigned', 'unassigned', 4), row('JPR', 'youth', 2), row('AJM', 'women', 1), row('JPR', 'farmers', 3)]));
    expect(shown(counts)).toEqual([
      ['AJM', 'women:1', 1],
      ['JPR', 'farmers:3 youth:2', 5],
      ['unassigned', 'unassigned:4', 4],
    ]);
    expect(counts.totals).toMatchObject({ messages: 10, activeGroups: 4, activeSenders: 8 });
  });

  it('adds deltas into new rows of the divisions they touch and leaves the others as they were', () => {
    const counts = new LiveCounts();
    counts.applySnapshot(snapshot([row('AJM', 'women', 1), row('JPR', 'farmers', 3), row('JPR', 'youth', 2)]));
    const [ajmer, jaipur] = counts.divisions;
    const ajmerRows = ajmer!.rows;
    const jaipurRows = jaipur!.rows;
    counts.applyDeltas([delta([{ division: 'JPR', category: 'youth', messages: 5 }]), delta([{ division: 'JPR', category: 'youth', messages: 1 }])]);
    expect(shown(counts)).toEqual([
      ['AJM', 'women:1', 1],
      ['JPR', 'farmers:3 youth:8', 11],
    ]);
    expect(counts.divisions).toEqual([ajmer, jaipur]); // the same division objects: the page keeps its sections
    expect(ajmer!.rows).toBe(ajmerRows);
    expect(jaipur!.rows).not.toBe(jaipurRows);
    expect(jaipurRows.map((r) => r.messages)).toEqual([3, 2]); // what was shown is never changed in place
    expect(jaipur!.rows[0]).toBe(jaipurRows[0]); // an unchanged cell keeps its object
  });

  it('adds a cell or a division a delta brings, in its place', () => {
    const counts = new LiveCounts();
    counts.applySnapshot(snapshot([row('JPR', 'youth', 2)]));
    counts.applyDeltas([delta([{ division: 'JPR', category: 'farmers', messages: 1 }, { division: 'AJM', category: 'women', messages: 7 }, { division: 'unassigned', category: 'unassigned', messages: 1 }])]);
    expect(shown(counts)).toEqual([
      ['AJM', 'women:7', 7],
      ['JPR', 'farmers:1 youth:2', 3],
      ['unassigned', 'unassigned:1', 1],
    ]);
    expect(counts.totals.messages).toBe(11);
  });

  it("drops deltas for another day (the next snapshot brings it) and tells watchers each change's total", () => {
    const counts = new LiveCounts();
    const told: [number, string][] = [];
    counts.watchMessages((messages, day) => told.push([messages, day]));
    counts.applySnapshot(snapshot([row('JPR', 'youth', 2)]));
    counts.applyDeltas([delta([{ division: 'JPR', category: 'youth', messages: 9 }], '2026-12-01')]);
    counts.applyDeltas([delta([{ division: 'JPR', category: 'youth', messages: 3 }])]);
    counts.applySnapshot(snapshot([row('JPR', 'youth', 1)], '2026-12-01'));
    expect(told).toEqual([
      [2, DAY],
      [5, DAY],
      [1, '2026-12-01'],
    ]);
  });

  it('a resync keeps the rows of a division whose numbers did not change and takes those that did', () => {
    const counts = new LiveCounts();
    counts.applySnapshot(snapshot([row('AJM', 'women', 1), row('JPR', 'youth', 2)]));
    const [ajmer, jaipur] = counts.divisions;
    const ajmerRows = ajmer!.rows;
    counts.applySnapshot(snapshot([row('JPR', 'youth', 2, 3), row('AJM', 'women', 1)]));
    expect(ajmer!.rows).toBe(ajmerRows);
    expect(jaipur!.rows[0]!.activeGroups).toBe(3);
    expect(counts.totals.activeGroups).toBe(4);
    // A division gone from the snapshot (another scope, a new day) goes from the board.
    counts.applySnapshot(snapshot([row('JPR', 'youth', 2, 3)]));
    expect(shown(counts)).toEqual([['JPR', 'youth:2', 2]]);
    counts.reset();
    expect(counts.divisions).toEqual([]);
    expect(counts.totals.messages).toBe(0);
  });
});
