/**
 * The analyst's workbench on the real engine (the embedded one, or CLICKHOUSE_URL's server) over real HTTP:
 * the schema it lists is the engine's own, every column described in both languages; every example query of
 * the SQL page runs; a mistake is placed at its line and column as the analyst counts them; history and
 * saved queries belong to their user alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_EXAMPLES } from '../../common/contracts/sql-examples.ts';
import type { SavedQuery, SqlHistory, SqlRefusal, SqlSchema } from '../../common/contracts/sql.ts';
import { adminToken, signIn } from '../../test/support/auth.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../../test/support/pipeline.ts';
import { rollupsCaughtUp } from '../../test/support/store.ts';
import { ANALYTICS_SCHEMA } from './analytics-schema.ts';

const PASSWORD = 'a-long-enough-password';

describe('the SQL workbench', () => {
  let pipeline: TestPipeline;
  const tokens: Record<string, string> = {};

  async function call<T>(path: string, who: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${pipeline.url}${path}`, { ...init, headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' } });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }
  const sql = (query: string, who = 'ana') => call<SqlRefusal & { rows?: Record<string, unknown>[] }>('/api/v1/sql', who, { method: 'POST', body: JSON.stringify({ query }) });

  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true });
    const admin = await adminToken(pipeline.url);
    for (const [username, roles] of [['ana', ['analyst']], ['bea', ['analyst']], ['lee', ['monitor']]] as const) {
      const created = await fetch(`${pipeline.url}/api/v1/admin/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD, roles }),
      });
      expect(created.status, await created.text()).toBe(201);
      tokens[username] = (await signIn(pipeline.url, username, PASSWORD)).token;
    }
    const client = pipeline.store!.client;
    await client.insert({ table: 'directory_units', format: 'JSONEachRow', values: [{ unit_id: 'jaipur', name: 'Jaipur', level: 'division', parent: '', version: 1 }] });
    await client.insert({
      table: 'directory_groups',
      format: 'JSONEachRow',
      values: [
        { group_id: 'g1', unit_id: 'jaipur', category: 'booth', title: 'Booth 1', platform: 'whatsapp', target_size: null, version: 1 },
        { group_id: 'g2', unit_id: 'jaipur', category: 'booth', title: 'Booth 2', platform: 'whatsapp', target_size: null, version: 1 },
      ],
    });
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const events = [
      { type: 'message', id: 'e1', group: 'g1', at: hourAgo, sender: 's1' },
      { type: 'member_joined', id: 'e2', group: 'g2', at: hourAgo, member: 's2' },
      { type: 'group_snapshot', id: 'e3', group: 'g1', at: hourAgo, members: 40, admins: 2 },
    ];
    expect((await pipeline.post(events)).status).toBe(202);
    const stored = async () => Number((await (await client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);
    // The rollups too: they are written just after the raw rows, and the examples read them.
    await waitFor(async () => ((await stored()) === 3 && (await rollupsCaughtUp(client)) ? true : undefined), 'the events stored, and in every rollup');
  });
  afterAll(() => pipeline?.stop());

  it('lists every analytics table with its columns as the engine has them, each described in English and Hindi', async () => {
    const { status, body } = await call<SqlSchema>('/api/v1/sql/schema', 'ana');
    expect(status).toBe(200);
    const engine = await (
      await pipeline.store!.client.query({
        query: 'SELECT table, name, type FROM system.columns WHERE database = currentDatabase() ORDER BY table, position',
        format: 'JSONEachRow',
      })
    ).json<{ table: string; name: string; type: string }>();
    expect(body.tables.map((t) => t.name)).toEqual(Object.keys(ANALYTICS_SCHEMA));
    for (const table of body.tables) {
      const columns = engine.filter((c) => c.table === table.name).map(({ name, type }) => ({ name, type }));
      expect(columns.length, table.name).toBeGreaterThan(0);
      expect(table.columns.map(({ name, type }) => ({ name, type })), table.name).toEqual(columns);
      // Described here and in the engine alike: a column added or dropped by a migration fails here until described.
      expect(Object.keys(ANALYTICS_SCHEMA[table.name]!.columns).sort(), table.name).toEqual(columns.map((c) => c.name).sort());
      expect(table.meaning.en && table.meaning.hi, table.name).toBeTruthy();
      for (const column of table.columns) expect(column.meaning.en && column.meaning.hi, `${table.name}.${column.name}`).toBeTruthy();
    }
    expect(body.tables.find((t) => t.name === 'rollup_group_hour')!.columns.find((c) => c.name === 'last_at')!.meaning.en).toMatch(/1970-01-01.*no message/);
    expect((await call('/api/v1/sql/schema', 'lee')).status).toBe(403);
  });

  it.each(SQL_EXAMPLES.map((example) => [example.id, example.sql]))('runs the example %s', async (_id, query) => {
    const { status, body } = await sql(query);
    expect(status, body.error).toBe(200);
  });

  it('answers a never-spoken group as NULL in the examples, where the tables hold 1970 or nothing', async () => {
    const { body } = await sql(SQL_EXAMPLES.find((e) => e.id === 'groupWeek')!.sql);
    expect(body.rows).toContainEqual(expect.objectContaining({ group_id: 'g2', messages: '0', last_message_at: null }));
    // g1 spoke an hour ago: not quiet.
    expect((await sql(SQL_EXAMPLES.find((e) => e.id === 'quietGroups')!.sql)).body.rows).toEqual([{ group_id: 'g2', title: 'Booth 2', unit_id: 'jaipur', last_message_at: null }]);
    expect((await sql("SELECT max(last_at) AS raw FROM rollup_group_day WHERE group_id = 'g2'")).body.rows).toEqual([{ raw: '1970-01-01 00:00:00.000' }]);
  });

  describe('places a mistake where the analyst counts it', () => {
    it.each([
      ['a misspelt first word, at the word', 'SELEC 1', { character: 1, line: 1, column: 1 }, /near "SELEC": a query starts with SELECT or WITH \(did you mean SELECT\?\)/],
      ['an open parenthesis, on the second line', 'SELECT 1 AS one,\n  count(\nFROM events', { character: 25, line: 2, column: 8 }, /line 2, column 8\) near "\( FROM events"/],
      ['after Devanagari text (the engine counts bytes)', "SELECT 'नमस्ते' AS hi,\n  count(\nFROM events", { character: 31, line: 2, column: 8 }, /character 31 \(line 2, column 8\)/],
      ['the end of the query', 'SELECT 1 FROM events WHERE', { character: 27, line: 1, column: 27 }, /\(the end of the query\)/],
      ['a second statement, at the semicolon that ends the first', 'SELECT 1;\nSELECT 2', { character: 9, line: 1, column: 9 }, /another one starts at character 9/],
    ])('%s', async (_what, query, at, words) => {
      const { status, body } = await sql(query);
      expect(status).toBe(400);
      expect(body.code).toBe('sql-mistake');
      expect(body.at).toEqual(at);
      expect(body.error).toMatch(words);
    });
  });

  it("gives each analyst their own history, newest first, each query once", async () => {
    await sql('SELECT 1 AS first');
    await sql('SELECT 2 AS second');
    await sql('SELECT 1 AS first');
    await sql('SELECT nope FROM events');
    await sql('SELECT 3 AS bea_only', 'bea');
    const ana = await call<SqlHistory>('/api/v1/sql/history', 'ana');
    expect(ana.status).toBe(200);
    const texts = ana.body.queries.map((q) => q.query);
    expect(texts.slice(0, 3)).toEqual(['SELECT nope FROM events', 'SELECT 1 AS first', 'SELECT 2 AS second']);
    expect(ana.body.queries[0]).toMatchObject({ outcome: 'error', rows: 0 });
    expect(ana.body.queries[1]).toMatchObject({ outcome: 'ok', rows: 1 });
    expect(texts).not.toContain('SELECT 3 AS bea_only');
    expect((await call<SqlHistory>('/api/v1/sql/history', 'bea')).body.queries.map((q) => q.query)).toEqual(['SELECT 3 AS bea_only']);
    expect((await call('/api/v1/sql/history', 'lee')).status).toBe(403);
  });

  it("keeps each analyst's saved queries to them: saved, replaced by name, deleted, never another's", async () => {
    const save = (who: string, name: string, query: string) => call<SavedQuery>('/api/v1/sql/saved', who, { method: 'POST', body: JSON.stringify({ name, query }) });
    const list = async (who: string) => (await call<{ queries: SavedQuery[] }>('/api/v1/sql/saved', who)).body.queries;
    const daily = await save('ana', 'daily', 'SELECT 1');
    expect(daily.status).toBe(201);
    expect((await save('ana', 'weekly', 'SELECT 7')).status).toBe(201);
    expect((await save('bea', 'daily', 'SELECT 100')).status).toBe(201);
    // Saved again under its name: the same query, new text.
    const replaced = await save('ana', 'daily', 'SELECT 2');
    expect(replaced.body.id).toBe(daily.body.id);
    expect((await list('ana')).map(({ name, query }) => ({ name, query }))).toEqual([{ name: 'daily', query: 'SELECT 2' }, { name: 'weekly', query: 'SELECT 7' }]);
    expect((await list('bea')).map(({ name, query }) => ({ name, query }))).toEqual([{ name: 'daily', query: 'SELECT 100' }]);
    // Another analyst cannot delete it: not found for them, still there for its owner.
    expect((await call(`/api/v1/sql/saved/${daily.body.id}`, 'bea', { method: 'DELETE' })).status).toBe(404);
    expect((await list('ana')).map((s) => s.name)).toEqual(['daily', 'weekly']);
    expect((await call(`/api/v1/sql/saved/${daily.body.id}`, 'ana', { method: 'DELETE' })).status).toBe(204);
    expect((await list('ana')).map((s) => s.name)).toEqual(['weekly']);
    expect((await list('bea')).map((s) => s.name)).toEqual(['daily']);
    expect((await save('ana', '', 'SELECT 1')).status).toBe(400);
    expect((await save('lee', 'mine', 'SELECT 1')).status).toBe(403);
  });
});
