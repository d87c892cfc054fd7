/**
 * Every error the board shows answers a stable code beside its English words (common/contracts/errors.ts),
 * on a real server with the real embedded ClickHouse: what the board's forms send wrong names its field,
 * scope and role refusals are `forbidden`, a missing unit `not-found`, a bad range `bad-range`, and the
 * analysts' SQL says which way the query was not answered. The English stays for API users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, signIn } from '../test/support/auth.ts';
import { startTestPipeline, type TestPipeline } from '../test/support/pipeline.ts';

const PASSWORD = 'a-long-enough-password';

describe('error codes', () => {
  let pipeline: TestPipeline;
  let admin: string;
  let lead: string;

  async function call(method: string, route: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const response = await fetch(`${pipeline.url}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  }

  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true });
    admin = await adminToken(pipeline.url);
    const units = [{ id: 'S', name: 'State', level: 'state', parent: '' }, { id: 'jaipur', name: 'Jaipur', level: 'division', parent: 'S' }, { id: 'ajmer', name: 'Ajmer', level: 'division', parent: 'S' }];
    expect((await call('POST', '/api/v1/directory/units', admin, { units })).status).toBe(200);
    expect((await call('POST', '/api/v1/admin/users', admin, { username: 'lead-jaipur', password: PASSWORD, roles: ['lead'], units: ['jaipur'] })).status).toBe(201);
    lead = (await signIn(pipeline.url, 'lead-jaipur', PASSWORD)).token;
  });
  afterAll(() => pipeline?.stop());

  it('sign-in and the sign-in form', async () => {
    expect(await call('POST', '/api/v1/auth/sign-in', undefined, { username: 'admin', password: 'not-the-password' })).toMatchObject({ status: 401, body: { code: 'wrong-credentials', error: 'wrong username or password' } });
    expect(await call('POST', '/api/v1/auth/sign-in', undefined, { username: '', password: 'x' })).toMatchObject({ status: 400, body: { code: 'invalid-request', field: 'username' } });
    expect(await call('GET', '/api/v1/auth/me', undefined)).toMatchObject({ status: 401, body: { code: 'sign-in-required' } });
    expect(await call('GET', '/api/v1/auth/me', 'not-a-token')).toMatchObject({ status: 401, body: { code: 'token-invalid' } });
  });

  it('reads outside the scope, of a unit that is not there, and of a range that cannot be', async () => {
    expect(await call('GET', '/api/v1/board/unit?unit=ajmer', lead)).toMatchObject({ status: 403, body: { code: 'forbidden', error: 'you may not read unit "ajmer"' } });
    expect(await call('GET', '/api/v1/board/unit?unit=nowhere', admin)).toMatchObject({ status: 404, body: { code: 'not-found' } });
    expect(await call('GET', '/api/v1/board/series?unit=jaipur&from=1999-12-31T00:00:00Z&to=2026-01-01T00:00:00Z', admin)).toMatchObject({ status: 400, body: { code: 'invalid-request', field: 'from' } });
    expect(await call('GET', '/api/v1/board/series?unit=jaipur&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', admin)).toMatchObject({ status: 400, body: { code: 'bad-range' } });
    expect(await call('GET', '/api/v1/summary?from=yesterday&to=2026-01-01T00:00:00Z', admin)).toMatchObject({ status: 400, body: { code: 'invalid-request', field: 'from' } });
    expect(await call('GET', '/api/v1/admin/users', lead)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await call('POST', '/api/v1/alerts/no-such-alert/acknowledge', admin)).toMatchObject({ status: 404, body: { code: 'not-found' } });
  });

  it("the analysts' SQL: a mistake, a refusal, a body without a query", async () => {
    const mistake = await call('POST', '/api/v1/sql', admin, { query: 'SELEC 1' });
    expect(mistake).toMatchObject({ status: 400, body: { code: 'sql-mistake' } });
    expect(mistake.body).toMatchObject({ at: { character: 1, line: 1, column: 1 } });
    expect(mistake.body.error).toMatch(/^syntax error at character 1 \(line 1, column 1\) near "SELEC"/);
    expect(await call('POST', '/api/v1/sql', admin, { query: 'SELECT * FROM users' })).toMatchObject({ status: 403, body: { code: 'sql-refused' } });
    expect(await call('POST', '/api/v1/sql', admin, { text: 'SELECT 1' })).toMatchObject({ status: 400, body: { code: 'invalid-request', field: 'query' } });
    expect(await call('POST', '/api/v1/sql', lead, { query: 'SELECT 1' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });

  it('a lead for a unit the directory does not have is refused, naming the unit', async () => {
    const made = await call('POST', '/api/v1/admin/users', admin, { username: 'lead-nowhere', password: PASSWORD, roles: ['lead'], units: ['jaipur', 'jaipr'] });
    expect(made).toMatchObject({ status: 400, body: { code: 'unknown-unit', field: 'units' } });
    expect(made.body.error).toMatch(/^no unit "jaipr" in the directory/);
    expect((await call('GET', '/api/v1/admin/users', admin)).body.users).not.toContainEqual(expect.objectContaining({ username: 'lead-nowhere' }));
    const changed = await call('PATCH', '/api/v1/admin/users/lead-jaipur', admin, { units: ['nowhere'] });
    expect(changed).toMatchObject({ status: 400, body: { code: 'unknown-unit', field: 'units' } });
    expect(await call('PATCH', '/api/v1/admin/users/lead-jaipur', admin, { units: ['jaipur', 'ajmer'] })).toMatchObject({ status: 200, body: { user: { units: ['jaipur', 'ajmer'] } } });
    expect(await call('PATCH', '/api/v1/admin/users/lead-jaipur', admin, { units: ['jaipur'] })).toMatchObject({ status: 200 });
  });

  it('a body that is not JSON is answered by the one error handler, with a code', async () => {
    const response = await fetch(`${pipeline.url}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'body is not valid JSON', code: 'invalid-request' });
  });
});
