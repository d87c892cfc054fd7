/**
 * The board's end of the live socket, typed by the same contract as the server's (common/live.ts):
 * every listener is checked against what the server sends.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../common/live.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Same origin: the api serves this board and Socket.io at /socket.io (Vite proxies it in dev). Connects when followed. */
export function openLiveSocket(token: string): LiveSocket {
  return io({ autoConnect: false, auth: { token } });
}
