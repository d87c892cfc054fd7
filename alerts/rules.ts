/**
 * Alert rules and thresholds: one typed object with sane defaults, optionally read from a JSON file
 * (ALERT_RULES_FILE) whose keys override the defaults. Overrides per category and per level: a
 * category override wins over a level override, which wins over the default ("booth-voters 48 h,
 * office-bearers 24 h"). Pure apart from `loadAlertRules`, which reads the file once at start.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeZodError } from '../common/events.ts';
import { localMinutes, MINUTE_MS } from '../common/time.ts';
import { quietThresholdMs } from './quiet.ts';


const hours = z.number({ invalid_type_error: 'must be a number of hours' }).positive('must be more than 0 hours');
const share = z.number().gt(0, 'must be more than 0').lt(1, 'must be less than 1');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');

/** Per-category thresholds when the rules set neither `defaultHours` nor `byCategory`. */
const BUILT_IN_CATEGORY_HOURS: Record<string, number> = { 'office-bearers': 24, 'booth-voters': 48 };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const muteWindowSchema = z.object({
  /** Local start and end, HH:MM; a window may cross midnight (22:00 → 07:00). */
  from: clock,
  to: clock,
  timeZone: z.string().default('Asia/Kolkata'),
});
export type MuteWindow = z.infer<typeof muteWindowSchema>;

export const alertRulesSchema = z
  .object({
    /** What "quiet" means (alerts/quiet.ts): the one definition the alerts, the tiles and the unit pages use. */
    inactivity: z.preprocess(
      // A file that sets defaultHours and no byCategory means "this threshold for every group": the built-in
      // per-category thresholds are defaults of the default, not overrides the file must undo.
      (input) => (isObject(input) && 'defaultHours' in input && !('byCategory' in input) ? { ...input, byCategory: {} } : input),
      z
        .object({
          /** No message for this long = quiet (group-inactive fires). */
          defaultHours: hours.default(48),
          byCategory: z.record(hours).default(BUILT_IN_CATEGORY_HOURS),
          byLevel: z.record(hours).default({}),
          /** A group that never spoke is "new" (not quiet, no alert) this long after it entered the directory. */
          newGraceHours: hours.default(72),
        })
        .strict()
        .default({}),
    ),
    unitDark: z
      .object({
        enabled: z.boolean().default(true),
        /** Levels whose units are watched; empty = every level. Only the highest dark unit of a branch alerts. */
        levels: z.array(z.string()).default([]),
      })
      .default({}),
    sharpDrop: z
      .object({
        enabled: z.boolean().default(true),
        /** Recent window and the trailing baseline before it, whole hours. */
        windowHours: z.number().int().positive().default(24),
        baselineDays: z.number().int().positive().default(7),
        /** Fires when recent < share × baseline-per-window; resolves at or above resolveShare × baseline. */
        share: share.default(0.3),
        resolveShare: share.default(0.5),
        /** Ignore subjects quieter than this per window in the baseline (noise). */
        minBaselineMessages: z.number().nonnegative().default(20),
        /** Units on these levels are watched for drops too (their groups summed). */
        unitLevels: z.array(z.string()).default(['division']),
      })
      .default({}),
    source: z
      .object({
        /** A source with no traffic for this long is down; its groups are dark (no data). */
        silentMinutes: z.number().positive().default(30),
        /** Sources unheard for longer than this are retired, not down. */
        forgetAfterDays: z.number().positive().default(14),
      })
      .default({}),
    lifecycle: z
      .object({
        /** First message within this many days = "new". */
        newDays: z.number().positive().default(7),
      })
      .default({}),
    routing: z
      .object({
        /** Unacknowledged this long (of time outside mute windows, in one stretch) → the leads one level up are added; 0 = never escalate. */
        escalateAfterMinutes: z.number().nonnegative().default(240),
      })
      .default({}),
    digest: z
      .object({
        intervalMinutes: z.number().positive().default(60),
        /** Digests one lead receives per day (IST day of `timeZone`) at most. */
        dailyCapPerLead: z.number().int().nonnegative().default(6),
        /** "silent for more than N days" in the digest line. */
        silentDays: z.number().positive().default(3),
        timeZone: z.string().default('Asia/Kolkata'),
      })
      .default({}),
    compliance: z
      .object({
        /** Once a day, after `digestAt` (local time of digest.timeZone), each lead gets their unit's compliance. */
        digest: z.boolean().default(true),
        digestAt: clock.default('09:00'),
        /** Booths named in it at most; "and N more" after. */
        listBooths: z.number().int().positive().default(10),
      })
      .default({}),
    representatives: z
      .object({
        /** Rule representative-lagging: no post for this many days (or below the follower target and not growing over 7 days). */
        enabled: z.boolean().default(true),
        silentDays: z.number().positive().default(3),
      })
      .default({}),
    silences: z
      .object({
        /** Longest a silence may last, days from its creation: a forgotten silence must not hide a group for good. */
        maxDays: z.number().positive().default(30),
      })
      .default({}),
    /** Pushes (webhooks, digests) wait while a window is on; alerts still fire, are stored and show live. */
    muteWindows: z.array(muteWindowSchema).default([{ from: '22:00', to: '07:00', timeZone: 'Asia/Kolkata' }]),
  })
  .strict();

export type AlertRules = z.infer<typeof alertRulesSchema>;

export const DEFAULT_ALERT_RULES: AlertRules = alertRulesSchema.parse({});

export class AlertRulesError extends Error {
  override name = 'AlertRulesError';
}

/** Parse a rules object (e.g. the JSON file's content) over the defaults; throws naming the bad key. */
export function parseAlertRules(input: unknown, where = 'alert rules'): AlertRules {
  const result = alertRulesSchema.safeParse(input ?? {});
  if (!result.success) throw new AlertRulesError(`${where}: ${describeZodError(result.error)}`);
  return result.data;
}

/** Rules from ALERT_RULES_FILE, or the defaults when unset. */
export function loadAlertRules(file: string | undefined): AlertRules {
  if (!file) return DEFAULT_ALERT_RULES;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AlertRulesError(`ALERT_RULES_FILE ${file}: cannot read it (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AlertRulesError(`ALERT_RULES_FILE ${file}: not JSON (${(error as Error).message})`);
  }
  return parseAlertRules(json, `ALERT_RULES_FILE ${file}`);
}

/** The inactivity threshold of a group, ms: category override, else level override, else the default. */
export function inactivityThresholdMs(rules: AlertRules, category: string, level: string): number {
  return quietThresholdMs(rules.inactivity, category, level);
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Is a mute window on at `at`? [from, to) in the window's zone; from > to crosses midnight. */
export function isMuted(windows: readonly MuteWindow[], at: number): boolean {
  return windows.some((w) => {
    const m = localMinutes(at, w.timeZone);
    const from = toMinutes(w.from);
    const to = toMinutes(w.to);
    if (from === to) return false;
    return from < to ? m >= from && m < to : m >= from || m < to;
  });
}

/**
 * Start of the stretch without a mute window that `now` is in, looking back at most `lookbackMs`
 * (windows are whole minutes, so minute steps are exact): `now` itself while a window is on, and
 * `now - lookbackMs` or earlier when none was on in that time.
 */
export function unmutedSince(windows: readonly MuteWindow[], now: number, lookbackMs: number): number {
  if (windows.length === 0) return now - lookbackMs;
  if (isMuted(windows, now)) return now;
  const start = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  for (let at = start; at > now - lookbackMs; at -= MINUTE_MS) {
    if (isMuted(windows, at - MINUTE_MS)) return at;
  }
  return now - lookbackMs;
}
