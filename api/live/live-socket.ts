/**
 * Socket.io live counts: a snapshot on connect, then additive deltas at most once per
 * interval, and a fresh snapshot every resync interval (distinct counts, day rollover).
 * Each api instance reads the live topic with its own consumer group, so every instance
 * sees every delta.
 *
 * Every socket signs in at the handshake (`auth: { token }` or `Authorization: Bearer`) and joins
 * the rooms of what it may see: `all` for central monitors, analysts and admins, `division:<id>`
 * for each of a lead's divisions. Snapshots and deltas are cut per room, so a lead's socket never
 * receives another division's counts. A socket is dropped when its token expires (unless the board
 * handed over a renewed token of the same session first) and, at each resync, when the token was
 * signed out or the user disabled; `drop` ends the matching ones at once.
 */
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Bus, Subscription } from '../../common/bus/bus.ts';
import { jsonRecords } from '../../common/bus/json-records.ts';
import { ALL_ROOM, divisionRoom, mergeRows, roomsOf, SOCKET_EVENTS, type ClientToServerEvents, type CountsDelta, type CountsRow, type CountsSnapshot, type LiveDelta, type ServerToClientEvents } from '../../common/live.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import { bearerToken } from '../../common/http/credentials.ts';
import type { AuthOutcome } from '../../access/auth-service.ts';
import { filterToScope, scopeOf, type AuthUser, type Scope } from '../../access/roles.ts';
import { createLiveCounts } from './live-counts.ts';

/** The api's Socket.io server, typed by the socket contract (common/live.ts). */
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, Partial<LiveSocketData>>;

/** Socket.io on the process's HTTP server, at /socket.io; cross-origin only from BOARD_ORIGIN. */
export function createLiveServer(server: HttpServer, boardOrigin: string | undefined): LiveServer {
  return new Server(server, { serveClient: false, cors: boardOrigin ? { origin: [boardOrigin] } : undefined });
}

export interface LiveSocketOptions {
  io: LiveServer;
  bus: Bus;
  client: ClickHouseClient;
  liveTopic: string;
  groupIdPrefix: string;
  timeZone: string;
  intervalMs: number;
  resyncMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Who is behind a user token (access/auth-service.ts). */
  authenticate: (token: string) => Promise<AuthOutcome>;
  /** What a user may read; default access/roles.ts#scopeOf (the api widens leads by the directory). */
  scopeFor?: (user: AuthUser) => Scope;
  now?: () => number;
}

/** What a signed-in socket carries. */
export interface LiveSocketData {
  token: string;
  username: string;
  /** The session the token came from: a renewed token must be of the same one. */
  sessionId: string;
  scope: Scope;
}

function tokenOf(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string' && auth.token !== '') return auth.token;
  return bearerToken(socket.handshake.headers.authorization);
}

export interface LiveSocket {
  /** Disconnects the sockets whose owner matches (a sign-out everywhere, a revoked display). */
  drop(matches: (owner: { username: string; sessionId: string }) => boolean): void;
  /** What keeps the live counts from moving now (for /readyz), or undefined. */
  problem(): string | undefined;
  stop(): Promise<void>;
}

export async function startLiveSocket(options: LiveSocketOptions): Promise<LiveSocket> {
  const log = options.logger.child({ component: 'live' });
  const now = options.now ?? Date.now;
  const scopeFor = options.scopeFor ?? scopeOf;
  const counts = createLiveCounts(options.client, options.timeZone, now);
  /** Today's parts of the deltas applied to `counts` but not yet sent. */
  let pending: CountsRow[][] = [];
  /** Set while a resync's snapshots go out: no delta is flushed meanwhile (see resyncSnapshot). */
  let sendingSnapshots: Promise<void> | undefined;
  let resyncing = false;
  /** Since when re-reading the counts has failed, and why (a day's rollover waits on it). */
  let resyncFailing: { since: number; error: string } | undefined;
  let resyncTriedAt = now();

  function snapshot(scope: Scope): CountsSnapshot {
    return { day: counts.day, timeZone: options.timeZone, asOf: new Date(now()).toISOString(), rows: filterToScope(scope, counts.rows()) };
  }

  options.io.use(async function signInSocket(socket, next) {
    const token = tokenOf(socket);
    if (!token) {
      next(new Error('sign in first: connect with auth: { token } from POST /api/v1/auth/sign-in'));
      return;
    }
    try {
      const outcome = await options.authenticate(token);
      if (!outcome.ok) {
        // The code travels as the error's data: the board says it in the viewer's language.
        next(Object.assign(new Error(outcome.error), { data: { code: outcome.code } }));
        return;
      }
      const data: LiveSocketData = { token, username: outcome.user.username, sessionId: outcome.claims.sessionId, scope: scopeFor(outcome.user) };
      socket.data = data;
      // Drop the socket when its token expires: it must sign in again to keep receiving counts.
      let expiry: ReturnType<typeof setTimeout> | undefined;
      const expireAt = (at: Date) => {
        clearTimeout(expiry);
        expiry = setTimeout(() => socket.disconnect(true), Math.max(0, at.getTime() - now()));
        expiry.unref();
      };
      expireAt(outcome.claims.expiresAt);
      socket.on('disconnect', () => clearTimeout(expiry));
      socket.on(SOCKET_EVENTS.renewedToken, async function takeRenewedToken(fresh, done) {
        const answer = typeof done === 'function' ? done : () => undefined;
        const renewed = typeof fresh === 'string' ? await options.authenticate(fresh).catch(() => undefined) : undefined;
        if (!renewed?.ok || renewed.claims.sessionId !== data.sessionId) {
          answer(false);
          socket.disconnect(true);
          return;
        }
        data.token = fresh;
        expireAt(renewed.claims.expiresAt);
        answer(true);
      });
      next();
    } catch (error) {
      log.warn({ err: error }, 'socket sign-in failed');
      next(new Error('sign-in could not be checked right now; retry'));
    }
  });

  options.io.on('connection', async function sendSnapshotOnConnect(socket) {
    const data = socket.data as LiveSocketData;
    options.metrics.liveClients.inc();
    socket.on('disconnect', () => options.metrics.liveClients.dec());
    await sendingSnapshots;
    // The snapshot below already holds what is pending: send that to everyone else first, so this
    // socket does not get it twice (once in the snapshot, once in the next delta).
    flushDeltas();
    void socket.join(roomsOf(data.scope));
    socket.emit(SOCKET_EVENTS.snapshot, snapshot(data.scope));
  });

  /** Each room gets only its part of the delta; `all` gets the whole. */
  function emitDelta(delta: CountsDelta): void {
    options.io.to(ALL_ROOM).emit(SOCKET_EVENTS.delta, delta);
    const byDivision = new Map<string, CountsRow[]>();
    for (const row of delta.rows) {
      const rows = byDivision.get(row.division);
      if (rows) rows.push(row);
      else byDivision.set(row.division, [row]);
    }
    for (const [division, rows] of byDivision) options.io.to(divisionRoom(division)).emit(SOCKET_EVENTS.delta, { ...delta, rows });
  }

  /**
   * A fresh snapshot to every socket, cut to its scope. Each socket's sign-in is checked again:
   * signed-out tokens and disabled users are dropped, changed roles or units move the socket's rooms.
   */
  async function resendSnapshots(base: CountsSnapshot): Promise<void> {
    for (const socket of options.io.sockets.sockets.values()) {
      const data = socket.data as LiveSocketData | undefined;
      if (!data?.token) continue;
      const outcome = await options.authenticate(data.token);
      if (!outcome.ok) {
        socket.disconnect(true);
        continue;
      }
      const scope = scopeFor(outcome.user);
      if (JSON.stringify(scope) !== JSON.stringify(data.scope)) {
        for (const room of roomsOf(data.scope)) await socket.leave(room);
        await socket.join(roomsOf(scope));
        data.scope = scope;
      }
      socket.emit(SOCKET_EVENTS.snapshot, { ...base, rows: filterToScope(scope, base.rows) });
    }
  }

  const subscription: Subscription = await options.bus.subscribe({
    groupId: `${options.groupIdPrefix}api-live-${randomUUID()}`,
    topic: options.liveTopic,
    fromBeginning: false,
    async handleBatch(batch) {
      for (const delta of jsonRecords<LiveDelta>(batch, log, 'live delta')) {
        options.metrics.endToEndSeconds.observe(Math.max(0, now() - delta.oldestReceivedAt) / 1000);
        const { outcome, rows } = counts.apply(delta);
        options.metrics.liveDeltas.inc({ outcome });
        if (rows.length > 0) pending.push(rows);
      }
    },
  });
  // Subscribed first, then read: a delta committed after the read is in the topic from here on.
  await counts.resync();

  function flushDeltas(): void {
    if (pending.length === 0 || sendingSnapshots) return;
    const rows = mergeRows(pending.flat());
    pending = [];
    emitDelta({ day: counts.day, asOf: new Date(now()).toISOString(), rows });
  }
  /** At the board's midnight the counts start the new day at once (until then its deltas are dropped); a re-read that failed is tried again at the resync pace. */
  function rolloverDue(): boolean {
    return counts.dayIsOver() && (!resyncFailing || now() - resyncTriedAt >= options.resyncMs);
  }
  const flushTimer = setInterval(() => (rolloverDue() ? void resyncSnapshot() : flushDeltas()), options.intervalMs);

  /**
   * Re-read the snapshot and send it. Deltas keep flowing while it is read (the read's watermark
   * sorts out which of them it holds). The new counts hold everything pending, so pending is
   * dropped; while the snapshots go out no delta is flushed, so every client gets its new snapshot
   * before any delta that is not in it.
   */
  async function resyncSnapshot(): Promise<void> {
    if (resyncing) return;
    resyncing = true;
    resyncTriedAt = now();
    try {
      await counts.resync();
      resyncFailing = undefined;
      pending = [];
      sendingSnapshots = resendSnapshots(snapshot({ kind: 'all' }));
      await sendingSnapshots;
    } catch (error) {
      resyncFailing ??= { since: now(), error: (error as Error).message };
      log.warn({ err: error }, 'live snapshot resync failed');
    } finally {
      resyncing = false;
      sendingSnapshots = undefined;
    }
  }
  const resyncTimer = setInterval(resyncSnapshot, options.resyncMs);

  return {
    drop(matches) {
      for (const socket of options.io.sockets.sockets.values()) {
        const data = socket.data as LiveSocketData | undefined;
        if (data?.token && matches(data)) socket.disconnect(true);
      }
    },
    problem() {
      const consumer = subscription.health();
      if (!consumer.running) return `the live consumer is not running: ${consumer.problem ?? 'stopped'}`;
      // Failing through three resyncs in a row: one failed read is not yet a stall.
      if (resyncFailing && now() - resyncFailing.since >= 3 * options.resyncMs) {
        return `the live counts have not been re-read for ${Math.round((now() - resyncFailing.since) / 1000)} s (${resyncFailing.error}; details in the log)`;
      }
      return undefined;
    },
    async stop() {
      clearInterval(flushTimer);
      clearInterval(resyncTimer);
      await subscription.stop();
    },
  };
}
