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
  queryId: string;
}
