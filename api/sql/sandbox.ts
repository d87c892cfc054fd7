/**
 * The analysts' SQL sandbox: ClickHouse's own parser and analyzer decide what a query is, and the
 * query runs only when what they describe is allowed (allow-list.ts). In order, on the analyst's
 * own session and with the endpoint's limits:
 *
 * 1. `SELECT formatQuery({q:String})` — the text travels as a query parameter, so it is data and
 *    never runs. The engine's parser answers with exactly one statement, formatted (comments gone,
 *    every quote style and heredoc turned into plain literals), or refuses: a syntax error, or
 *    "Multi-statements are not allowed". From here on only this formatted text is used.
 * 2. `EXPLAIN AST <formatted>` — the parse tree, without running anything. explain-check.ts walks it:
 *    one SELECT (no FORMAT, INTO OUTFILE or SETTINGS, which the parser hangs on the explained query),
 *    only allowed tables, generator table functions, no dictionary or file functions.
 * 3. `EXPLAIN QUERY TREE <formatted>` — the analyzer resolves every name (WITH
 *    names, aliases, `IN table`) to what it is; every table, table function and function it resolved
 *    to is checked again. (The analyzer evaluates scalar subqueries here, which step 2 has checked.)
 * 4. The caller runs the very same formatted text (run-query.ts).
 */
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { Catalogue } from './allow-list.ts';
import { describeEngineError, type Described } from './errors.ts';
import { checkAst, checkQueryTree, parseAstDump } from './explain-check.ts';
import type { SqlLimits } from './limits.ts';

export type Vetted = { ok: true; statement: string } | ({ ok: false } & Described);

/** Largest query text: it travels as one query parameter (a server takes 128 KiB per form field, URL-encoded). */
export const MAX_QUERY_CHARS = 32 * 1024;
const MAX_ENCODED_CHARS = 120 * 1024;

/**
 * The lines of `EXPLAIN <what> <statement>`. The statement is the engine's own formatting of one
 * statement; EXPLAIN only describes it. The output format is set by `default_format`, not by a
 * FORMAT suffix (which would bind to the explained query, not to EXPLAIN).
 */
async function explainLines(client: ClickHouseClient, what: 'AST' | 'QUERY TREE', statement: string, settings: ClickHouseSettings): Promise<string[]> {
  const result = await client.exec({ query: `EXPLAIN ${what} ${statement}`, clickhouse_settings: { ...settings, default_format: 'JSONEachRow' } });
  let text = '';
  for await (const chunk of result.stream) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { explain: string }).explain)
    .filter((line) => line.trim() !== '');
}

const refused = (error: string): Vetted => ({ ok: false, status: 403, kind: 'refused', error: `refused: ${error}` });

/** Refusals the engine makes itself while explaining. */
function explainRefusal(error: unknown): Vetted | undefined {
  const { code } = (error ?? {}) as { code?: string };
  if (code === '164') return refused('SETTINGS clauses are not allowed: the limits of this endpoint are fixed');
  if (code === '456') return refused('query parameters ({name:Type}) are not supported here: write the value into the query');
  return undefined;
}

/** Decide whether `sql` may run; on yes, the exact text to run. */
export async function vetQuery(client: ClickHouseClient, sql: string, catalogue: Catalogue, settings: ClickHouseSettings, limits: SqlLimits): Promise<Vetted> {
  // A server takes 128 KiB per form field, URL-encoded: non-ASCII text takes up to 9 characters a character there.
  if (sql.length > MAX_QUERY_CHARS || encodeURIComponent(sql).length > MAX_ENCODED_CHARS) {
    return { ok: false, status: 400, kind: 'error', error: `the query is too long (${sql.length} characters); send at most ${MAX_QUERY_CHARS}, fewer with non-Latin text` };
  }
  let statement: string;
  try {
    const result = await client.query({ query: 'SELECT formatQuery({q:String}) AS f', query_params: { q: sql }, format: 'JSONEachRow', clickhouse_settings: settings });
    statement = (await result.json<{ f: string }>())[0]!.f;
  } catch (error) {
    return { ok: false, ...describeEngineError(error, limits, sql) };
  }
  const keyword = (/^[A-Za-z]+/.exec(statement)?.[0] ?? 'non-SELECT').toUpperCase();

  let astLines: string[];
  try {
    astLines = await explainLines(client, 'AST', statement, settings);
  } catch (error) {
    return explainRefusal(error) ?? { ok: false, ...describeEngineError(error, limits) };
  }
  const parsed = parseAstDump(astLines);
  if (!parsed.ok) return refused(parsed.error);
  const syntactic = checkAst(parsed.root, catalogue, keyword);
  if (syntactic) return refused(syntactic);

  let treeLines: string[];
  try {
    treeLines = await explainLines(client, 'QUERY TREE', statement, settings);
  } catch (error) {
    return explainRefusal(error) ?? { ok: false, ...describeEngineError(error, limits) };
  }
  const resolved = checkQueryTree(treeLines, catalogue);
  if (resolved) return refused(resolved);
  return { ok: true, statement };
}

/**
 * The names the checks need, read through the service's own client (it sees every table; the
 * analysts' read-only user on a server may not): the database, every database, every table of it.
 * Kept for `ttlMs`; tables change only with migrations.
 */
export function createCatalogue(client: ClickHouseClient, ttlMs = 60_000): () => Promise<Catalogue> {
  let cached: { at: number; value: Promise<Catalogue> } | undefined;
  async function read(): Promise<Catalogue> {
    const result = await client.query({
      query: `SELECT currentDatabase() AS database,
                     (SELECT groupArray(name) FROM system.databases) AS databases,
                     (SELECT groupArray(lower(name)) FROM system.tables WHERE database = currentDatabase()) AS tables`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ database: string; databases: string[]; tables: string[] }>();
    return { database: row!.database, databases: new Set(row!.databases), tables: new Set(row!.tables) };
  }
  return function catalogue() {
    if (!cached || Date.now() - cached.at > ttlMs) {
      const value = read();
      cached = { at: Date.now(), value };
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}
