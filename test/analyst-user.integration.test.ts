/**
 * The analysts' read-only ClickHouse user of deploy/clickhouse/users.d, on a real server: the second wall
 * behind the api's SQL sandbox. Logged in as it, ClickHouse itself lets it read the sandbox's analytics tables
 * and nothing else, and refuses writes, DDL and setting changes; behind POST /api/v1/sql the api runs as it and
 * its queries work, over-limit ones answering 422. Every table of the migrated schema must be on the sandbox's
 * list or on this file's list of the service's own, so a table a new migration adds is granted, or not, on purpose.
 *
 * The grants name the database `grouppulse`, so this file runs a server of its own (scripts/clickhouse-local)
 * with the deployment in that database.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS_TABLES } from '../api/sql/allow-list.ts';
import { serverOf } from '../common/store/store.ts';
import { adminToken, signIn } from './support/auth.ts';
import { startLocalClickHouse, type LocalClickHouse } from './support/clickhouse-server.ts';
import { expectedOf, makeEvents } from './support/events.ts';
import { startTestPipeline, waitFor, type TestPipeline } from './support/pipeline.ts';

const PASSWORD = 'a-long-enough-password';
const USERS_FILE = path.join(import.meta.dirname, '..', 'deploy', 'clickhouse', 'users.d', 'grouppulse-readonly.xml');

/** The service's own tables: never the analysts' (every table of the schema not on ANALYTICS_TABLES). */
const SERVICE = [
  'users', 'revoked_tokens', 'sessions', 'sql_audit', 'sql_saved_queries', 'sources', 'processor_batches', 'schema_migrations', 'event_keys', 'dead_letters',
  'alerts', 'alert_acks', 'alert_silences', 'alert_deliveries', 'alert_digests', 'alert_webhook_outbox',
  'source_last_seen', 'source_heartbeats', 'directory_version', 'directory_group_paths_ready', 'group_aliases',
  // People's names and numbers, and the representatives' register; snoozes and rule edits; message reach; personal notifications.
  'directory_contacts', 'directory_representatives', 'alert_snoozes', 'alert_rules_edits', 'reach_first_seen', 'reach_forwarded', 'reach_marks', 'reach_upper_seen',
  'notify_telegram_links', 'notify_prefs', 'notify_link_codes', 'notify_claims', 'notify_deliveries', 'notify_contacts', 'notify_pending',
];
/** Tables that are not data: the views (they write into the tables above) and the migration lock. */
const notData = (name: string) => name.endsWith('_mv') || name.startsWith('schema_migrations_lock_');

/** ClickHouse's error code for a statement, or 'ok'. */
async function outcome(client: ClickHouseClient, query: string): Promise<string> {
  try {
    await (await client.query({ query, format: 'JSONEachRow' })).json();
    return 'ok';
  } catch (error) {
    return String((error as { code?: string }).code ?? (error as Error).message);
  }
}

describe('the analysts\' read-only user on a ClickHouse server', () => {
  let server: LocalClickHouse;
  let pipeline: TestPipeline;
  let analyst: string;
  /** Logged in as the read-only user itself, straight to ClickHouse. */
  let readonly: ClickHouseClient;

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
    readonly = createClient({ url: serverOf({ CLICKHOUSE_URL: server.url, CLICKHOUSE_USER: undefined, CLICKHOUSE_PASSWORD: undefined }).url, username: server.readonlyUser, password: server.readonlyPassword, database: 'grouppulse' });
  });
  afterAll(async () => {
    await readonly?.close();
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
    // 64-bit integers come as strings.
    expect(counted).toEqual({ messages: String(expected.messages), joins: String(expected.joins), leaves: String(expected.leaves) });
    expect((await sql("SELECT uniqExact(group_id) AS groups FROM events WHERE type = 'message'")).body.rows).toEqual([{ groups: String(expected.groups.size) }]);
  });

  it('is granted exactly the sandbox\'s analytics tables, and every table of the schema is one of those or the service\'s own', async () => {
    const granted = [...readFileSync(USERS_FILE, 'utf8').matchAll(/GRANT SELECT ON grouppulse\.(\w+)</g)].map((m) => m[1]!);
    expect(granted.sort()).toEqual([...ANALYTICS_TABLES].sort());
    const result = await pipeline.store!.client.query({ query: 'SELECT name FROM system.tables WHERE database = currentDatabase()', format: 'JSONEachRow' });
    const tables = (await result.json<{ name: string }>()).map((t) => t.name).filter((name) => !notData(name)).sort();
    expect(tables).toEqual([...ANALYTICS_TABLES, ...SERVICE].sort());
  });

  it('reads every analytics table and nothing else, by ClickHouse\'s own grants', async () => {
    for (const table of ANALYTICS_TABLES) expect(await outcome(readonly, `SELECT count() FROM ${table}`), table).toBe('ok');
    // 497: not enough privileges.
    for (const table of [...SERVICE, 'schema_migrations_lock_1']) expect(await outcome(readonly, `SELECT * FROM ${table} LIMIT 1`), table).toBe('497');
    for (const table of ['system.users', 'system.parts', 'system.processes', 'system.grants']) expect(await outcome(readonly, `SELECT * FROM ${table} LIMIT 1`), table).toBe('497');
  });

  it('is refused writes, DDL and setting changes by ClickHouse', async () => {
    // 497: not enough privileges (checked first); 164: readonly mode; 452: a limit raised past its constraint.
    const refused: Record<string, string> = {};
    for (const query of [
      "INSERT INTO events (event_id) VALUES ('x')",
      'CREATE TABLE t (x UInt8) ENGINE = Memory',
      'DROP TABLE events',
      'TRUNCATE TABLE events',
      'SELECT 1 SETTINGS max_threads = 1',
      'SELECT 1 SETTINGS readonly = 0',
      'SELECT 1 SETTINGS max_execution_time = 3600',
    ]) refused[query] = await outcome(readonly, query);
    expect(refused).toEqual({
      "INSERT INTO events (event_id) VALUES ('x')": '497',
      'CREATE TABLE t (x UInt8) ENGINE = Memory': '497',
      'DROP TABLE events': '497',
      'TRUNCATE TABLE events': '497',
      'SELECT 1 SETTINGS max_threads = 1': '164',
      'SELECT 1 SETTINGS readonly = 0': '164',
      'SELECT 1 SETTINGS max_execution_time = 3600': '452',
    });
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

  it('leaves the audit to the service user: the api queries above are in sql_audit', async () => {
    const result = await pipeline.store!.client.query({
      query: "SELECT countIf(outcome = 'ok') AS ok, countIf(outcome = 'error') AS error FROM sql_audit WHERE username = 'ana'",
      format: 'JSONEachRow',
    });
    const [audit] = await result.json<{ ok: string; error: string }>();
    // currentUser, the reads (polled at least once), the distinct groups; the two over-limit queries.
    expect(Number(audit!.ok)).toBeGreaterThanOrEqual(3);
    expect(Number(audit!.error)).toBe(2);
  });
});
