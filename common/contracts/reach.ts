/**
 * Message reach down the tree, as the api answers it (docs/openapi.yaml, GET /api/v1/board/reach…): how a
 * message first seen in a group above the booth level travelled to other groups, by division and level.
 * A message is known only by its fingerprint (keyed at the door, never the content); `id` is its first
 * 16 hex digits. The board imports the types only.
 */
import { z } from 'zod';

/** Minutes after the first sighting at which the share of booth groups reached is read. */
export const REACH_MARKS_MINUTES = [15, 60, 360, 1440] as const;

/** A message's id in the API: the first 16 hex digits of its keyed fingerprint. */
export const REACH_ID_LENGTH = 16;
export const reachIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'fingerprint must be the 16 hex digits of a message id');

/** Where a message was seen first. `title` is '' when the group is outside the reader's scope and above none of their divisions. */
export interface ReachOrigin {
  at: string;
  group: string;
  title: string;
  unit: string;
  unitName: string;
  level: string;
}

/** A division's booth groups reached: how many it has, and how many had the message by each mark. */
export interface ReachDivision {
  division: string;
  name: string;
  /** Booth groups of the division in the directory (the denominator). */
  boothGroups: number;
  /** Booth groups reached at 15 min, 1 h, 6 h and 24 h after the first sighting (REACH_MARKS_MINUTES). */
  reachedAt: number[];
  /** The same as shares of boothGroups (0 when the division has none). */
  shares: number[];
  /** Groups of any level of the division that had it, at any time. */
  groups: number;
}

/** A message marked important: the share of booth groups each division must reach, and by when. */
export interface ReachTarget {
  share: number;
  withinMinutes: number;
  markedBy: string;
  markedAt: string;
}

export interface ReachMessage {
  id: string;
  origin: ReachOrigin;
  /** Groups and units (any level) that had it, within the reader's scope. */
  groups: number;
  units: number;
  /** Booth groups and booths that had it, within the reader's scope. */
  boothGroups: number;
  booths: number;
  divisions: ReachDivision[];
  important: ReachTarget | null;
}

/** GET /api/v1/board/reach. */
export interface ReachListAnswer {
  day: string;
  timeZone: string;
  marksMinutes: number[];
  messages: ReachMessage[];
}

/** First arrival at a level (of the group's unit): when, minutes after the first sighting, and groups of the level reached. */
export interface ReachLevel {
  level: string;
  firstAt: string;
  minutes: number;
  groups: number;
}

/** A booth group that never got the message. */
export interface ReachMissingGroup {
  id: string;
  title: string;
  unit: string;
  unitName: string;
}

/** GET /api/v1/board/reach/{fingerprint}. */
export interface ReachDetailAnswer {
  message: ReachMessage;
  marksMinutes: number[];
  levels: ReachLevel[];
  /** The booth groups of `division` that never got it, in natural order of unit and title, one page. */
  missing: { division: string; total: number; page: number; pageSize: number; groups: ReachMissingGroup[] };
}

/** POST /api/v1/board/reach/{fingerprint}/important. */
export const reachTargetBodySchema = z.object({
  share: z.number({ required_error: 'share is required (0 to 1, e.g. 0.6)', invalid_type_error: 'share must be a number from 0 to 1' }).gt(0, 'share must be more than 0').max(1, 'share must be at most 1'),
  withinMinutes: z.number({ required_error: 'withinMinutes is required', invalid_type_error: 'withinMinutes must be a number' }).int('withinMinutes must be whole minutes').min(15, 'withinMinutes must be at least 15').max(1440, 'withinMinutes must be at most 1440 (24 h)'),
}).strict();

export interface ReachImportantAnswer {
  id: string;
  important: ReachTarget | null;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'day must be YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { message: 'day must be a real date' });

export const reachListQuerySchema = z.object({
  unit: z.string().max(256).default(''),
  day: day.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const reachDetailQuerySchema = z.object({
  unit: z.string().max(256).default(''),
  /** The division whose missing booth groups to list; default the reader's first division the message concerns. */
  division: z.string().max(256).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
