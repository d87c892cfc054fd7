/**
 * Sessions that last, on a real server with the real embedded ClickHouse (in-process bus): renewal with a
 * refresh token rotated on use (a used one coming back ends the session), sign-out ending the session, an
 * admin's sign-out everywhere (tokens, refresh tokens and live sockets), and wall displays: read-only,
 * scoped to their unit, revocable at once, their tokens kept only as digests and never logged (the
 * server logs at debug into this test).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { DisplayCreated, SessionAnswer } from '../../common/contracts/access.ts';
import { SOCKET_EVENTS, type CountsSnapshot } from '../../common/live.ts';
import { DAY_MS } from '../../common/time.ts';
import { REDACT_PATHS } from '../../common/logger.ts';
import { ALL_ROLES, startServices, type RunningServices } from '../../runtime/services.ts';
import { adminToken } from '../../test/support/auth.ts';
import { testConfig } from '../../test/support/pipeline.ts';

const PASSWORD = 'a-long-enough-password';
const DAY = '2026-11-22';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe('sessions, sign-out everywhere and wall displays', () => {
  let pipeline: RunningServices;
  let admin: string;
  const sockets: Socket[] = [];
  /** Everything the server logged, and every refresh and display token it handed out. */
  let log = '';
  const secrets = new Set<string>();

  async function call(method: string, route: string, token?: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${pipeline.url}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const answer = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    for (const secret of [answer.refreshToken, answer.token]) if (typeof secret === 'string' && secret.includes('.')) secrets.add(secret.split('.').at(-1)!);
    return { status: response.status, body: answer };
  }

  async function signIn(username: string): Promise<SessionAnswer> {
    const answer = await call('POST', '/api/v1/auth/sign-in', undefined, { username, password: PASSWORD });
    expect(answer.status).toBe(200);
    return answer.body as unknown as SessionAnswer;
  }

  /** A live socket signed in with `token`, once its first snapshot came; `closed` settles when the server drops it. */
  function connect(token: string): Promise<{ socket: Socket; snapshot: CountsSnapshot; closed: Promise<string> }> {
    const socket = connectSocket(pipeline.url, { transports: ['websocket'], auth: { token }, reconnection: false });
    sockets.push(socket);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    return new Promise((resolve, reject) => {
      socket.once(SOCKET_EVENTS.snapshot, (snapshot: CountsSnapshot) => resolve({ socket, snapshot, closed }));
      socket.once('connect_error', reject);
    });
  }

  const summary = `/api/v1/summary?from=${DAY}T00:00:00Z&to=${DAY}T23:59:00Z`;
  const divisionsOf = (body: Record<string, unknown>) => [...new Set((body.rows as { division: string }[]).map((r) => r.division))].sort();

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    pipeline = await startServices(testConfig({ localBus: true, env: { LOG_LEVEL: 'debug' } }), ALL_ROLES, pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink));
    admin = await adminToken(pipeline.url);
    for (const [username, roles, units] of [['monitor1', ['monitor'], []], ['lead-jaipur', ['lead'], ['jaipur']]] as const) {
      expect((await call('POST', '/api/v1/admin/users', admin, { username, password: PASSWORD, roles, units })).status).toBe(201);
    }
    const at = Date.parse(`${DAY}T10:15:00Z`);
    const row = (id: string, division: string) => ({ event_id: id, type: 'message', group_id: `wa:${division}-g1`, at, received_at: at, source: 'test', person: `p-${id}`, kind: 'text', forwarded: false, members: null, admins: null, title: '', division, category: 'booth', unit_path: [] });
    await pipeline.store!.client.insert({ table: 'events', format: 'JSONEachRow', values: [row('j1', 'jaipur'), row('a1', 'ajmer')] });
    const units = [{ id: 'S', name: 'State', level: 'state', parent: '' }, { id: 'jaipur', name: 'Jaipur', level: 'division', parent: 'S' }, { id: 'ajmer', name: 'Ajmer', level: 'division', parent: 'S' }];
    expect((await call('POST', '/api/v1/directory/units', admin, { units })).status).toBe(200);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await pipeline?.stop();
  });

  it('renews with a refresh token that is used up; a used one coming back ends the session', async () => {
    const first = await signIn('monitor1');
    expect(first.refreshToken).toMatch(/^[\w-]{16}\.[\w-]{43}$/);
    expect(Date.parse(first.refreshExpiresAt) - Date.now()).toBeGreaterThan(6 * DAY_MS);

    const renewed = await call('POST', '/api/v1/auth/renew', undefined, { refreshToken: first.refreshToken });
    expect(renewed.status).toBe(200);
    const second = renewed.body as unknown as SessionAnswer;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.token).not.toBe(first.token);
    expect(second.user.username).toBe('monitor1');
    expect((await call('GET', summary, second.token)).status).toBe(200);

    // The first refresh token again: someone holds a copy. The session ends for everyone holding it.
    const replayed = await call('POST', '/api/v1/auth/renew', undefined, { refreshToken: first.refreshToken });
    expect(replayed).toMatchObject({ status: 401, body: { code: 'session-ended' } });
    expect((await call('POST', '/api/v1/auth/renew', undefined, { refreshToken: second.refreshToken })).body.code).toBe('session-ended');
    expect((await call('GET', summary, second.token)).body.code).toBe('signed-out');
  });

  it('the same refresh token sent twice at once is one renewal', async () => {
    const { refreshToken } = await signIn('monitor1');
    const [a, b] = await Promise.all([1, 2].map(() => call('POST', '/api/v1/auth/renew', undefined, { refreshToken })));
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(a!.body.refreshToken).toBe(b!.body.refreshToken);
    expect((await call('POST', '/api/v1/auth/renew', undefined, { refreshToken: a!.body.refreshToken })).status).toBe(200);
  });

  it('refuses what is not a refresh token, with a code', async () => {
    for (const refreshToken of ['', 'nonsense', `${'a'.repeat(16)}.${'b'.repeat(43)}`]) {
      expect(await call('POST', '/api/v1/auth/renew', undefined, { refreshToken })).toMatchObject({ status: 401, body: { code: 'session-ended' } });
    }
    expect(await call('POST', '/api/v1/auth/renew', undefined, {})).toMatchObject({ status: 400, body: { code: 'invalid-request' } });
  });

  it('signing out ends the session: its refresh token no longer renews', async () => {
    const session = await signIn('monitor1');
    expect((await call('POST', '/api/v1/auth/sign-out', session.token)).status).toBe(204);
    expect((await call('POST', '/api/v1/auth/renew', undefined, { refreshToken: session.refreshToken })).body.code).toBe('session-ended');
  });

  it('keeps only digests of refresh and display tokens', async () => {
    const session = await signIn('monitor1');
    const display = (await call('POST', '/api/v1/admin/displays', admin, { label: 'Digest check' })).body as unknown as DisplayCreated;
    const result = await pipeline.store!.client.query({ query: 'SELECT * FROM sessions', format: 'JSONEachRow' });
    const stored = JSON.stringify(await result.json());
    for (const token of [session.refreshToken, display.token]) {
      const secret = token.split('.')[1]!;
      expect(stored).not.toContain(secret);
    }
    expect(stored).toContain(session.refreshToken.split('.')[0]!);
  });

  it("an admin's sign-out everywhere ends the user's tokens, refresh tokens and live sockets; others keep theirs", async () => {
    const phone = await signIn('lead-jaipur');
    const laptop = await signIn('lead-jaipur');
    const live = await connect(laptop.token);
    const monitor = await signIn('monitor1');
    const bystander = await connect(monitor.token);

    expect((await call('POST', '/api/v1/admin/users/lead-jaipur/sign-out-everywhere', monitor.token)).status).toBe(403);
    expect((await call('POST', '/api/v1/admin/users/nobody/sign-out-everywhere', admin)).status).toBe(404);
    expect((await call('POST', '/api/v1/admin/users/lead-jaipur/sign-out-everywhere', admin)).status).toBe(204);

    expect(await live.closed).toBe('io server disconnect');
    for (const session of [phone, laptop]) {
      expect(await call('GET', summary, session.token)).toMatchObject({ status: 401, body: { code: 'session-ended' } });
      expect((await call('POST', '/api/v1/auth/renew', undefined, { refreshToken: session.refreshToken })).body.code).toBe('session-ended');
    }
    expect(bystander.socket.connected).toBe(true);
    expect((await call('GET', summary, monitor.token)).status).toBe(200);
    // Signing in again works.
    expect((await call('GET', summary, (await signIn('lead-jaipur')).token)).status).toBe(200);
  });

  it('a live socket takes a renewed token of its own session, and drops for one of another', async () => {
    const session = await signIn('monitor1');
    const live = await connect(session.token);
    const renewed = (await call('POST', '/api/v1/auth/renew', undefined, { refreshToken: session.refreshToken })).body as unknown as SessionAnswer;
    const handOver = (token: string) => new Promise<boolean>((resolve) => live.socket.emit(SOCKET_EVENTS.renewedToken, token, resolve));
    expect(await handOver(renewed.token)).toBe(true);
    expect(live.socket.connected).toBe(true);
    expect(await handOver((await signIn('monitor1')).token)).toBe(false);
    expect(await live.closed).toBe('io server disconnect');
  });

  it('a display reads its unit only, live too, and can never write or run SQL', async () => {
    const created = await call('POST', '/api/v1/admin/displays', admin, { label: 'Jaipur hall', unit: 'jaipur' });
    expect(created.status).toBe(201);
    const display = created.body as unknown as DisplayCreated;
    expect(display.url).toBe(`${pipeline.url}/#display=${display.token}`);
    expect(display.display).toMatchObject({ label: 'Jaipur hall', unit: 'jaipur', createdBy: 'admin' });

    const signedIn = await call('POST', '/api/v1/auth/display', undefined, { token: display.token });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user).toEqual({ username: 'display:Jaipur hall', roles: ['display'], units: ['jaipur'] });
    expect(signedIn.body.refreshToken).toBeUndefined();
    const token = signedIn.body.token as string;

    const read = await call('GET', summary, token);
    expect(read.status).toBe(200);
    expect(divisionsOf(read.body)).toEqual(['jaipur']);
    expect((await call('GET', `${summary}&division=ajmer`, token)).status).toBe(403);
    expect((await connect(token)).snapshot.rows.every((row) => row.division === 'jaipur')).toBe(true);

    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/sql', { query: 'SELECT 1' }],
      ['POST', '/api/v1/alerts/silences', { subject: 'wa:jaipur-g1', until: new Date(Date.now() + DAY_MS).toISOString() }],
      ['POST', '/api/v1/alerts/some-alert/acknowledge', undefined],
      ['POST', '/api/v1/admin/users', { username: 'intruder', password: PASSWORD, roles: ['admin'] }],
      ['POST', '/api/v1/admin/displays', { label: 'another' }],
      ['POST', '/api/v1/directory/units', { units: [] }],
      ['PUT', '/api/v1/directory/settings', {}],
      ['POST', '/api/v1/admin/users/monitor1/sign-out-everywhere', undefined],
    ];
    for (const [method, route, body] of writes) {
      const answer = await call(method, route, token, body);
      expect([route, answer.status, answer.body.code]).toEqual([route, 403, 'forbidden']);
    }
    // Signing out drops the display's token, never the display.
    expect((await call('POST', '/api/v1/auth/sign-out', token)).status).toBe(204);
    expect((await call('POST', '/api/v1/auth/display', undefined, { token: display.token })).status).toBe(200);
  });

  it('a display of the whole board reads everything; revoked, its tokens and sockets end at once', async () => {
    const display = (await call('POST', '/api/v1/admin/displays', admin, { label: 'Central wall' })).body as unknown as DisplayCreated;
    const token = (await call('POST', '/api/v1/auth/display', undefined, { token: display.token })).body.token as string;
    expect(divisionsOf((await call('GET', summary, token)).body)).toEqual(['ajmer', 'jaipur']);
    const live = await connect(token);
    const listed = await call('GET', '/api/v1/admin/displays', admin);
    expect((listed.body.displays as { id: string }[]).map((d) => d.id)).toContain(display.display.id);
    expect(JSON.stringify(listed.body)).not.toContain(display.token.split('.')[1]);

    expect((await call('DELETE', `/api/v1/admin/displays/${display.display.id}`, admin)).status).toBe(204);
    expect(await live.closed).toBe('io server disconnect');
    expect(await call('GET', summary, token)).toMatchObject({ status: 401, body: { code: 'signed-out' } });
    expect(await call('POST', '/api/v1/auth/display', undefined, { token: display.token })).toMatchObject({ status: 401, body: { code: 'display-token-invalid' } });
    expect(((await call('GET', '/api/v1/admin/displays', admin)).body.displays as { id: string }[]).map((d) => d.id)).not.toContain(display.display.id);
    expect((await call('DELETE', `/api/v1/admin/displays/${display.display.id}`, admin)).status).toBe(404);
    expect(await call('POST', '/api/v1/admin/displays', admin, { label: '' })).toMatchObject({ status: 400, body: { code: 'invalid-request', field: 'label' } });
    expect(await call('POST', '/api/v1/admin/displays', admin, { label: 'Nowhere', unit: 'no-such-unit' })).toMatchObject({ status: 400, body: { code: 'invalid-request', field: 'unit' } });
  });

  it('never logs a refresh or display token, nor a token handed over on the socket', () => {
    // The log has the requests that carried them, so the check below looks where they would be.
    expect(log).toContain('/api/v1/auth/renew');
    expect(log).toContain('/api/v1/auth/display');
    expect(secrets.size).toBeGreaterThan(10);
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
