/**
 * Digests, pure: per division, one message listing the groups that went quiet since the last digest,
 * with a line per category ("7 of your 42 booth-voters groups silent for more than 3 days").
 */
import { createHash } from 'node:crypto';
import { DAY_MS } from '../common/time.ts';
import type { GroupState, Signals } from './evaluate.ts';
import type { Alert, Digest, DigestLine } from '../common/contracts/alerts.ts';

export function buildDigests(
  signals: Signals,
  states: ReadonlyMap<string, GroupState>,
  open: readonly Alert[],
  since: number,
  silentDays: number,
  now: number,
): Omit<Digest, 'recipients'>[] {
  const newlyQuiet = new Map<string, Digest['newlyQuiet']>();
  for (const alert of open) {
    if (alert.rule !== 'group-inactive' || alert.firedAt <= since || alert.state === 'resolved') continue;
    const list = newlyQuiet.get(alert.division) ?? [];
    const title = alert.details.title;
    list.push({ group: alert.subject, ...(typeof title === 'string' ? { title } : {}), unit: alert.unit, category: alert.category, silentSince: alert.since });
    newlyQuiet.set(alert.division, list);
  }
  const digests: Omit<Digest, 'recipients'>[] = [];
  for (const [division, quiet] of newlyQuiet) {
    const perCategory = new Map<string, { silent: number; total: number }>();
    for (const group of signals.groups) {
      if (group.division !== division) continue;
      const cell = perCategory.get(group.category) ?? { silent: 0, total: 0 };
      cell.total += 1;
      const state = states.get(group.id);
      if (state && state.state === 'dormant' && state.silentMs !== null && state.silentMs > silentDays * DAY_MS) cell.silent += 1;
      perCategory.set(group.category, cell);
    }
    const lines: DigestLine[] = [...perCategory]
      .filter(([, c]) => c.silent > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, c]) => ({ category, ...c, text: `${c.silent} of your ${c.total} ${category} groups silent for more than ${silentDays} days` }));
    const id = createHash('sha256').update(`${division}\u0000${now}`).digest('hex').slice(0, 32);
    digests.push({ id, division, sentAt: now, silentDays, lines, newlyQuiet: quiet.sort((a, b) => a.silentSince - b.silentSince) });
  }
  return digests;
}
