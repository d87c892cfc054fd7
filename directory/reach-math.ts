/**
 * The pure side of message reach (directory/reach.ts reads, this shapes): booth groups per division from
 * the directory, shares at the four marks, first arrival per level, the booth groups a message missed,
 * and whether an important message's division missed its target. No I/O.
 */
import { REACH_MARKS_MINUTES, type ReachDivision, type ReachLevel, type ReachMissingGroup } from '../common/contracts/reach.ts';
import { MINUTE_MS } from '../common/time.ts';
import type { DirectoryIndex } from './directory-index.ts';

/** The booth groups (groups on a leaf unit) of each division, by id, with their unit. */
export type BoothGroups = ReadonlyMap<string, readonly { id: string; unit: string }[]>;

export function boothGroupsByDivision(index: Pick<DirectoryIndex, 'groups' | 'isLeaf'>): Map<string, { id: string; unit: string }[]> {
  const out = new Map<string, { id: string; unit: string }[]>();
  for (const [id, placement] of index.groups) {
    const unit = placement.unitPath[placement.unitPath.length - 1];
    if (unit === undefined || !index.isLeaf(unit)) continue;
    let list = out.get(placement.division);
    if (!list) out.set(placement.division, (list = []));
    list.push({ id, unit });
  }
  return out;
}

/** A division's reach as read per (message, division): booth groups reached by each mark. */
export interface DivisionReachRow {
  division: string;
  groups: number;
  units: number;
  boothGroups: number;
  booths: number;
  /** Booth groups reached within each of REACH_MARKS_MINUTES. */
  reachedAt: number[];
}

/** Share with 4 decimals; 0 of 0 is 0. */
export function share(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
}

/**
 * One row per division of the division level the reader may see: those reached and, so a division the
 * message never got to shows as 0 %, every other division in `divisions`. Ordered by name.
 */
export function divisionShares(rows: readonly DivisionReachRow[], divisions: readonly string[], boothTotals: ReadonlyMap<string, number>, nameOf: (id: string) => string): ReachDivision[] {
  const byDivision = new Map(rows.map((r) => [r.division, r]));
  return divisions
    .map((division) => {
      const row = byDivision.get(division);
      const total = boothTotals.get(division) ?? 0;
      const reachedAt = REACH_MARKS_MINUTES.map((_, i) => Math.min(total, row?.reachedAt[i] ?? 0));
      return { division, name: nameOf(division), boothGroups: total, reachedAt, shares: reachedAt.map((n) => share(n, total)), groups: row?.groups ?? 0 };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }) || a.division.localeCompare(b.division));
}

/** First arrival at each level, top level first, in minutes after the origin; levels the tree no longer has are left out. */
export function firstArrivalByLevel(byLevel: readonly { level: string; firstAt: number; groups: number }[], levels: readonly string[], originAt: number): ReachLevel[] {
  const seen = new Map(byLevel.map((l) => [l.level, l]));
  return levels.flatMap((level) => {
    const l = seen.get(level);
    return l ? [{ level, firstAt: new Date(l.firstAt).toISOString(), minutes: Math.round((l.firstAt - originAt) / MINUTE_MS), groups: l.groups }] : [];
  });
}

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** The booth groups of a division that are not in `reached`, in natural order of unit name then id; one page. */
export function missingBoothGroups(
  boothGroups: readonly { id: string; unit: string }[],
  reached: ReadonlySet<string>,
  unitName: (unit: string) => string,
  page: number,
  pageSize: number,
): { total: number; groups: Omit<ReachMissingGroup, 'title'>[] } {
  const missing = boothGroups
    .filter((g) => !reached.has(g.id))
    .map((g) => ({ id: g.id, unit: g.unit, unitName: unitName(g.unit) }))
    .sort((a, b) => naturalOrder.compare(a.unitName, b.unitName) || naturalOrder.compare(a.id, b.id));
  return { total: missing.length, groups: missing.slice((page - 1) * pageSize, page * pageSize) };
}

/**
 * Has a division missed an important message's target? Only once the deadline (first sighting +
 * withinMinutes) has passed, judged on the booth groups it had by the deadline. Undefined = not missed
 * (or not yet known); else the share it had.
 */
export function targetMissed(target: { share: number; withinMinutes: number }, originAt: number, now: number, reachedByDeadline: number, boothGroups: number): number | undefined {
  if (boothGroups === 0 || now < originAt + target.withinMinutes * MINUTE_MS) return undefined;
  const had = share(reachedByDeadline, boothGroups);
  return had < target.share ? had : undefined;
}
