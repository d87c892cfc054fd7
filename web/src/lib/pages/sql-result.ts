/** Turning an answer of POST /api/v1/sql into a CSV file and into chartable series. Pure. */
import type { SqlAnswer } from '../../../../common/contracts/sql.ts';
import { fromWallTime } from '../format.ts';

export type { SqlAnswer };

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * One CSV cell. Text a spreadsheet would read as a formula (starting with = + - @, a tab or a
 * carriage return: a group title like `=HYPERLINK(…)`) gets a leading apostrophe, so it opens as
 * the text it is; plain numbers (-5, +1e3) stay numbers.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row, formulas neutralised (csvCell). */
export function toCsv(answer: SqlAnswer): string {
  const names = answer.columns.map((c) => c.name);
  const lines = [names.map(csvCell).join(',')];
  for (const row of answer.rows) lines.push(names.map((n) => csvCell(row[n])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;
const WHOLE = /^(Nullable\()?U?Int\d+/;
const CALENDAR_DAY = /^(Nullable\()?Date(32)?\b(?!Time)/;
const MOMENT = /^(Nullable\()?DateTime(64)?\b/;
/** The zone named in a DateTime type: DateTime('Asia/Kolkata'), DateTime64(3, 'Asia/Kolkata'). */
const TYPE_ZONE = /DateTime(?:64)?\((?:\s*\d+\s*,)?\s*'([^']+)'\s*\)/;
/** The zone of a DateTime column whose type names none: the server's, which GroupPulse runs in UTC. */
export const SERVER_ZONE = 'UTC';

export interface Chartable {
  /** Epoch seconds (ascending) when the first column is a date or time, else row positions. */
  x: number[];
  kind: 'time' | 'bars';
  /** The first column holds calendar days (Date), each drawn at the start of that day in the viewer's zone. */
  days: boolean;
  /** Names of the positions when the first column is not a time. */
  labels?: string[];
  /** One per numeric column, each charted on its own (columns may be different quantities). */
  series: { name: string; values: (number | null)[]; whole: boolean }[];
}

/**
 * When a date or time cell of `type` is, in epoch seconds (NaN when it is none). A DateTime is written
 * as the wall-clock time of its column's zone (a column the analyst converted to IST reads 15:30 for
 * 10:00 UTC), so it is read in that zone; a Date is a calendar day, placed at its start in `viewerZone`.
 */
export function momentOf(value: unknown, type: string, viewerZone: string): number {
  const raw = String(value ?? '');
  if (CALENDAR_DAY.test(type)) return fromWallTime(`${raw}T00:00:00`, viewerZone) / 1000;
  const zone = TYPE_ZONE.exec(type)?.[1] ?? SERVER_ZONE;
  return fromWallTime(raw.replace(' ', 'T'), zone) / 1000;
}

/**
 * The numeric columns (beyond the first, at most six) against the first column; null when there is
 * none. Over a date or time the rows are put in time order (rows whose time is empty are left out).
 */
export function toChart(answer: SqlAnswer, viewerZone: string): Chartable | null {
  const [first, ...rest] = answer.columns;
  if (!first || answer.rows.length === 0) return null;
  const numeric = rest.filter((c) => NUMERIC.test(c.type)).slice(0, 6);
  if (numeric.length === 0) return null;
  const timeAxis = MOMENT.test(first.type) || CALENDAR_DAY.test(first.type);
  const rows = timeAxis
    ? answer.rows
        .map((row) => ({ row, t: momentOf(row[first.name], first.type, viewerZone) }))
        .filter((r) => !Number.isNaN(r.t))
        .sort((a, b) => a.t - b.t)
    : answer.rows.map((row, i) => ({ row, t: i }));
  if (rows.length === 0) return null;
  return {
    x: rows.map((r) => r.t),
    kind: timeAxis ? 'time' : 'bars',
    days: CALENDAR_DAY.test(first.type),
    labels: timeAxis ? undefined : rows.map(({ row }) => String(row[first.name] ?? '')),
    series: numeric.map((c) => ({
      name: c.name,
      whole: WHOLE.test(c.type),
      values: rows.map(({ row }) => (row[c.name] === null || row[c.name] === undefined ? null : Number(row[c.name]))),
    })),
  };
}

/** Characters of a line shown around a mistake at most; a longer line is cut to a window around it. */
const CARET_WINDOW = 60;

/**
 * The line of `sql` a mistake is on and a pointer under its column (`^`), for a monospaced block: the
 * whole line, or a window of it around the column when it is long (cut ends marked …).
 */
export function caretLine(sql: string, at: { line: number; column: number }): { line: string; pointer: string } {
  const chars = Array.from(sql.split('\n')[at.line - 1] ?? '');
  let from = 0;
  if (chars.length > CARET_WINDOW) from = Math.max(0, Math.min(at.column - 1 - CARET_WINDOW / 2, chars.length - CARET_WINDOW));
  const cutStart = from > 0;
  const cutEnd = from + CARET_WINDOW < chars.length;
  const line = `${cutStart ? '…' : ''}${chars.slice(from, from + CARET_WINDOW).join('').replaceAll('\t', ' ')}${cutEnd ? '…' : ''}`;
  return { line, pointer: `${' '.repeat(at.column - 1 - from + (cutStart ? 1 : 0))}^` };
}
