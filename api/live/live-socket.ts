/**
 * Socket.io live counts: a snapshot on connect, then additive deltas at most once per
 * interval, and a fresh snapshot every resync interval (distinct counts, day rollover).
 * Each api instance reads the live topic with its own consumer group, so every instance
 * sees every delta.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Bus, Subscription } from '../../common/bus/bus.ts';
import { addCounters, cellKey, SOCKET_EVENTS, type CountsDelta, type CountsRow, type CountsSnapshot, type LiveDelta } from '../../common/live.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import { createLiveCounts } from './live-counts.ts';

export interface LiveSocketOptions {
  io: Server;
  bus: Bus;
  client: ClickHouseClient;
  liveTopic: string;
  groupIdPrefix: string;
  timeZone: string;
  intervalMs: number;
  resyncMs: number;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

export interface LiveSocket {
  stop(): Promise<void>;
}

export async function startLiveSocket(options: LiveSocketOptions): Promise<LiveSocket> {
  const log = options.logger.child({ component: 'live' });
  const now = options.now ?? Date.now;
  const counts = createLiveCounts(options.client, options.timeZone, now);
  await counts.resync();
  let pending = new Map<string, CountsRow>();

  function snapshot(): CountsSnapshot {
    return { day: counts.day, timeZone: options.timeZone, asOf: new Date(now()).toISOString(), rows: counts.rows() };
  }

  options.io.on('connection', function sendSnapshotOnConnect(socket) {
    options.metrics.liveClients.inc();
    socket.emit(SOCKET_EVENTS.snapshot, snapshot());
    socket.on('disconnect', () => options.metrics.liveClients.dec());
  });

  const subscription: Subscription = await options.bus.subscribe({
    groupId: `${options.groupIdPrefix}api-live-${randomUUID()}`,
    topic: options.liveTopic,
    fromBeginning: false,
    async handleBatch(batch) {
      for (const record of batch.records) {
        let delta: LiveDelta;
        try {
          delta = JSON.parse(record.value.toString('utf8')) as LiveDelta;
        } catch {
          log.warn({ offset: record.offset }, 'skipping undecodable live delta');
          continue;
        }
        options.metrics.endToEndSeconds.observe(Math.max(0, now() - delta.oldestReceivedAt) / 1000);
        for (const row of counts.apply(delta)) {
          const key = cellKey(row.division, row.category);
          const cell = pending.get(key);
          if (cell) addCounters(cell, row);
          else pending.set(key, { ...row });
        }
      }
    },
  });

  const flushTimer = setInterval(function flushDeltas() {
    if (pending.size === 0) return;
    const delta: CountsDelta = { day: counts.day, asOf: new Date(now()).toISOString(), rows: [...pending.values()] };
    pending = new Map();
    options.io.emit(SOCKET_EVENTS.delta, delta);
  }, options.intervalMs);

  let resyncing = false;
  const resyncTimer = setInterval(async function resyncSnapshot() {
    if (resyncing) return;
    resyncing = true;
    try {
      await counts.resync();
      pending = new Map();
      options.io.emit(SOCKET_EVENTS.snapshot, snapshot());
    } catch (error) {
      log.warn({ err: error }, 'live snapshot resync failed');
    } finally {
      resyncing = false;
    }
  }, options.resyncMs);

  return {
    async stop() {
      clearInterval(flushTimer);
      clearInterval(resyncTimer);
      await subscription.stop();
    },
  };
}
