/**
 * The analysts' read-only ClickHouse user of deploy/clickhouse/users.d, on a real server, behind
 * POST /api/v1/sql: the api logs in as it (CLICKHOUSE_READONLY_USER) and its queries work; it reads every
 * analytics table and none of the service's own; writes, DDL and setting changes are refused by ClickHouse;
 * over-limit queries answer 422 with the limit named. Every table of the migrated schema must be classified
 * here, so a table a new migration adds is granted to analysts, or not, on purpose.
 *
 * The grants name the database `grouppulse`, so this file runs a server of its own (scripts/clickhouse-local)
 * with the deployment in that database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, signIn } from './support/auth.ts';
import { startLocalClickHouse, type LocalClickHouse } from './support/clickhouse-server.ts';
import { expectedOf, makeEvents } from './support/events.ts';
import { startTestPipeline, waitFor, type TestPipeline } from './support/pipeline.ts';

const PASSWORD = 'a-long-enough-password';

/** Tables analysts read (granted in grouppulse-readonly.xml). */
const ANALYTICS = [
  'events', 'rollup_minute', 'rollup_day', 'rollup_group_hour', 'rollup_group_day', 'group_last_message', 'group_first_message',
  'group_members', 'group_people', 'group_source', 'source_last_seen', 'source_heartbeats',
  'directory_settings', 'directory_units', 'directory_groups', 'directory_version', 'group_aliases',
  'alerts', 'alert_acks', 'alert_silences',
];
/** The service's own: accounts, the audit trail, credentials, bookkeeping, delivery logs and caches. */
const SERVICE = [
  'users', 'revoked_tokens', 'sql_audit', 'sources', 'processor_batches', 'schema_migrations', 'event_keys',
  'alert_deliveries', 'alert_digests', 'alert_webhook_outbox', 'directory_group_paths', 'directory_group_paths_ready', 'dead_letters',
];
/** Tables that are not data: the views (they write into the tables above) and the migration lock. */
const notData = (name: string) => name.endsWith('_mv') || name.startsWith('schema_migrations_lock_');

describe('the analysts\' read-only user on a ClickHouse server', () => {
  let server: LocalClickHouse;
  let pipeline: TestPipeline;
  let analyst: string;

  async function sql(query: string): Promise<{ status: number; body: { error?: string; rows?: Record<string, unknown>[]; rowCount?: number } }> {
    const response = await fetch(`${pipeline.url}/api/v1/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as never };
  }

  beforeAll(async () => {
    server = await startLocalClickHouse();
    pipeline = await startTestPipeline({
      localBus: true,
      env: {
        CLICKHOUSE_URL: server.url,
        CLICKHOUSE_DATABASE: 'grouppulse',
        CLICKHOUSE_READONLY_USER: server.readonlyUser,
        CLICKHOUSE_READONLY_PASSWORD: server.readonlyPassword,
        SQL_MAX_EXECUTION_SECONDS: '2',
        SQL_MAX_RESULT_ROWS: '1000',
      },
    });
    const admin = await adminToken(pipeline.url);
    const created = await fetch(`${pipeline.url}/api/v1/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ana', password: PASSWORD, roles: ['analyst'] }),
    });
    expect(created.status).toBe(201);
    analyst = (await signIn(pipeline.url, 'ana', PASSWORD)).token;
  });
  afterAll(async () => {
    await pipeline?.stop();
    await server?.stop();
  });

  it('runs as the read-only user, not the service user', async () => {
    const answer = await sql('SELECT currentUser() AS user, currentDatabase() AS db');
    expect(answer).toEqual({ status: 200, body: expect.objectContaining({ rows: [{ user: 'grouppulse_readonly', db: 'grouppulse' }] }) });
  });

  it('reads the analytics tables with the right numbers', async () => {
    const events = makeEvents(300, 'ana');
    const expected = expectedOf(events);
    expect((await pipeline.post(events)).status).toBe(202);
    const counted = await waitFor(async () => {
      const { body } = await sql('SELECT sum(messages) AS messages, sum(joins) AS joins, sum(leaves) AS leaves FROM rollup_minute');
      return Number(body.rows?.[0]?.messages) === expected.messages ? body.rows![0] : undefined;
    }, 'the events in rollup_minute, read by the analyst');
    expect(counted).toEqual({ messages: expected.messages, joins: expected.joins, leaves: expected.leaves });
    expect((await sql("SELECT uniqExact(group_id) AS groups FROM events WHERE type = 'message'")).body.rows).toEqual([{ groups: expected.groups.size }]);
  });

  it('reads every analytics table and no table of the service, and every table is one or the other', async () => {
    const result = await pipeline.store!.client.query({ query: 'SELECT name FROM system.tables WHERE database = currentDatabase()', format: 'JSONEachRow' });
    const tables = (await result.json<{ name: string }>()).map((t) => t.name).filter((name) => !notData(name)).sort();
    expect(tables).toEqual([...ANALYTICS, ...SERVICE].sort());
    for (const table of ANALYTICS) expect((await sql(`SELECT count() AS n FROM ${table}`)).status, table).toBe(200);
    for (const table of SERVICE) {
      const refused = await sql(`SELECT * FROM ${table} LIMIT 1`);
      expect(refused.status, table).toBe(403);
      expect(refused.body.error, table).toMatch(/no access/);
    }
  });

  it('is refused writes, DDL, other databases and setting changes by ClickHouse', async () => {
    for (const query of [
      "INSERT INTO events (event_id) VALUES ('x')",
      'CREATE TABLE t (x UInt8) ENGINE = Memory',
      'DROP TABLE events',
      'SELECT * FROM system.users',
      'SELECT 1 SETTINGS max_threads = 1',
    ]) {
      expect((await sql(query)).status, query).toBe(403);
    }
    // Raising a limit past its constraint: refused by the constraint (the api answers that with 400 today).
    const raised = await sql('SELECT 1 SETTINGS max_execution_time = 3600');
    expect(raised.status).toBeGreaterThanOrEqual(400);
    expect(raised.body.error).toMatch(/max_execution_time shouldn't be greater than 30/);
  });

  it('answers an over-limit query with 422 naming the limit, also when rows went out before the limit hit', async () => {
    // Two blocks of 900 rows (~1.8 MB each): the first goes out whole, the second passes the 1,000 rows.
    const block = "SELECT number, repeat('x', 2000) AS padding FROM numbers(900)";
    const tooMany = await sql(`${block} UNION ALL ${block}`);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toMatch(/larger than the limit \(1000 rows/);
    const tooLong = await sql('SELECT sum(cityHash64(number)) FROM numbers(100000000000)');
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error).toMatch(/longer than the limit of 2 s/);
  });

  it('leaves the audit to the service user: every query above is in sql_audit', async () => {
    const result = await pipeline.store!.client.query({ query: "SELECT count() AS n, countIf(outcome = 'ok') AS ok FROM sql_audit WHERE username = 'ana'", format: 'JSONEachRow' });
    const [audit] = await result.json<{ n: string; ok: string }>();
    expect(Number(audit!.n)).toBeGreaterThanOrEqual(ANALYTICS.length + SERVICE.length + 10);
    expect(Number(audit!.ok)).toBeGreaterThanOrEqual(ANALYTICS.length + 3);
  });
});
