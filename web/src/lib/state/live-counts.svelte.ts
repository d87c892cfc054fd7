/**
 * The board's live picture of today's counts per division × category: replaced whole by each
 * `counts:snapshot` (on connect, after every reconnect and every ~10 s resync), kept current in
 * between by additive `counts:delta`s. Distinct counts (active groups) only change with snapshots.
 */
import type { Socket } from 'socket.io-client';
import {
  addCounters,
  cellKey,
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

export type Totals = Record<Metric, number>;

/**
 * One division's rows with its subtotals. The subtotals are derived from its own rows only, so a
 * delta re-renders the cells it changed and their division's totals, not every division.
 */
export class DivisionRows {
  readonly division: string;
  readonly rows: SnapshotRow[];
  readonly totals: Totals = $derived.by(() => sumRows(this.rows));

  constructor(division: string, rows: SnapshotRow[]) {
    this.division = division;
    this.rows = rows;
  }
}

/** The name of the user-timing measure of each live update (LiveCounts.follow; bench/board-ui.ts observes it). */
export const UPDATE_MEASURE = 'grouppulse:live-update';

function sumRows(rows: readonly SnapshotRow[]): Totals {
  const totals: Totals = { messages: 0, media: 0, forwarded: 0, joins: 0, leaves: 0, activeGroups: 0 };
  for (const row of rows) {
    for (const name of COUNTER_NAMES) totals[name] += row[name];
    totals.activeGroups += row.activeGroups;
  }
  return totals;
}

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

/** Every number a snapshot row carries. */
const SNAPSHOT_NUMBERS = [...COUNTER_NAMES, 'activeGroups', 'activeSenders'] as const;

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

export class LiveCounts {
  /** Today's rows, sorted by division then category. */
  rows = $state<SnapshotRow[]>([]);
  /** The board's day, `YYYY-MM-DD` in `timeZone`; empty until the first snapshot. */
  day = $state('');
  timeZone = $state('Asia/Kolkata');
  connection = $state<ConnectionState>('connecting');
  /** Server time of the last snapshot or delta applied. */
  lastUpdate = $state<Date | null>(null);

  /**
   * The rows grouped by division, in display order, each with its subtotals. Reads only which rows
   * there are (not their counters): a delta to existing cells keeps these objects.
   */
  divisions: DivisionRows[] = $derived.by(() => {
    const groups: { division: string; rows: SnapshotRow[] }[] = [];
    for (const row of this.rows) {
      const last = groups.at(-1);
      if (last && last.division === row.division) last.rows.push(row);
      else groups.push({ division: row.division, rows: [row] });
    }
    return groups.map((group) => new DivisionRows(group.division, group.rows));
  });

  totals: Totals = $derived(sumRows(this.rows));

  /** Rows by cellKey; holds the same (reactive) objects as `rows`. */
  #index = new Map<string, SnapshotRow>();
  #messageWatchers = new Set<(messages: number, day: string) => void>();

  /**
   * Call `watcher` with today's message total (and the day) after every snapshot and delta, as each is applied
   * (not batched like an effect, so no change is merged into the one before it). Returns the stop function.
   */
  watchMessages(watcher: (messages: number, day: string) => void): () => void {
    this.#messageWatchers.add(watcher);
    return () => this.#messageWatchers.delete(watcher);
  }

  #reindex(): void {
    this.#index = new Map(this.rows.map((row) => [cellKey(row.division, row.category), row]));
  }

  #told(): void {
    if (this.#messageWatchers.size === 0) return;
    let messages = 0;
    for (const row of this.rows) messages += row.messages;
    for (const watcher of this.#messageWatchers) watcher(messages, this.day);
  }

  /**
   * Take the server's numbers. When the snapshot has the same cells as the board (the usual resync),
   * only the numbers that differ are written, so only those cells render again; else the rows are replaced.
   */
  applySnapshot(snapshot: CountsSnapshot): void {
    this.day = snapshot.day;
    this.timeZone = snapshot.timeZone;
    const incoming = [...snapshot.rows].sort(compareRows);
    const current = this.rows;
    const sameCells = incoming.length === current.length && incoming.every((row, i) => row.division === current[i]!.division && row.category === current[i]!.category);
    if (sameCells) {
      incoming.forEach((row, i) => {
        const shown = current[i]!;
        for (const name of SNAPSHOT_NUMBERS) if (shown[name] !== row[name]) shown[name] = row[name];
      });
    } else {
      this.rows = incoming;
      this.#reindex();
    }
    this.lastUpdate = new Date(snapshot.asOf);
    this.#told();
  }

  /**
   * Add deltas, added up per cell first: one write per changed number however many deltas there are (each
   * write wakes what reads that number). Ones for another day (around midnight) are dropped: the next
   * snapshot brings the new day.
   */
  applyDeltas(deltas: readonly CountsDelta[]): void {
    const today = deltas.filter((delta) => delta.day === this.day);
    if (today.length === 0) return;
    let added = false;
    for (const change of mergeRows(today.flatMap((delta) => delta.rows))) {
      const key = cellKey(change.division, change.category);
      const row = this.#index.get(key);
      if (row) {
        addCounters(row, change);
      } else {
        const fresh = emptyRow(change.division, change.category);
        addCounters(fresh, change);
        this.rows.push(fresh);
        added = true;
      }
    }
    if (added) {
      this.rows.sort(compareRows);
      this.#reindex();
    }
    this.lastUpdate = new Date(today.at(-1)!.asOf);
    this.#told();
  }

  /** Forget everything (another user signs in: their scope may differ). */
  reset(): void {
    this.rows = [];
    this.#index = new Map();
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
  follow(socket: Socket, options: FollowOptions = {}): () => void {
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
