/**
 * Who may see what, on a real server with the real embedded ClickHouse (the in-process bus: Kafka does
 * not matter here). A role × endpoint × scope matrix, plus sign-in, sign-out, expiry, disable,
 * password change, the sign-in rate limit, ingest-vs-user tokens and the security headers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKEN, startTestPipeline, type TestPipeline } from '../../test/support/pipeline.ts';
import { adminToken, signIn } from '../../test/support/auth.ts';
import { createTokenIssuer } from '../../access/tokens.ts';
import { DAY_MS } from '../../common/time.ts';

const DAY = '2026-11-22';
const PASSWORD = 'a-long-enough-password';

type Who = 'admin' | 'monitor' | 'leadJaipur' | 'leadAjmer' | 'analyst' | 'ingestToken' | 'noToken';

async function call(pipeline: TestPipeline, method: string, route: string, token: string | undefined, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${pipeline.url}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

function eventRow(id: string, division: string) {
  const at = Date.parse(`${DAY}T10:15:00Z`);
  return { event_id: id, type: 'message', group_id: `wa:${division}-g1`, at, received_at: at, source: 'test', person: `p-${id}`, kind: 'text', forwarded: false, members: null, admins: null, title: '', division, category: 'booth', unit_path: [] };
}

describe('access control matrix', () => {
  let pipeline: TestPipeline;
  const tokens = {} as Record<Who, string | undefined>;

  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true });
    const admin = await adminToken(pipeline.url);
    for (const [username, roles, units] of [
      ['monitor1', ['monitor'], []],
      ['lead-jaipur', ['lead'], ['jaipur']],
      ['lead-ajmer', ['lead'], ['ajmer']],
      ['analyst1', ['analyst'], []],
    ] as const) {
      const created = await call(pipeline, 'POST', '/api/v1/admin/users', admin, { username, password: PASSWORD, roles, units });
      expect(created.status, await created.clone().text()).toBe(201);
    }
    tokens.admin = admin;
    tokens.monitor = (await signIn(pipeline.url, 'monitor1', PASSWORD)).token;
    tokens.leadJaipur = (await signIn(pipeline.url, 'lead-jaipur', PASSWORD)).token;
    tokens.leadAjmer = (await signIn(pipeline.url, 'lead-ajmer', PASSWORD)).token;
    tokens.analyst = (await signIn(pipeline.url, 'analyst1', PASSWORD)).token;
    tokens.ingestToken = TEST_TOKEN;
    tokens.noToken = undefined;
    await pipeline.store!.client.insert({
      table: 'events',
      format: 'JSONEachRow',
      values: [eventRow('j1', 'jaipur'), eventRow('j2', 'jaipur'), eventRow('a1', 'ajmer'), eventRow('u1', 'unassigned')],
    });
    // A directory for what a lead's silences are cut by, and one silence per division plus one on a source.
    const units = [{ id: 'S', name: 'State', level: 'state', parent: '' }, { id: 'jaipur', name: 'Jaipur', level: 'division', parent: 'S' }, { id: 'ajmer', name: 'Ajmer', level: 'division', parent: 'S' }];
    const groups = [{ id: 'wa:jaipur-g1', unit: 'jaipur', category: 'booth-voters' }, { id: 'wa:ajmer-g1', unit: 'ajmer', category: 'booth-voters' }];
    for (const [kind, body] of [['units', { units }], ['groups', { groups }]] as const) {
      const imported = await call(pipeline, 'POST', `/api/v1/directory/${kind}`, admin, body);
      expect(imported.status, await imported.clone().text()).toBe(200);
    }
    for (const subject of ['wa:jaipur-g1', 'wa:ajmer-g1', 'collector-7']) {
      const created = await call(pipeline, 'POST', '/api/v1/alerts/silences', admin, { subject, until: new Date(Date.now() + DAY_MS).toISOString(), reason: `quiet ${subject}` });
      expect(created.status, await created.clone().text()).toBe(201);
    }
  });
  afterAll(() => pipeline?.stop());

  const summary = `/api/v1/summary?from=${DAY}T00:00:00Z&to=${DAY}T23:59:00Z`;
  const everything = ['ajmer', 'jaipur', 'unassigned'];
  const cases: { route: string; method: string; body?: unknown; expect: Record<Who, number>; divisions?: Partial<Record<Who, string[]>> }[] = [
    {
      method: 'GET', route: summary,
      expect: { admin: 200, monitor: 200, analyst: 200, leadJaipur: 200, leadAjmer: 200, ingestToken: 401, noToken: 401 },
      divisions: { admin: everything, monitor: everything, analyst: everything, leadJaipur: ['jaipur'], leadAjmer: ['ajmer'] },
    },
    {
      method: 'GET', route: `${summary}&division=ajmer`,
      expect: { admin: 200, monitor: 200, analyst: 200, leadJaipur: 403, leadAjmer: 200, ingestToken: 401, noToken: 401 },
      divisions: { admin: ['ajmer'], monitor: ['ajmer'], analyst: ['ajmer'], leadAjmer: ['ajmer'] },
    },
    {
      method: 'GET', route: `${summary}&division=jaipur`,
      expect: { admin: 200, monitor: 200, analyst: 200, leadJaipur: 200, leadAjmer: 403, ingestToken: 401, noToken: 401 },
      divisions: { leadJaipur: ['jaipur'] },
    },
    {
      method: 'POST', route: '/api/v1/sql', body: { query: 'SELECT count() AS n FROM events' },
      expect: { admin: 200, monitor: 403, analyst: 200, leadJaipur: 403, leadAjmer: 403, ingestToken: 401, noToken: 401 },
    },
    {
      method: 'GET', route: '/api/v1/admin/users',
      expect: { admin: 200, monitor: 403, analyst: 403, leadJaipur: 403, leadAjmer: 403, ingestToken: 401, noToken: 401 },
    },
    {
      method: 'POST', route: '/api/v1/admin/users', body: { username: 'someone-new', password: PASSWORD, roles: ['monitor'] },
      expect: { admin: 201, monitor: 403, analyst: 403, leadJaipur: 403, leadAjmer: 403, ingestToken: 401, noToken: 401 },
    },
    {
      method: 'PATCH', route: '/api/v1/admin/users/lead-ajmer', body: { units: ['ajmer'] },
      expect: { admin: 200, monitor: 403, analyst: 403, leadJaipur: 403, leadAjmer: 403, ingestToken: 401, noToken: 401 },
    },
    {
      method: 'GET', route: '/api/v1/auth/me',
      expect: { admin: 200, monitor: 200, analyst: 200, leadJaipur: 200, leadAjmer: 200, ingestToken: 401, noToken: 401 },
    },
  ];

  for (const testCase of cases) {
    it(`${testCase.method} ${testCase.route.replace(/from=.*?&to=[^&]*&?/, '')}`, async () => {
      const seen: Record<string, number> = {};
      for (const who of Object.keys(testCase.expect) as Who[]) {
        const response = await call(pipeline, testCase.method, testCase.route, tokens[who], testCase.body);
        seen[who] = response.status;
        const want = testCase.divisions?.[who];
        if (want && response.status === 200) {
          const body = (await response.json()) as { rows: { division: string }[] };
          expect([...new Set(body.rows.map((r) => r.division))].sort(), `${who} sees`).toEqual(want);
        }
      }
      expect(seen).toEqual(testCase.expect);
    });
  }

  it('silences: each reader sees those of what they may see; leads silence only their own; monitors remove', async () => {
    const seen: Partial<Record<Who, number | string[]>> = {};
    for (const who of Object.keys(tokens) as Who[]) {
      const response = await call(pipeline, 'GET', '/api/v1/alerts/silences', tokens[who]);
      seen[who] = response.status === 200 ? ((await response.json()) as { silences: { subject: string }[] }).silences.map((s) => s.subject).sort() : response.status;
    }
    const all = ['collector-7', 'wa:ajmer-g1', 'wa:jaipur-g1'];
    expect(seen).toEqual({ admin: all, monitor: all, analyst: all, leadJaipur: ['wa:jaipur-g1'], leadAjmer: ['wa:ajmer-g1'], ingestToken: 401, noToken: 401 });

    const until = new Date(Date.now() + DAY_MS).toISOString();
    const created: Partial<Record<Who, number>> = {};
    for (const who of Object.keys(tokens) as Who[]) created[who] = (await call(pipeline, 'POST', '/api/v1/alerts/silences', tokens[who], { subject: 'wa:jaipur-g1', until })).status;
    expect(created).toEqual({ admin: 201, monitor: 201, analyst: 403, leadJaipur: 201, leadAjmer: 403, ingestToken: 401, noToken: 401 });
    expect((await call(pipeline, 'POST', '/api/v1/alerts/silences', tokens.leadJaipur, { subject: 'collector-7', until })).status).toBe(403);

    const [target] = ((await (await call(pipeline, 'GET', '/api/v1/alerts/silences', tokens.admin)).json()) as { silences: { id: string; subject: string }[] }).silences.filter((s) => s.subject === 'collector-7');
    const removed: Partial<Record<Who, number>> = {};
    for (const who of ['leadJaipur', 'analyst', 'ingestToken', 'noToken', 'monitor'] as const) removed[who] = (await call(pipeline, 'DELETE', `/api/v1/alerts/silences/${target!.id}`, tokens[who])).status;
    expect(removed).toEqual({ leadJaipur: 403, analyst: 403, ingestToken: 401, noToken: 401, monitor: 204 });
  });

  it('silences last at most the rules\' maximum (30 days by default)', async () => {
    const tooLong = await call(pipeline, 'POST', '/api/v1/alerts/silences', tokens.admin, { subject: 'wa:jaipur-g1', until: new Date(Date.now() + 31 * DAY_MS).toISOString() });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: string }).error).toMatch(/at most 30 days \(silences.maxDays in the rules file\)/);
    expect((await call(pipeline, 'POST', '/api/v1/alerts/silences', tokens.admin, { subject: 'wa:jaipur-g1', until: new Date(Date.now() + 29 * DAY_MS).toISOString() })).status).toBe(201);
  });

  it('user tokens cannot ingest; source tokens cannot read', async () => {
    const event = [{ type: 'message', id: 'u-1', group: 'g', at: `${DAY}T10:00:00Z`, sender: 's' }];
    for (const who of ['admin', 'monitor', 'analyst', 'leadJaipur'] as const) {
      expect((await pipeline.post(event, { token: tokens[who] })).status, who).toBe(401);
    }
    expect((await pipeline.post(event)).status).toBe(202);
    const read = await call(pipeline, 'GET', summary, TEST_TOKEN);
    expect(read.status).toBe(401);
  });

  it('a lead knows its scope', async () => {
    const me = (await (await call(pipeline, 'GET', '/api/v1/auth/me', tokens.leadJaipur)).json()) as { scope: unknown; user: { roles: string[] } };
    expect(me.scope).toEqual({ kind: 'divisions', divisions: ['jaipur'] });
  });

  it('refuses wrong passwords the same way for unknown users, and never returns hashes', async () => {
    const wrong = await call(pipeline, 'POST', '/api/v1/auth/sign-in', undefined, { username: 'monitor1', password: 'nope-nope-nope' });
    const unknown = await call(pipeline, 'POST', '/api/v1/auth/sign-in', undefined, { username: 'ghost', password: 'nope-nope-nope' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());
    const list = await (await call(pipeline, 'GET', '/api/v1/admin/users', tokens.admin)).text();
    expect(list).not.toMatch(/scrypt|password/i);
  });

  it('signed-out tokens stop working at once', async () => {
    const { token } = await signIn(pipeline.url, 'monitor1', PASSWORD);
    expect((await call(pipeline, 'GET', summary, token)).status).toBe(200);
    expect((await call(pipeline, 'POST', '/api/v1/auth/sign-out', token)).status).toBe(204);
    const after = await call(pipeline, 'GET', summary, token);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: string }).error).toMatch(/signed out/);
    // Other sessions of the same user are unaffected.
    expect((await call(pipeline, 'GET', summary, tokens.monitor)).status).toBe(200);
  });

  it('expired tokens are refused', async () => {
    const secret = Buffer.from(readFileSync(path.join(pipeline.config.DATA_DIR, 'auth-jwt.key'), 'utf8').trim(), 'hex');
    const past = createTokenIssuer({ secret, ttlSeconds: 60, now: () => Date.now() - 120_000 });
    const { token } = await past.issue('monitor1');
    const response = await call(pipeline, 'GET', summary, token);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(/expired/);
    // Same key, still valid: accepted (so the refusal above was the expiry).
    const fresh = await createTokenIssuer({ secret, ttlSeconds: 60 }).issue('monitor1');
    expect((await call(pipeline, 'GET', summary, fresh.token)).status).toBe(200);
  });

  it('disabling a user or changing their password ends their sessions', async () => {
    await call(pipeline, 'POST', '/api/v1/admin/users', tokens.admin, { username: 'temp-lead', password: PASSWORD, roles: ['lead'], units: ['ajmer'] });
    const { token } = await signIn(pipeline.url, 'temp-lead', PASSWORD);
    expect((await call(pipeline, 'GET', summary, token)).status).toBe(200);
    expect((await call(pipeline, 'PATCH', '/api/v1/admin/users/temp-lead', tokens.admin, { password: 'another-long-password' })).status).toBe(200);
    expect((await call(pipeline, 'GET', summary, token)).status).toBe(401);
    const second = await signIn(pipeline.url, 'temp-lead', 'another-long-password');
    expect((await call(pipeline, 'GET', summary, second.token)).status).toBe(200);
    expect((await call(pipeline, 'PATCH', '/api/v1/admin/users/temp-lead', tokens.admin, { disabled: true })).status).toBe(200);
    expect((await call(pipeline, 'GET', summary, second.token)).status).toBe(401);
    expect((await call(pipeline, 'POST', '/api/v1/auth/sign-in', undefined, { username: 'temp-lead', password: 'another-long-password' })).status).toBe(401);
  });

  it('admin API validates what it is given', async () => {
    const noUnits = await call(pipeline, 'POST', '/api/v1/admin/users', tokens.admin, { username: 'lead-x', password: PASSWORD, roles: ['lead'] });
    expect(noUnits.status).toBe(400);
    expect(((await noUnits.json()) as { error: string }).error).toMatch(/lead needs at least one unit/);
    const badRole = await call(pipeline, 'POST', '/api/v1/admin/users', tokens.admin, { username: 'x-1', password: PASSWORD, roles: ['root'] });
    expect(((await badRole.json()) as { error: string }).error).toMatch(/role must be one of/);
    expect((await call(pipeline, 'POST', '/api/v1/admin/users', tokens.admin, { username: 'monitor1', password: PASSWORD, roles: ['monitor'] })).status).toBe(409);
    expect((await call(pipeline, 'PATCH', '/api/v1/admin/users/nobody', tokens.admin, { disabled: true })).status).toBe(404);
    const generated = await call(pipeline, 'POST', '/api/v1/admin/users', tokens.admin, { username: 'gen-1', roles: ['monitor'] });
    const { generatedPassword } = (await generated.json()) as { generatedPassword: string };
    expect((await signIn(pipeline.url, 'gen-1', generatedPassword)).user.roles).toEqual(['monitor']);
  });

  it('sends security headers; CORS answers only the configured board origin (none here)', async () => {
    const response = await fetch(`${pipeline.url}/api/v1/auth/me`, { headers: { origin: 'https://evil.example' } });
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('failure limits behind a trusted proxy, the metrics token, and CORS for a board served elsewhere', () => {
  const METRICS_TOKEN = 'metrics-token-for-tests';
  let pipeline: TestPipeline;
  const signInFrom = (address: string, username: string, password: string) =>
    fetch(`${pipeline.url}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ username, password }),
    });

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      localBus: true,
      env: {
        AUTH_SIGNIN_MAX_FAILURES: '3',
        AUTH_SIGNIN_MAX_FAILURES_PER_ADDRESS: '5',
        TOKEN_MAX_FAILURES_PER_ADDRESS: '3',
        METRICS_TOKEN: METRICS_TOKEN,
        TRUST_PROXY: 'loopback',
        BOARD_ORIGIN: 'http://localhost:5173',
      },
    });
    const admin = await adminToken(pipeline.url);
    for (const username of ['monitor1', 'monitor2']) {
      const created = await call(pipeline, 'POST', '/api/v1/admin/users', admin, { username, password: PASSWORD, roles: ['monitor'] });
      expect(created.status).toBe(201);
    }
  });
  afterAll(() => pipeline?.stop());

  it('never counts successful sign-ins', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signInFrom('203.0.113.1', 'monitor1', PASSWORD)).status);
    expect(statuses).toEqual(Array(12).fill(200));
  });

  it('locks an account after its failed sign-ins, from any address, and leaves other accounts alone', async () => {
    for (let i = 0; i < 3; i++) expect((await signInFrom(`203.0.113.${10 + i}`, 'monitor2', `wrong-${i}-password`)).status).toBe(401);
    const locked = await signInFrom('203.0.113.20', 'monitor2', PASSWORD);
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: string }).error).toMatch(/too many failed sign-ins for this account/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signInFrom('203.0.113.20', 'monitor1', PASSWORD)).status).toBe(200);
  });

  it('locks an address after its failed sign-ins, whatever the accounts, and only that address (the proxy says who)', async () => {
    for (let i = 0; i < 5; i++) expect((await signInFrom('198.51.100.7', `ghost-${i}`, 'wrong-password')).status).toBe(401);
    const locked = await signInFrom('198.51.100.7', 'monitor1', PASSWORD);
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: string }).error).toMatch(/too many failed sign-ins from this address/);
    expect((await signInFrom('198.51.100.8', 'monitor1', PASSWORD)).status).toBe(200);
  });

  it('turns an address away after wrong directory-import tokens, even with the right one; other addresses still import', async () => {
    const importFrom = (address: string, token: string) =>
      fetch(`${pipeline.url}/api/v1/directory/units`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'x-forwarded-for': address }, body: '' });
    for (let i = 0; i < 3; i++) expect((await importFrom('192.0.2.1', `guess-${i}-of-the-import-token`)).status).toBe(401);
    const locked = await importFrom('192.0.2.1', TEST_TOKEN);
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { error: string }).error).toMatch(/too many wrong tokens from this address/);
    // The right token from elsewhere is let in (and told its body is empty).
    expect((await importFrom('192.0.2.2', TEST_TOKEN)).status).toBe(400);
  });

  it('asks for METRICS_TOKEN on /metrics when it is set', async () => {
    const open = await fetch(`${pipeline.url}/metrics`, { headers: { 'x-forwarded-for': '192.0.2.9' } });
    expect(open.status).toBe(401);
    const scraped = await fetch(`${pipeline.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}`, 'x-forwarded-for': '192.0.2.9' } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^# HELP /m);
  });

  it('allows the board origin only', async () => {
    const good = await fetch(`${pipeline.url}/api/v1/auth/me`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(good.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const bad = await fetch(`${pipeline.url}/api/v1/auth/me`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });
});
