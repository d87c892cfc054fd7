/**
 * Alerts live over Socket.io, in the rooms (common/live.ts) api/live/live-socket.ts puts every signed-in
 * socket in: `all` (monitors, analysts, admins) and `division:<id>` per division a lead may see.
 * An alert goes to `all` and to the rooms of its audience (common/contracts/alerts.ts#alertAudience): its division,
 * the divisions a down source feeds, and, once escalated, the unit above. Each api instance reads
 * the `alerts` topic with a group of its own, so every instance reaches its own sockets.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, Subscription } from '../../common/bus/bus.ts';
import { jsonRecords } from '../../common/bus/json-records.ts';
import { ALL_ROOM, divisionRoom, SOCKET_EVENTS } from '../../common/live.ts';
import type { Logger } from '../../common/logger.ts';
import type { LiveServer } from '../live/live-socket.ts';
import { alertAudience, type AlertMessage } from '../../common/contracts/alerts.ts';

/** An alert's rooms: `all`, plus the room of each unit of its audience. */
function roomsFor(units: readonly string[]): string[] {
  return [ALL_ROOM, ...units.filter(Boolean).map(divisionRoom)];
}

export function emitAlertMessage(io: LiveServer, message: AlertMessage): void {
  if (message.kind === 'digest') {
    io.to(roomsFor([message.digest.division])).emit(SOCKET_EVENTS.alertDigest, message.digest);
    return;
  }
  const event = message.change === 'fired' ? SOCKET_EVENTS.alertFired : SOCKET_EVENTS.alertUpdated;
  io.to(roomsFor(alertAudience(message.alert))).emit(event, { change: message.change, alert: message.alert });
}

export interface AlertsBroadcast {
  stop(): Promise<void>;
  /** Why alerts no longer reach the board live (for /readyz), or undefined. */
  problem(): string | undefined;
}

export async function startAlertsBroadcast(options: { io: LiveServer; bus: Bus; topic: string; groupIdPrefix: string; logger: Logger }): Promise<AlertsBroadcast> {
  const log = options.logger.child({ component: 'alerts-live' });
  // A runner handing over mid-tick can publish a change twice: each instance drops repeats it saw lately.
  const seen = new Set<string>();
  const subscription: Subscription = await options.bus.subscribe({
    groupId: `${options.groupIdPrefix}api-alerts-${randomUUID()}`,
    topic: options.topic,
    fromBeginning: false,
    async handleBatch(batch) {
      for (const message of jsonRecords<AlertMessage>(batch, log, 'alerts record')) {
        const key = message.kind === 'alert' ? `${message.alert.id}:${message.change}:${message.alert.escalatedAt ?? ''}:${message.alert.acknowledgedAt ?? ''}` : `digest:${message.digest.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (seen.size > 20_000) seen.delete(seen.values().next().value as string);
        emitAlertMessage(options.io, message);
      }
    },
  });
  return {
    stop: () => subscription.stop(),
    problem() {
      const consumer = subscription.health();
      return consumer.running ? undefined : `the live alerts consumer is not running: ${consumer.problem ?? 'stopped'}`;
    },
  };
}
