/** POST /api/v1/sql: the analysts' read-only query and its answer (docs/access.md). */

export interface SqlAnswer {
  columns: { name: string; type: string }[];
  /** Each row as an object by column name. */
  rows: Record<string, unknown>[];
  rowCount: number;
  bytesRead: number;
  elapsedMs: number;
  queryId: string;
}

/** A query that was refused or failed: the reason to act on, and the id to find it in the audit. */
export interface SqlRefusal {
  error: string;
  /** sql-mistake (400), sql-refused (403), sql-limit (422), sql-failed (500): common/contracts/errors.ts. */
  code: 'sql-mistake' | 'sql-refused' | 'sql-limit' | 'sql-failed';
  queryId: string;
  /** Where in the query text the mistake is (a syntax error, a second statement), when the engine said. */
  at?: SqlPosition;
}

/** A place in the query text, each 1-based: the character (a code point) and its line and column. */
export interface SqlPosition {
  character: number;
  line: number;
  column: number;
}

/** A line in English and in Hindi. */
export interface SqlMeaning {
  en: string;
  hi: string;
}

/** GET /api/v1/sql/schema: the tables an analyst may query, each column with its engine type and meaning. */
export interface SqlSchema {
  tables: { name: string; meaning: SqlMeaning; columns: { name: string; type: string; meaning: SqlMeaning }[] }[];
}

/** GET /api/v1/sql/history: the signed-in user's own recent queries, newest first, each text once. */
export interface SqlHistory {
  queries: { query: string; at: string; outcome: 'ok' | 'error' | 'refused'; rows: number }[];
}

/** A query the signed-in user saved by name (GET/POST /api/v1/sql/saved). */
export interface SavedQuery {
  id: string;
  name: string;
  query: string;
  savedAt: string;
}
