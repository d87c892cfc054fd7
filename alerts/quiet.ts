/**
 * The one definition of a quiet group, used by the alerts (group-inactive), the board's headline tile,
 * a unit page's quiet list and own groups, and the alerts API's quiet groups. Pure.
 *
 * A group is quiet when it has sent no message for its threshold: `inactivity.byCategory[category]`,
 * else `inactivity.byLevel[level of its unit]`, else `inactivity.defaultHours`. A group that never
 * spoke (or whose last message is older than the store's read window) counts from when it entered the
 * directory, and is not quiet during `inactivity.newGraceHours` after that (a new group gets time to
 * start). A group whose entry time is unknown and that never spoke is not quiet either (nothing to
 * count from).
 */
import { HOUR_MS } from '../common/time.ts';

export interface QuietRules {
  defaultHours: number;
  byCategory: Readonly<Record<string, number>>;
  byLevel: Readonly<Record<string, number>>;
  newGraceHours: number;
}

export interface QuietFacts {
  category: string;
  /** Level of the unit the group is placed on. */
  level: string;
  /** Epoch ms of its last message, when known. */
  lastMessageAt?: number;
  /** Epoch ms when it entered the directory, when known. */
  addedAt?: number;
}

export interface Quietness {
  quiet: boolean;
  /** The group's threshold, ms (what "quiet" means for it). */
  thresholdMs: number;
  /** It never spoke (as far as the store knows). */
  neverSpoke: boolean;
  /** Still in the grace period of a group that never spoke. */
  inGrace: boolean;
  /** The time silence is counted from (last message, else entry to the directory); null when unknown. */
  silentSince: number | null;
}

/** A group's threshold, ms: category override, else level override, else the default. */
export function quietThresholdMs(rules: QuietRules, category: string, level: string): number {
  return (rules.byCategory[category] ?? rules.byLevel[level] ?? rules.defaultHours) * HOUR_MS;
}

export function quietness(rules: QuietRules, group: QuietFacts, now: number): Quietness {
  const thresholdMs = quietThresholdMs(rules, group.category, group.level);
  if (group.lastMessageAt !== undefined) {
    return { quiet: now - group.lastMessageAt >= thresholdMs, thresholdMs, neverSpoke: false, inGrace: false, silentSince: group.lastMessageAt };
  }
  if (group.addedAt === undefined) return { quiet: false, thresholdMs, neverSpoke: true, inGrace: true, silentSince: null };
  const inGrace = now - group.addedAt < rules.newGraceHours * HOUR_MS;
  return { quiet: !inGrace, thresholdMs, neverSpoke: true, inGrace, silentSince: group.addedAt };
}
