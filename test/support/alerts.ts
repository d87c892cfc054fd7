/**
 * What the alerts integration tests share: a local webhook receiver (127.0.0.1, optionally failing
 * its first requests), bus events straight onto the events topic, the api with a user token, leads
 * created through the admin API, each on a live socket recording the alert changes it receives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { BusEvent } from '../../common/events.ts';
import { SOCKET_EVENTS } from '../../common/live.ts';
import { TOPICS, topicName } from '../../common/topics.ts';
import { waitFor, type TestPipeline } from './pipeline.ts';
import { alertAudience, type Alert } from '../../common/contracts/alerts.ts';
import { signBody } from '../../alerts/webhooks.ts';

export const LEAD_PASSWORD = 'lead-password-for-tests';

export interface Received {
  status: number;
  event: string;
  delivery: string;
  signatureOk: boolean;
  body: { type: string; alert?: Alert; digest?: { division: string; recipients: string[]; lines: { category: string; silent: number; total: number; text: string }[]; newlyQuiet: { group: string }[] } };
  /** Real time of arrival (the backoff between retries is real time, not the injected clock). */
  receivedAt: number;
}

export interface Receiver {
  server: Server;
  url: string;
  received: Received[];
}

/** A webhook receiver answering 500 to its first `failFirst` requests, then 200; checks each signature. */
export function startReceiver(failFirst: number, secret: string): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = received.length < failFirst ? 500 : 200;
      received.push({
        status,
        event: String(req.headers['x-grouppulse-event']),
        delivery: String(req.headers['x-grouppulse-delivery']),
        signatureOk: req.headers['x-grouppulse-signature-256'] === signBody(secret, body),
        body: JSON.parse(body) as Received['body'],
        receivedAt: performance.now(),
      });
      res.writeHead(status).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received })));
}

export function message(group: string, id: string, source: string, at: number, receivedAt: number): BusEvent {
  return { v: 1, type: 'message', id, group, at, receivedAt, source, person: 'p1', kind: 'text', forwarded: false };
}

export async function produceEvents(pipeline: TestPipeline, events: BusEvent[]): Promise<void> {
  await pipeline.bus.produce(topicName(pipeline.config.KAFKA_TOPIC_PREFIX, TOPICS.events), events.map((e) => ({ key: e.group, value: JSON.stringify(e) })));
}

export function api(pipeline: TestPipeline, path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) };
  return fetch(`${pipeline.url}${path}`, { ...init, headers });
}

export async function signInAs(pipeline: TestPipeline, username: string, password = LEAD_PASSWORD): Promise<string> {
  const response = await api(pipeline, '/api/v1/auth/sign-in', { method: 'POST', body: JSON.stringify({ username, password }) });
  if (response.status !== 200) throw new Error(`sign-in as ${username} answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** One alert change as a socket saw it: who it was for, the rule, the subject, the change. */
export interface SeenChange {
  audience: string;
  rule: string;
  subject: string;
  change: string;
}

/** Create a lead of `units` through the admin API and connect their socket; returns what it sees. */
export async function leadOnSocket(pipeline: TestPipeline, adminToken: string, username: string, units: string[]): Promise<{ socket: Socket; seen: SeenChange[] }> {
  const created = await api(pipeline, '/api/v1/admin/users', { method: 'POST', token: adminToken, body: JSON.stringify({ username, password: LEAD_PASSWORD, roles: ['lead'], units }) });
  if (created.status !== 201) throw new Error(`creating ${username} answered ${created.status}: ${await created.text()}`);
  const socket = connectSocket(pipeline.url, { auth: { token: await signInAs(pipeline, username) }, transports: ['websocket'] });
  const seen: SeenChange[] = [];
  for (const event of [SOCKET_EVENTS.alertFired, SOCKET_EVENTS.alertUpdated]) {
    socket.on(event, (payload: { change: string; alert: Alert }) =>
      seen.push({ audience: alertAudience(payload.alert).join(','), rule: payload.alert.rule, subject: payload.alert.subject, change: payload.change }),
    );
  }
  await waitFor(() => (socket.connected ? true : undefined), `${username} connected`);
  return { socket, seen };
}
