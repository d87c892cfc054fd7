/**
 * Alerts live over Socket.io, in the rooms api/live/live-socket.ts already puts every signed-in
 * socket in: `all` (monitors, analysts, admins) and `division:<id>` per division a lead may see.
 * An alert goes to `all` and to the rooms of its audience (model.ts#alertAudience): its division,
 * the divisions a down source feeds, and, once escalated, the unit above. Each api instance reads
 * the `alerts` topic with a group of its own, so every instance reaches its own sockets.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import type { Bus, Subscription } from '../common/bus/bus.ts';
import { jsonRecords } from '../common/bus/json-records.ts';
import { SOCKET_EVENTS } from '../common/live.ts';
import type { Logger } from '../common/logger.ts';
import { ALL_ROOM, divisionRoom } from '../api/live/live-socket.ts';
import { alertAudience, type AlertMessage } from './model.ts';

/** The one place that knows the room scheme for alerts: `all`, plus the room of each unit of the audience. */
export function emitToUnits(io: Server, units: readonly string[], event: string, payload: unknown): void {
  io.to([ALL_ROOM, ...units.filter(Boolean).map(divisionRoom)]).emit(event, payload);
}

export function emitAlertMessage(io: Server, message: AlertMessage): void {
  if (message.kind === 'digest') {
    emitToUnits(io, [message.digest.division], SOCKET_EVENTS.alertDigest, message.digest);
    return;
  }
  const event = message.change === 'fired' ? SOCKET_EVENTS.alertFired : SOCKET_EVENTS.alertUpdated;
  emitToUnits(io, alertAudience(message.alert), event, { change: message.change, alert: message.alert });
}

export interface AlertsBroadcast {
  stop(): Promise<void>;
}

export async function startAlertsBroadcast(options: { io: Server; bus: Bus; topic: string; groupIdPrefix: string; logger: Logger }): Promise<AlertsBroadcast> {
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
  return { stop: () => subscription.stop() };
}
