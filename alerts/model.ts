/**
 * The alert contract shared by the detector (processor role), the deliverer, the api and the board:
 * what an alert is, what goes on the `alerts` topic, and how an alert's id is made.
 */
import { createHash } from 'node:crypto';

export { alertAudience } from './audience.ts';

export const ALERT_RULE_NAMES = ['group-inactive', 'unit-dark', 'sharp-drop', 'source-down', 'pipeline-stalled'] as const;
export type AlertRuleName = (typeof ALERT_RULE_NAMES)[number];

export const ALERT_STATES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export type SubjectKind = 'group' | 'unit' | 'source' | 'pipeline';

export interface Alert {
  /** Deterministic: rule + subject + episode start, so two runners firing the same episode write one alert. */
  id: string;
  rule: AlertRuleName;
  subjectKind: SubjectKind;
  /** Group id, unit id, source name, or the events topic (pipeline-stalled). */
  subject: string;
  /** Division the subject belongs to ('' for a source: see `divisions`). */
  division: string;
  /** Source-down: every division whose groups the source feeds (their leads get the alert); else empty. */
  divisions: string[];
  unit: string;
  /** Units from the top of the tree down to `unit` (filters "alerts under this unit"). */
  unitPath: string[];
  category: string;
  state: AlertState;
  message: string;
  details: Record<string, string | number>;
  /** Epoch ms when the condition began (last message, last traffic, hour of the drop). */
  since: number;
  firedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  escalatedAt: number | null;
  /** Unit one level above the division that the alert escalated to ('' = none). */
  escalatedUnit: string;
  /** Leads the alert is addressed to, and those added by escalation. */
  recipients: string[];
  escalatedTo: string[];
  /** Epoch µs of the row: the newest row of an alert wins. */
  version: number;
}

export type AlertChangeKind = 'fired' | 'acknowledged' | 'escalated' | 'resolved';

/** One record on the `alerts` topic (key = division). */
export type AlertMessage =
  | { kind: 'alert'; change: AlertChangeKind; alert: Alert }
  | { kind: 'digest'; digest: Digest };

export interface DigestLine {
  category: string;
  silent: number;
  total: number;
  text: string;
}

/** One message per division per interval listing its newly quiet groups. */
export interface Digest {
  id: string;
  division: string;
  recipients: string[];
  sentAt: number;
  silentDays: number;
  lines: DigestLine[];
  /** `title`: the group's directory title, when its alert carries one (alerts/name-groups.ts). */
  newlyQuiet: { group: string; title?: string; unit: string; category: string; silentSince: number }[];
}

export function alertId(rule: AlertRuleName, subject: string, since: number): string {
  return createHash('sha256').update(`${rule}\u0000${subject}\u0000${since}`).digest('hex').slice(0, 32);
}

/** Key of "one open alert per subject and rule". */
export function openKey(rule: string, subject: string): string {
  return `${rule}\u0000${subject}`;
}

export function isOpen(alert: Pick<Alert, 'state'>): boolean {
  return alert.state !== 'resolved';
}
