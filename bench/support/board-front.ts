/**
 * Another build of the board in front of the same server: a small HTTP server on a port of its own that
 * answers the board's files from `dist` and passes everything else (`/api`, `/v1`, `/socket.io`, the
 * WebSocket upgrade included) to `target`. An A/B of two builds then sees the same api and live traffic,
 * over the same transports. (Serving the other build through Playwright's request interception instead
 * broke Socket.io's WebSocket upgrade in Chromium: that page stayed on HTTP long-polling.)
 *
 * With `replay`, the front answers `/socket.io` itself instead: every page that connects gets the same
 * recorded minute of live counts (the snapshot it starts with, then each event at its recorded moment,
 * over and over), so builds and viewports are compared on the same input with no traffic or server on
 * the CPU. The sign-in is not checked there (a bench front on the loopback); the api stays the server's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Server as SocketServer } from 'socket.io';

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const PASSED_ON = /^\/(api|v1|socket\.io)\//;

/** A socket event as a client received it, `at` ms after the recording's first event (a snapshot). */
export interface RecordedEvent {
  at: number;
  name: string;
  payload: unknown;
}

export interface Recording {
  events: RecordedEvent[];
  /** Its length, ms: the replay starts again from the first event then. */
  durationMs: number;
}

export interface BoardFront {
  url: string;
  /** Replayed events sent to pages so far, by name. */
  sent: (name: string) => number;
  close: () => Promise<void>;
}

export async function startBoardFront(dist: string, target: string, options: { replay?: Recording } = {}): Promise<BoardFront> {
  const upstream = new URL(target);
  const server = createServer(function answer(req: IncomingMessage, res: ServerResponse) {
    const pathname = new URL(req.url ?? '/', 'http://front').pathname;
    if (PASSED_ON.test(pathname)) {
      const forwarded = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.destroy());
      req.pipe(forwarded);
      return;
    }
    const file = path.join(dist, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  const sent = new Map<string, number>();
  const replayer = options.replay ? replay(new SocketServer(server), options.replay, (name) => sent.set(name, (sent.get(name) ?? 0) + 1)) : null;
  // A WebSocket upgrade (unless the front answers the socket itself): replay the request's head upstream, then pipe the two sockets together.
  if (!replayer) {
    server.on('upgrade', function passUpgrade(req: IncomingMessage, socket, head: Buffer) {
      const out = connect(Number(upstream.port), upstream.hostname, () => {
        const headers = Object.entries(req.headers).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}`);
        out.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) out.write(head);
        out.pipe(socket).pipe(out);
      });
      out.on('error', () => socket.destroy());
      socket.on('error', () => out.destroy());
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent: (name) => sent.get(name) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        // Socket.io's close disconnects its pages and closes the HTTP server it is attached to.
        if (replayer) void replayer.close(() => resolve());
        else server.close(() => resolve());
      }),
  };
}

/** Each page that connects gets the recording from its start, looped, until it goes. */
function replay(io: SocketServer, recording: Recording, onSent: (name: string) => void): SocketServer {
  io.on('connection', (socket) => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const later = (ms: number, run: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, ms);
      timers.add(timer);
    };
    const playFromStart = () => {
      for (const event of recording.events)
        later(event.at, () => {
          socket.emit(event.name, event.payload);
          onSent(event.name);
        });
      later(recording.durationMs, playFromStart);
    };
    playFromStart();
    socket.on('disconnect', () => timers.forEach(clearTimeout));
  });
  return io;
}
