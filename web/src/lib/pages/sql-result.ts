/** Turning an answer of POST /api/v1/sql into a CSV file and into chartable series. Pure. */
import type { SqlAnswer } from '../../../../common/contracts/sql.ts';

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
const TEMPORAL = /^(Nullable\()?(Date|DateTime)/;

export interface Chartable {
  /** Epoch seconds when the first column is a date/time, else row positions. */
  x: number[];
  timeAxis: boolean;
  /** Names of the positions when the first column is not a time. */
  labels?: string[];
  series: { name: string; values: (number | null)[] }[];
}

/** The numeric columns (beyond the first) against the first column; null when there is none. */
export function toChart(answer: SqlAnswer): Chartable | null {
  const [first, ...rest] = answer.columns;
  if (!first || answer.rows.length === 0) return null;
  const numeric = rest.filter((c) => NUMERIC.test(c.type)).slice(0, 6);
  if (numeric.length === 0) return null;
  const timeAxis = TEMPORAL.test(first.type);
  const x = answer.rows.map((row, i) => {
    if (!timeAxis) return i;
    const raw = String(row[first.name] ?? '');
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2} \d/.test(raw) ? `${raw.replace(' ', 'T')}Z` : raw);
    return Number.isNaN(ms) ? i : ms / 1000;
  });
  return {
    x,
    timeAxis,
    labels: timeAxis ? undefined : answer.rows.map((row) => String(row[first.name] ?? '')),
    series: numeric.map((c) => ({ name: c.name, values: answer.rows.map((row) => (row[c.name] === null ? null : Number(row[c.name]))) })),
  };
}
