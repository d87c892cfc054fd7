/**
 * What an analyst hears when ClickHouse refuses or fails their query: a status and a sentence that
 * says what to change. The engine's own text is never passed on whole: for mistakes in the analyst's
 * SQL (a syntax error, an unknown column, wrong argument types) the answer names the place or the
 * name from their query, or gives the first sentence of the engine's diagnosis with its scope, stack
 * and version cut off; every other failure answers a fixed sentence and the query id (the server log
 * has the details).
 */
import type { SqlPosition } from '../../common/contracts/sql.ts';
import type { SqlLimits } from './limits.ts';

export interface Described {
  status: 400 | 403 | 422 | 500;
  kind: 'refused' | 'error';
  error: string;
  /** The engine's error itself, for the server log (never sent): set whenever the engine failed. */
  cause?: unknown;
  /** Where in the analyst's text the mistake is, when the engine said. */
  at?: SqlPosition;
}

interface EngineError {
  code?: string;
  type?: string;
  message?: string;
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** Errors in the analyst's own SQL, told back in the engine's first sentence (cleaned). */
const QUERY_MISTAKES = new Set([
  '1', '6', '10', '27', '35', '36', '38', '41', '42', '43', '44', '48', '53', '69', '70', '72', '81', '117', '128', '167', '168', '179', '184', '190', '215', '306', '352', '395', '407', '691', '701',
]);

/** The engine's first sentence without scope, stack, version or anything past a line break. */
function firstSentence(message: string): string {
  const cut = message
    .split('\n')[0]!
    .replace(/[:.]?\s*(In scope|While executing|while executing|Stack trace)\b[\s\S]*$/, '')
    .replace(/\s*\(version [^)]*\)[\s\S]*$/, '')
    .replace(/^Code: \d+\. DB::Exception: /, '')
    .trim();
  return cut.length > 300 ? `${cut.slice(0, 300)}…` : cut;
}

/**
 * The place of ClickHouse's `failed at position N`: N counts bytes of the UTF-8 text from 1 (N = its
 * length + 1 past the end); the analyst counts characters, and lines in a query of several.
 */
export function positionOf(sql: string, enginePosition: number): SqlPosition {
  const bytes = Buffer.from(sql, 'utf8');
  const before = bytes.subarray(0, Math.max(0, Math.min(bytes.length, enginePosition - 1))).toString('utf8');
  const lines = before.split('\n');
  return { character: Array.from(before).length + 1, line: lines.length, column: Array.from(lines[lines.length - 1]!).length + 1 };
}

/** Words a statement starts with: a query whose first word is none of them is wrong there, at its start. */
const STATEMENT_WORDS = new Set(
  'SELECT WITH FROM EXPLAIN SHOW DESCRIBE DESC EXISTS CHECK INSERT CREATE ALTER DROP UNDROP TRUNCATE RENAME EXCHANGE OPTIMIZE SYSTEM KILL SET USE GRANT REVOKE DETACH ATTACH DELETE UPDATE BACKUP RESTORE WATCH MOVE BEGIN COMMIT ROLLBACK VALUES'.split(' '),
);

/** Edits (insert, delete, change one letter) from `a` to `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The query's first word when it cannot start a statement (`SELEC 1`), with its place. The engine reads
 * such a word as an expression (a SELECT may leave out its keyword) and fails later, at the next token:
 * the mistake is the word itself.
 */
function misspeltStart(sql: string): { word: string; at: number } | undefined {
  const lead = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(sql)![0];
  const word = /^[A-Za-z_]\w*/.exec(sql.slice(lead.length))?.[0];
  if (!word || STATEMENT_WORDS.has(word.toUpperCase())) return undefined;
  return { word, at: Buffer.byteLength(lead, 'utf8') + 1 };
}

/** `… failed at position N (…)` → a pointer into the analyst's own text: character, line and column. */
function syntaxError(message: string, sql: string | undefined): { error: string; at?: SqlPosition } {
  if (/Multi-statements are not allowed/.test(message)) {
    const at = Number(/failed at position (\d+)/.exec(message)?.[1] ?? NaN);
    if (!Number.isFinite(at) || sql === undefined) return { error: "send exactly one statement per request; remove everything after the first statement's end" };
    const place = positionOf(sql, at);
    return { error: `send exactly one statement per request: another one starts at character ${place.character} (line ${place.line}, column ${place.column}); remove everything after the first statement's end`, at: place };
  }
  const position = Number(/failed at position (\d+)/.exec(message)?.[1] ?? NaN);
  if (!Number.isFinite(position) || sql === undefined) return { error: 'syntax error: the query is not valid ClickHouse SQL' };
  const start = misspeltStart(sql);
  if (start && start.at < position) {
    const place = positionOf(sql, start.at);
    const closest = ['SELECT', 'WITH'].find((keyword) => editDistance(start.word.toUpperCase(), keyword) <= 2);
    return {
      error: `syntax error at character ${place.character} (line ${place.line}, column ${place.column}) near "${start.word}": a query starts with SELECT or WITH${closest ? ` (did you mean ${closest}?)` : ''}`,
      at: place,
    };
  }
  const place = positionOf(sql, position);
  const near = Array.from(sql).slice(place.character - 1, place.character + 39).join('').replace(/\s+/g, ' ').trim();
  return {
    error: `syntax error at character ${place.character} (line ${place.line}, column ${place.column})${near ? ` near "${near}"` : ' (the end of the query)'}: the query is not valid ClickHouse SQL there`,
    at: place,
  };
}

/** Describe an engine error for the analyst; `sql` = the analyst's text the positions refer to, when known. */
export function describeEngineError(error: unknown, limits: SqlLimits, sql?: string): Described {
  return { ...describe(error, limits, sql), cause: error };
}

function describe(error: unknown, limits: SqlLimits, sql?: string): Described {
  const { code = '', message = '' } = (error ?? {}) as EngineError;
  const quoted = (pattern: RegExp) => pattern.exec(message)?.[1] ?? '?';
  switch (code) {
    case '62':
      if (/^Empty query/.test(message)) return { status: 400, kind: 'error', error: 'the query is empty: send one SELECT, e.g. SELECT count() FROM events' };
      return { status: 400, kind: 'error', ...syntaxError(message, sql) };
    case '47':
      return { status: 400, kind: 'error', error: `unknown column or alias "${quoted(/identifier [`']([^`']+)[`']/)}": check the name (SELECT * FROM <table> LIMIT 1 shows a table's columns)` };
    case '60':
      return { status: 400, kind: 'error', error: `unknown table "${quoted(/identifier [`']([^`']+)[`']/)}": check its name` };
    case '46':
      return { status: 400, kind: 'error', error: `unknown function "${quoted(/name [`']([^`']+)[`']/)}": check its name` };
    case '159':
      return { status: 422, kind: 'error', error: `the query ran longer than the limit of ${limits.maxExecutionSeconds} s and was stopped; narrow it (time range, LIMIT, a rollup table)` };
    case '396':
      return { status: 422, kind: 'error', error: `the result is larger than the limit (${limits.maxResultRows} rows or ${mib(limits.maxResultBytes)}); aggregate more or add LIMIT` };
    case '241':
      return { status: 422, kind: 'error', error: `the query needs more memory than its limit of ${mib(limits.maxMemoryBytes)}; aggregate over fewer keys, narrow the time range, or read a rollup table` };
    case '164':
      return { status: 403, kind: 'refused', error: 'refused: this endpoint is read-only (no writes, no DDL, no setting changes)' };
    case '497':
      return { status: 403, kind: 'refused', error: 'refused: the read-only ClickHouse user may not read that; query the analytics tables' };
    default:
      if (QUERY_MISTAKES.has(code)) return { status: 400, kind: 'error', error: `ClickHouse could not run the query: ${firstSentence(message)}` };
      return { status: 500, kind: 'error', error: 'the query failed inside ClickHouse; the server log has the details under this query id' };
  }
}
