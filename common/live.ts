/**
 * The live contract between processor, api and board: the counts per division × category, the delta
 * the processor publishes after each written batch, and the socket — its event names and payloads
 * (both directions, typed on the server and in the board) and its rooms.
 */
import type { AlertChange, Digest } from './contracts/alerts.ts';
import type { Scope } from './contracts/access.ts';

/** Additive counters: a delta can be added to a snapshot. */
export interface Counters {
  messages: number;
  media: number;
  forwarded: number;
  joins: number;
  leaves: number;
}

export const ZERO_COUNTERS: Readonly<Counters> = { messages: 0, media: 0, forwarded: 0, joins: 0, leaves: 0 };
export const COUNTER_NAMES = Object.keys(ZERO_COUNTERS) as (keyof Counters)[];

export interface CountsRow extends Counters {
  division: string;
  category: string;
}

/** A snapshot row also carries distinct counts, which cannot be summed from deltas. */
export interface SnapshotRow extends CountsRow {
  activeGroups: number;
  activeSenders: number;
}

/**
 * Which batch of the events topic wrote something: its partition and the offset after its last record
 * (Kafka's "next offset"). Each row the batch writes to rollup_minute carries the same mark, so a
 * snapshot read from it knows the highest mark per partition it holds (see api/live/live-counts.ts).
 */
export interface BatchMark {
  partition: number;
  /** A decimal string: offsets are 64-bit. */
  nextOffset: string;
}

/** Published on the "live" topic by the processor after a batch was written to ClickHouse. */
export interface LiveDelta {
  /** The batch whose rows these are: a snapshot whose watermark reaches it already holds them. */
  batch: BatchMark;
  /** Epoch ms of the oldest acceptance in the batch: end-to-end latency is measured from here. */
  oldestReceivedAt: number;
  /** Per-day buckets (the board's day, `YYYY-MM-DD` in its time zone). */
  days: { day: string; rows: CountsRow[] }[];
}

/** Socket.io event names (server → client). */
export const SOCKET_EVENTS = {
  /** Full counts for the board's day: on connect and every resync. */
  snapshot: 'counts:snapshot',
  /** Additive counts since the last delta, at most once per LIVE_INTERVAL_MS. */
  delta: 'counts:delta',
  /** A new alert for the socket's divisions (alerts/). */
  alertFired: 'alerts:fired',
  /** An alert acknowledged, escalated or resolved. */
  alertUpdated: 'alerts:updated',
  /** A division's digest of newly quiet groups. */
  alertDigest: 'alerts:digest',
} as const;

/** What the server sends, by event: Socket.io checks every emit and every listener against it. */
export interface ServerToClientEvents {
  [SOCKET_EVENTS.snapshot]: (snapshot: CountsSnapshot) => void;
  [SOCKET_EVENTS.delta]: (delta: CountsDelta) => void;
  [SOCKET_EVENTS.alertFired]: (change: AlertChange) => void;
  [SOCKET_EVENTS.alertUpdated]: (change: AlertChange) => void;
  [SOCKET_EVENTS.alertDigest]: (digest: Digest) => void;
}

/** The board only listens: it sends nothing over the socket. */
export type ClientToServerEvents = Record<string, never>;

/** Rooms: `all` for central monitoring (admins, monitors, analysts), `division:<id>` per division a lead may see. */
export const ALL_ROOM = 'all';
export const divisionRoom = (division: string) => `division:${division}`;

/** The rooms a signed-in socket joins: what its scope may see. */
export function roomsOf(scope: Scope): string[] {
  return scope.kind === 'all' ? [ALL_ROOM] : scope.divisions.map(divisionRoom);
}

export interface CountsSnapshot {
  day: string;
  timeZone: string;
  asOf: string;
  rows: SnapshotRow[];
}

export interface CountsDelta {
  day: string;
  asOf: string;
  rows: CountsRow[];
}

export function addCounters(target: Counters, delta: Counters): void {
  for (const name of COUNTER_NAMES) target[name] += delta[name];
}

export function cellKey(division: string, category: string): string {
  return `${division}\u0000${category}`;
}

/** Rows added up per cell (copies: the rows given are not changed), in the order each cell first appears. */
export function mergeRows(rows: Iterable<CountsRow>): CountsRow[] {
  const merged = new Map<string, CountsRow>();
  for (const row of rows) {
    const key = cellKey(row.division, row.category);
    const cell = merged.get(key);
    if (cell) addCounters(cell, row);
    else merged.set(key, { ...row });
  }
  return [...merged.values()];
}
