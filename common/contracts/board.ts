/**
 * The read side the board uses, as the api answers it (docs/openapi.yaml): a unit's drill-down and
 * coverage (GET /api/v1/board/unit, /api/v1/directory/drilldown and /coverage), quiet groups, time
 * series, trends and search — the answers' types, and the zod schemas of the queries the api parses.
 * The server checks each answer against its type (`satisfies`); the board imports the types only.
 */
import { z } from 'zod';
import { isoInstant } from './params.ts';

/** A unit's (or a child's) numbers over a window in a drill-down. */
export interface UnitCounts {
  /** Unit id; '' for groups placed directly on the unit asked for. */
  id: string;
  name: string;
  level: string;
  groups: number;
  activeGroups: number;
  inactiveGroups: number;
  messages: number;
  media: number;
  forwarded: number;
  joins: number;
  leaves: number;
  members: number;
}

/** A unit's sums: what a drill-down row holds besides the unit's id, name and level. */
export type UnitSums = Omit<UnitCounts, 'id' | 'name' | 'level'>;

/** A unit's drill-down: its numbers and each child's. */
export interface DrillDown {
  unit: { id: string; name: string; level: string; path: string[] } | null;
  total: UnitCounts;
  children: UnitCounts[];
}

/** Booth coverage of a unit or a child. */
export interface Coverage {
  id: string;
  name: string;
  level: string;
  booths: number;
  boothsWithGroup: number;
  boothsActive24h: number;
  boothsActive7d: number;
  /** Booths lacking at least one expected category. */
  boothsMissingExpected: number;
  /** Per expected category: booths without a group of it. */
  missingByCategory: Record<string, number>;
  groups: number;
  /** Distinct people present in the unit's groups (one person in several groups counts once). */
  reached: number;
  /** Sum of target sizes of the unit's groups that have one; null when none does. */
  target: number | null;
}

/** GET /api/v1/directory/coverage. */
export interface CoverageReport {
  asOf: string;
  expected: string[];
  leafLevel: string;
  total: Coverage;
  children: Coverage[];
}

/** GET /api/v1/directory/drilldown. */
export interface DrillDownAnswer extends DrillDown {
  from: string;
  to: string;
  /** The directory version the drill-down was made with. */
  version: number;
}

/** GET /api/v1/board/unit: the unit's page in one answer. */
export interface UnitAnswer {
  from: string;
  to: string;
  unit: { id: string; name: string; level: string; path: string[]; division: string; leaf: boolean } | null;
  path: { id: string; name: string; level: string }[];
  total: UnitCounts;
  children: UnitCounts[];
  coverage: { expected: string[]; leafLevel: string; total: Coverage; children: Coverage[] };
  /**
   * The groups placed on the unit itself (at most 500), each with whether it is quiet now and what quiet
   * means for it (the same judgement as `quiet` below: a group is never both quiet and active on the page).
   */
  groups: { id: string; unit: string; title: string; category: string; messages: number; members: number; lastMessageAt: string | null; quiet: boolean; quietThresholdHours: number }[];
  /**
   * Groups at or under the unit that are quiet as of `asOf` (alerts/quiet.ts: no message for their
   * category's threshold, never-spoken groups after the grace period): how many, and the longest silent
   * (lastMessageAt null = none in 30 days), each with its threshold, the units from below this one down to its
   * own (`path`) and who to call about it.
   */
  quiet: { asOf: string; rules: QuietRulesSummary; total: number; groups: QuietGroup[] };
}

/** A quiet group as the lead's action list shows it. */
export interface QuietGroup {
  id: string;
  title: string;
  unit: string;
  unitName: string;
  category: string;
  lastMessageAt: string | null;
  /** How long without a message makes this group quiet (its category's threshold). */
  thresholdHours: number;
  /** The units below the page's unit down to the group's own, top first (just the group's own when it sits on the page's unit). */
  path: { id: string; name: string; level: string }[];
  /** Who to call about the group: its own contacts, then its unit's and those of the units above it up to its division, nearest first (at most 3). */
  contacts: ContactCard[];
}

/** A person to call: a group's admin, a booth's pramukh, a mandal's in-charge. `phone` is E.164. */
export interface ContactCard {
  person: string;
  role: string;
  phone: string;
  /** The unit the person answers for ('' when the contact is a group's). */
  unit: string;
  /** The group the person answers for ('' when the contact is a unit's). */
  group: string;
}

/** GET /api/v1/directory/contacts: the contacts of a unit and everything below it. */
export interface ContactsAnswer {
  unit: string;
  total: number;
  contacts: ContactCard[];
}

/** What "quiet" means, as the alert rules say it (inactivity in the rules; alerts/quiet.ts). Hours. */
export interface QuietRulesSummary {
  defaultHours: number;
  byCategory: Record<string, number>;
  byLevel: Record<string, number>;
  newGraceHours: number;
}

/** GET /api/v1/board/quiet: only the quiet-groups count (cheap to poll). */
export interface QuietAnswer {
  unit: string;
  asOf: string;
  rules: QuietRulesSummary;
  groups: number;
  quietGroups: number;
}

/** One bucket of a time series; `t` is its start in epoch seconds. */
export interface SeriesPoint {
  t: number;
  messages: number;
  activeGroups: number;
  activeMembers: number;
  joins: number;
  leaves: number;
}

/** GET /api/v1/board/series. */
export interface SeriesAnswer {
  unit: string;
  from: string;
  to: string;
  stepSeconds: number;
  points: SeriesPoint[];
}

/** Hourly messages of one division × category for the grid's sparklines. */
export interface TrendCell {
  division: string;
  category: string;
  messages: number[];
}

/** GET /api/v1/board/trends. */
export interface TrendsAnswer {
  from: string;
  to: string;
  stepSeconds: number;
  /** Bucket starts, epoch seconds. */
  buckets: number[];
  /** Messages per minute over the last complete minute and the current one so far. */
  perMinute: number;
  /** Division names by id. */
  names: Record<string, string>;
  cells: TrendCell[];
}

/** GET /api/v1/board/search. */
export interface SearchAnswer {
  q: string;
  units: { id: string; name: string; level: string; division: string }[];
  groups: { id: string; unit: string; category: string; title: string; division: string; unitName: string }[];
}

export const trendsQuerySchema = z.object({
  hours: z.coerce.number({ invalid_type_error: 'hours must be a number' }).int('hours must be whole').min(1, 'hours must be 1 to 48').max(48, 'hours must be 1 to 48').default(12),
});

/** A unit ('' = the whole organisation) over [from, to): the unit page, the drill-down. */
export const unitQuerySchema = z.object({
  unit: z.string().max(256).default(''),
  from: isoInstant('from').optional(),
  to: isoInstant('to').optional(),
});

export const seriesQuerySchema = unitQuerySchema.extend({
  step: z.coerce.number({ invalid_type_error: 'step must be a number of seconds' }).int().min(60, 'step must be at least 60 seconds').max(7 * 86_400, 'step must be at most 7 days').optional(),
});

export const searchQuerySchema = z.object({
  q: z.string().trim().min(2, 'q must have at least 2 characters').max(100, 'q must have at most 100 characters'),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

export const coverageQuerySchema = z.object({
  unit: z.string().default(''),
  expected: z.string().optional().transform((s) => (s ? s.split(',').map((c) => c.trim()).filter(Boolean) : undefined)),
});
