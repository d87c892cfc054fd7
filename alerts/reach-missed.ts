/**
 * Rule `reach-missed`: a message an admin marked important (POST /api/v1/board/reach/{id}/important) has not
 * reached the set share of a division's booth groups by its deadline (first sighting + withinMinutes). One
 * condition per (division, message), subject `<division>/<message id>`; it holds until the division catches up
 * (booth groups reached so far, however late) or 24 h after the deadline, when the message is no longer followed.
 * Self-contained: the detector adds these conditions to the evaluation's before planning.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { REACH_ID_LENGTH } from '../common/contracts/reach.ts';
import { DAY_MS, MINUTE_MS } from '../common/time.ts';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { readDivisionReach, readReachFirsts, readReachMarks, type ReachFirst, type ReachMark } from '../directory/reach.ts';
import { boothGroupsByDivision, share, targetMissed } from '../directory/reach-math.ts';
import type { Condition } from './evaluate.ts';

/** How long after its deadline a missed target is still alerted on. */
export const FOLLOW_AFTER_DEADLINE_MS = DAY_MS;

const percent = (x: number) => `${Math.round(x * 100)} %`;
const within = (minutes: number) => (minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`);

/** The conditions, from what was read (pure). */
export function reachMissedFrom(
  index: Pick<DirectoryIndex, 'units' | 'settings' | 'groups' | 'isLeaf'>,
  due: readonly { message: ReachFirst; mark: ReachMark; divisions: readonly { division: string; boothGroups: number; reachedByDeadline: number }[] }[],
  now: number,
): Condition[] {
  const totals = boothGroupsByDivision(index);
  const out: Condition[] = [];
  for (const { message, mark, divisions } of due) {
    const deadline = message.firstAt + mark.withinMinutes * MINUTE_MS;
    if (now < deadline || now >= deadline + FOLLOW_AFTER_DEADLINE_MS) continue;
    const byDivision = new Map(divisions.map((d) => [d.division, d]));
    const id = message.fingerprint.slice(0, REACH_ID_LENGTH);
    for (const node of index.units.values()) {
      if (node.unit.level !== index.settings.divisionLevel) continue;
      const division = node.unit.id;
      const total = totals.get(division)?.length ?? 0;
      const row = byDivision.get(division);
      const had = targetMissed(mark, message.firstAt, now, row?.reachedByDeadline ?? 0, total);
      if (had === undefined || share(row?.boothGroups ?? 0, total) >= mark.share) continue;
      out.push({
        rule: 'reach-missed', subjectKind: 'unit', subject: `${division}/${id}`, division, divisions: [], unit: division, unitPath: [...node.path], category: '', since: deadline,
        message: `important message ${id} reached ${percent(had)} of the booth groups of ${node.unit.name} within ${within(mark.withinMinutes)} (target ${percent(mark.share)})`,
        details: { message: id, name: node.unit.name, share: had, target: mark.share, withinMinutes: mark.withinMinutes, boothGroups: total, reached: row?.reachedByDeadline ?? 0, firstSeenAt: new Date(message.firstAt).toISOString() },
      });
    }
  }
  return out;
}

/** Read the marks in force whose deadline has passed within the follow window, and judge them. */
export async function readReachMissed(client: ClickHouseClient, index: DirectoryIndex, now: number): Promise<Condition[]> {
  const marks = await readReachMarks(client);
  if (marks.size === 0) return [];
  const firsts = (await readReachFirsts(client, [...marks.keys()])).filter((m) => {
    const deadline = m.firstAt + marks.get(m.fingerprint)!.withinMinutes * MINUTE_MS;
    return now >= deadline && now < deadline + FOLLOW_AFTER_DEADLINE_MS;
  });
  if (firsts.length === 0) return [];
  const leafLevel = index.settings.levels[index.settings.levels.length - 1]!;
  const rows = await readDivisionReach(client, firsts, { leafLevel, deadlineMinutes: new Map(firsts.map((m) => [m.fingerprint, marks.get(m.fingerprint)!.withinMinutes])) });
  return reachMissedFrom(index, firsts.map((message) => ({ message, mark: marks.get(message.fingerprint)!, divisions: rows.get(message.fingerprint) ?? [] })), now);
}

