/**
 * The analysts' SQL endpoint on the real embedded ClickHouse: reads work; writes, DDL, setting
 * changes, several statements, runaway and oversized queries are refused with clear errors (by
 * ClickHouse's readonly=1 and limits); account tables stay hidden; every query is audited; and the
 * service's own session keeps writing (the analysts' read-only session does not leak into it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPipeline, waitFor, type TestPipeline } from '../../test/support/pipeline.ts';
import { adminToken, signIn } from '../../test/support/auth.ts';

const PASSWORD = 'a-long-enough-password';

describe('POST /api/v1/sql', () => {
  let pipeline: TestPipeline;
  let analyst: string;

  async function sql(query: string, token = analyst): Promise<{ status: number; body: { error?: string; rows?: Record<string, unknown>[]; rowCount?: number; columns?: { name: string; type: string }[] } }> {
    const response = await fetch(`${pipeline.url}/api/v1/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as never };
  }

  async function storedEvents(): Promise<number> {
    const result = await pipeline.store!.client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
    return Number((await result.json<{ n: string }>())[0]!.n);
  }

  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true, env: { SQL_MAX_EXECUTION_SECONDS: '2', SQL_MAX_RESULT_ROWS: '1000' } });
    const admin = await adminToken(pipeline.url);
    const created = await fetch(`${pipeline.url}/api/v1/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'analyst1', password: PASSWORD, roles: ['analyst'] }),
    });
    expect(created.status).toBe(201);
    analyst = (await signIn(pipeline.url, 'analyst1', PASSWORD)).token;
    expect((await pipeline.post([{ type: 'message', id: 'e1', group: 'g1', at: '2026-11-22T10:00:00Z', sender: 's1' }])).status).toBe(202);
    await waitFor(async () => ((await storedEvents()) === 1 ? true : undefined), 'the first event stored');
  });
  afterAll(() => pipeline?.stop());

  it('answers a read with columns, rows and counts; text/plain works too; ; inside strings is fine', async () => {
    const { status, body } = await sql("SELECT count() AS n, 'a;b' AS s FROM events;");
    expect(status).toBe(200);
    expect(body.columns).toEqual([{ name: 'n', type: 'UInt64' }, { name: 's', type: 'String' }]);
    expect(body.rows!.map((r) => ({ n: Number(r.n), s: r.s }))).toEqual([{ n: 1, s: 'a;b' }]);
    expect(body.rowCount).toBe(1);
    const plain = await fetch(`${pipeline.url}/api/v1/sql`, { method: 'POST', headers: { authorization: `Bearer ${analyst}`, 'content-type': 'text/plain' }, body: 'SELECT 42 AS answer' });
    expect(((await plain.json()) as { rows: unknown[] }).rows).toEqual([{ answer: 42 }]);
  });

  it.each([
    ['an INSERT', "INSERT INTO events (event_id) VALUES ('x')"],
    ['a DROP', 'DROP TABLE events'],
    ['a CREATE', 'CREATE TABLE sneaky (x UInt8) ENGINE = Memory'],
    ['an ALTER', 'ALTER TABLE events DELETE WHERE 1'],
    ['a TRUNCATE', 'TRUNCATE TABLE events'],
    ['an OPTIMIZE', 'OPTIMIZE TABLE events FINAL'],
    ['a SETTINGS clause lifting the limits', 'SELECT count() FROM numbers(10) SETTINGS max_execution_time = 100000'],
    ['a SETTINGS clause lifting readonly', 'SELECT 1 SETTINGS readonly = 0'],
    ['a SETTINGS clause lifting the table filters', "SELECT * FROM users SETTINGS additional_table_filters = {'users':'1'}"],
    ['reading a file', "SELECT * FROM file('/etc/passwd', 'RawBLOB')"],
  ])('refuses %s as read-only (403, ClickHouse readonly)', async (_what, query) => {
    const { status, body } = await sql(query);
    expect(status, body.error).toBe(403);
    expect(body.error).toMatch(/read-only|readonly/);
  });

  it('refuses SET statements', async () => {
    const { status, body } = await sql('SET max_execution_time = 100000');
    expect(status).toBe(403);
    expect(body.error).toMatch(/settings cannot be changed/);
  });

  it('refuses several statements, whatever the second one is', async () => {
    for (const query of ['SELECT 1; SELECT 2', "SELECT ';' AS s; DROP TABLE events", 'SELECT 1;\nINSERT INTO events (event_id) VALUES (1)']) {
      const { status, body } = await sql(query);
      expect(status, query).toBe(400);
      expect(body.error).toMatch(/exactly one statement/);
    }
  });

  it('stops a runaway query at max_execution_time', async () => {
    const started = Date.now();
    const { status, body } = await sql('SELECT count() FROM numbers(1e12)');
    expect(status).toBe(422);
    expect(body.error).toMatch(/longer than the limit of 2 s/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses results over max_result_rows', async () => {
    const { status, body } = await sql('SELECT number FROM numbers(5000)');
    expect(status).toBe(422);
    expect(body.error).toMatch(/larger than the limit \(1000 rows/);
  });

  it('hides accounts, revocations and the audit trail', async () => {
    const users = await sql('SELECT * FROM users');
    expect(users.status, users.body.error).toBe(200);
    expect(users.body.rows).toEqual([]);
    expect((await sql('SELECT * FROM (SELECT password_hash FROM users FINAL)')).body.rows).toEqual([]);
    expect(Number((await sql('SELECT count() AS n FROM sql_audit')).body.rows![0]!.n)).toBe(0);
    const merged = await sql("SELECT * FROM merge(currentDatabase(), '^users$')");
    expect(merged.status).toBe(403);
    expect(merged.body.error).toMatch(/merge\(\) is not available/);
  });

  it('after all that, the service still writes (the read-only session is the analysts\' alone)', async () => {
    const before = await storedEvents();
    expect((await pipeline.post([{ type: 'message', id: 'e2', group: 'g1', at: '2026-11-22T10:01:00Z', sender: 's2' }])).status).toBe(202);
    await waitFor(async () => ((await storedEvents()) === before + 1 ? true : undefined), 'a write after the refusals');
  });

  it('audits every query: who, when, what, outcome, rows, time', async () => {
    const result = await pipeline.store!.client.query({
      query: 'SELECT username, query, outcome, error, rows, elapsed_ms FROM sql_audit ORDER BY at',
      format: 'JSONEachRow',
    });
    const audit = await result.json<{ username: string; query: string; outcome: string; error: string; rows: string; elapsed_ms: number }>();
    expect(audit.length).toBeGreaterThanOrEqual(18);
    expect(new Set(audit.map((a) => a.username))).toEqual(new Set(['analyst1']));
    const first = audit.find((a) => a.query.startsWith('SELECT count() AS n'))!;
    expect(first).toMatchObject({ outcome: 'ok', error: '' });
    expect(Number(first.rows)).toBe(1);
    expect(audit.find((a) => a.query === 'DROP TABLE events')).toMatchObject({ outcome: 'refused' });
    expect(audit.find((a) => a.query === 'SELECT count() FROM numbers(1e12)')).toMatchObject({ outcome: 'error' });
    expect(Number(audit.find((a) => a.query === 'SELECT count() FROM numbers(1e12)')!.elapsed_ms)).toBeGreaterThanOrEqual(1900);
  });
});
