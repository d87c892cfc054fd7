/**
 * The board's live picture of today's counts per division × category: replaced whole by each
 * `counts:snapshot` (on connect, after every reconnect and every ~10 s resync), kept current in
 * between by additive `counts:delta`s. Distinct counts (active groups) only change with snapshots.
 */
import type { Socket } from 'socket.io-client';
import type { LiveSocket } from '../live-socket.ts';
import {
  addCounters,
  COUNTER_NAMES,
  mergeRows,
  SOCKET_EVENTS,
  type CountsDelta,
  type CountsSnapshot,
  type SnapshotRow,
} from '../../../../common/live.ts';

/** connecting: first attempt; live: connected and the numbers are current; reconnecting: lost, retrying; offline: not trying (browser offline, or closed). */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** What the board shows per cell and in the totals. */
export type Metric = 'messages' | 'media' | 'forwarded' | 'joins' | 'leaves' | 'activeGroups';

/** Sums of a set of rows: the shown metrics and active members (summed per cell: one counted in two cells counts twice). */
export type Totals = Record<Metric | 'activeSenders', number>;

/** Every number a snapshot row carries. */
const SNAPSHOT_NUMBERS = [...COUNTER_NAMES, 'activeGroups', 'activeSenders'] as const;

/** The sums of every number of these rows (or of these subtotals: they carry the same numbers). */
function sumRows(rows: readonly Totals[]): Totals {
  const totals: Totals = { messages: 0, media: 0, forwarded: 0, joins: 0, leaves: 0, activeGroups: 0, activeSenders: 0 };
  for (const row of rows) for (const name of SNAPSHOT_NUMBERS) totals[name] += row[name];
  return totals;
}

/**
 * One division's rows (sorted by category) with its subtotals. The rows are plain objects never changed
 * in place: an update gives the division a new array, with new objects for the cells it changed. That is
 * one signal write per division however many numbers changed (deep reactive rows made a write, and a walk
 * of its readers, per number: ~360 per update at the evening peak, most of the update's script on a phone),
 * and what reads a division's rows or subtotals wakes only when that division changed.
 */
export class DivisionRows {
  readonly division: string;
  rows: readonly SnapshotRow[] = $state.raw([]);
  readonly totals: Totals = $derived(sumRows(this.rows));

  constructor(division: string, rows: readonly SnapshotRow[]) {
    this.division = division;
    this.rows = rows;
  }
}

/** The name of the user-timing measure of each live update (LiveCounts.follow; bench/board-ui.ts observes it). */
export const UPDATE_MEASURE = 'grouppulse:live-update';

export interface FollowOptions {
  /** The server refused the socket's sign-in for good (expired, signed out, disabled): its reason. */
  onRefused?: (reason: string) => void;
  /** Wait before asking again when the server could not check the sign-in just now. */
  retryMs?: number;
  /**
   * Deltas are put on screen at most this often (default 1000 ms: the board updates every second);
   * the ones that arrive in between are added together then. A delta after a quiet spell shows at once.
   */
  applyEveryMs?: number;
  window?: Window;
}

const UNASSIGNED = 'unassigned';

/** Alphabetical, with `unassigned` last: it is the bucket for groups the directory does not know yet. */
function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  if (a === UNASSIGNED) return 1;
  if (b === UNASSIGNED) return -1;
  return a.localeCompare(b);
}

function compareRows(a: SnapshotRow, b: SnapshotRow): number {
  return compareIds(a.division, b.division) || compareIds(a.category, b.category);
}

function emptyRow(division: string, category: string): SnapshotRow {
  return { division, category, messages: 0, media: 0, forwarded: 0, joins: 0, leaves: 0, activeGroups: 0, activeSenders: 0 };
}

/** Rows grouped by division, each group in the rows' order, the divisions in order of first appearance. */
function byDivision(sorted: readonly SnapshotRow[]): Map<string, SnapshotRow[]> {
  const groups = new Map<string, SnapshotRow[]>();
  for (const row of sorted) {
    const group = groups.get(row.division);
    if (group) group.push(row);
    else groups.set(row.division, [row]);
  }
  return groups;
}

function sameNumbers(shown: readonly SnapshotRow[], incoming: readonly SnapshotRow[]): boolean {
  return (
    shown.length === incoming.length &&
    shown.every((row, i) => {
      const next = incoming[i]!;
      return row.category === next.category && SNAPSHOT_NUMBERS.every((name) => row[name] === next[name]);
    })
  );
}

export class LiveCounts {
  /** Today's divisions in display order; replaced only when a division comes or goes (their rows change inside them). */
  divisions: DivisionRows[] = $state.raw([]);
  /** The board's day, `YYYY-MM-DD` in `timeZone`; empty until the first snapshot. */
  day = $state('');
  timeZone = $state('Asia/Kolkata');
  connection = $state<ConnectionState>('connecting');
  /** Server time of the last snapshot or delta applied. */
  lastUpdate = $state<Date | null>(null);

  /** The sums of every division's subtotals: wakes with any division, reads ~10 subtotals, not every row. */
  readonly totals: Totals = $derived(sumRows(this.divisions.map((division) => division.totals)));

  /** The divisions by id; the same objects as `divisions`. */
  #byId = new Map<string, DivisionRows>();
  #messageWatchers = new Set<(messages: number, day: string) => void>();

  /**
   * Call `watcher` with today's message total (and the day) after every snapshot and delta, as each is applied
   * (not batched like an effect, so no change is merged into the one before it). Returns the stop function.
   */
  watchMessages(watcher: (messages: number, day: string) => void): () => void {
    this.#messageWatchers.add(watcher);
    return () => this.#messageWatchers.delete(watcher);
  }

  #told(): void {
    if (this.#messageWatchers.size === 0) return;
    const messages = this.totals.messages;
    for (const watcher of this.#messageWatchers) watcher(messages, this.day);
  }

  /**
   * Show these rows per division (each list sorted): a division already shown keeps its object (the page keeps
   * its section) and takes the new rows; the list of divisions is replaced only when it differs.
   */
  #show(groups: Map<string, readonly SnapshotRow[]>): void {
    const next = [...groups].map(([id, rows]) => {
      const kept = this.#byId.get(id);
      if (!kept) return new DivisionRows(id, rows);
      if (kept.rows !== rows) kept.rows = rows;
      return kept;
    });
    next.sort((a, b) => compareIds(a.division, b.division));
    if (next.length !== this.divisions.length || next.some((division, i) => division !== this.divisions[i])) {
      this.divisions = next;
      this.#byId = new Map(next.map((division) => [division.division, division]));
    }
  }

  /** Take the server's numbers. A division whose numbers are all the same (common in a resync) keeps its rows and does not render again. */
  applySnapshot(snapshot: CountsSnapshot): void {
    this.day = snapshot.day;
    this.timeZone = snapshot.timeZone;
    const groups: Map<string, readonly SnapshotRow[]> = byDivision([...snapshot.rows].sort(compareRows));
    for (const [id, rows] of groups) {
      const shown = this.#byId.get(id)?.rows;
      if (shown && sameNumbers(shown, rows)) groups.set(id, shown);
    }
    this.#show(groups);
    this.lastUpdate = new Date(snapshot.asOf);
    this.#told();
  }

  /**
   * Add deltas, added up per cell first; each division they touch gets new rows once. Ones for another day
   * (around midnight) are dropped: the next snapshot brings the new day.
   */
  applyDeltas(deltas: readonly CountsDelta[]): void {
    const today = deltas.filter((delta) => delta.day === this.day);
    if (today.length === 0) return;
    /** The divisions this update changes, each with a copy of its rows (copied once, however many cells change). */
    const changed = new Map<string, SnapshotRow[]>();
    for (const change of mergeRows(today.flatMap((delta) => delta.rows))) {
      let rows = changed.get(change.division);
      if (!rows) changed.set(change.division, (rows = [...(this.#byId.get(change.division)?.rows ?? [])]));
      const at = rows.findIndex((row) => row.category === change.category);
      const row = { ...(at >= 0 ? rows[at]! : emptyRow(change.division, change.category)) };
      addCounters(row, change);
      if (at >= 0) rows[at] = row;
      else rows.push(row);
    }
    const groups = new Map<string, readonly SnapshotRow[]>(this.divisions.map((division) => [division.division, division.rows]));
    for (const [id, rows] of changed) groups.set(id, rows.sort(compareRows));
    this.#show(groups);
    this.lastUpdate = new Date(today.at(-1)!.asOf);
    this.#told();
  }

  /** Forget everything (another user signs in: their scope may differ). */
  reset(): void {
    this.divisions = [];
    this.#byId = new Map();
    this.day = '';
    this.lastUpdate = null;
    this.connection = 'connecting';
  }

  /**
   * Follow a socket: snapshots and deltas in, connection state out. Goes offline (and stops
   * retrying) while the browser says it is offline, and reconnects at once when it is back.
   * When the server refuses the socket's sign-in (token expired, signed out), `onRefused` gets
   * its reason. Returns a function that detaches and closes the socket.
   */
  follow(socket: LiveSocket, options: FollowOptions = {}): () => void {
    const win = options.window ?? window;
    const retryMs = options.retryMs ?? 3000;
    const applyEveryMs = options.applyEveryMs ?? 1000;
    let retry: ReturnType<typeof setTimeout> | undefined;
    /** Deltas received and not yet on screen, and when deltas last went on screen. */
    let pending: CountsDelta[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let appliedAt = -Infinity;

    const flush = () => {
      flushTimer = undefined;
      appliedAt = performance.now();
      const started = appliedAt;
      this.applyDeltas(pending);
      pending = [];
      // Svelte updates the DOM in the microtask its first state change queued; this one runs after it.
      queueMicrotask(() => {
        performance.measure(UPDATE_MEASURE, { start: started });
        performance.clearMeasures(UPDATE_MEASURE); // observers still get it; the buffer stays empty
      });
    };
    const dropPending = () => {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      pending = [];
    };

    const onSnapshot = (snapshot: CountsSnapshot) => {
      // Deltas sent before a snapshot are in it (the api sends no delta while it sends snapshots, and a snapshot holds every delta sent before it).
      dropPending();
      this.applySnapshot(snapshot);
      this.connection = 'live';
    };
    const onDelta = (delta: CountsDelta) => {
      // A delta before the snapshot that follows a (re)connect would add to stale numbers.
      if (this.connection !== 'live') return;
      pending.push(delta);
      flushTimer ??= setTimeout(flush, Math.max(0, appliedAt + applyEveryMs - performance.now()));
    };
    const onDisconnect = (reason: Socket.DisconnectReason) => {
      dropPending();
      if (reason === 'io client disconnect') {
        this.connection = 'offline';
        return;
      }
      this.connection = 'reconnecting';
      // The server closed us on purpose (e.g. the token expired): socket.io does not retry on its
      // own then. Connecting again either works or is refused with the reason (connect_error).
      if (reason === 'io server disconnect') socket.connect();
    };
    const onConnectError = (error: Error) => {
      if (this.connection === 'offline') return;
      this.connection = 'reconnecting';
      if (socket.active) return; // a network failure: socket.io retries with backoff
      // Refused by the server's sign-in check. Transient ("…retry") or final (sign in again).
      if (/\bretry\b/i.test(error.message)) {
        clearTimeout(retry);
        retry = setTimeout(() => socket.connect(), retryMs);
      } else {
        this.connection = 'offline';
        options.onRefused?.(error.message);
      }
    };
    const onOffline = () => {
      clearTimeout(retry);
      socket.disconnect();
      this.connection = 'offline';
    };
    const onOnline = () => {
      this.connection = 'reconnecting';
      socket.connect();
    };

    socket.on(SOCKET_EVENTS.snapshot, onSnapshot);
    socket.on(SOCKET_EVENTS.delta, onDelta);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    win.addEventListener('offline', onOffline);
    win.addEventListener('online', onOnline);
    if (win.navigator.onLine === false) onOffline();
    else if (!socket.connected && !socket.active) socket.connect();

    return () => {
      clearTimeout(retry);
      dropPending();
      win.removeEventListener('offline', onOffline);
      win.removeEventListener('online', onOnline);
      socket.off(SOCKET_EVENTS.snapshot, onSnapshot);
      socket.off(SOCKET_EVENTS.delta, onDelta);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      socket.disconnect();
    };
  }
}
