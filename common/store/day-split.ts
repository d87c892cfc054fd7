/**
 * Long ranges read whole days from a per-day rollup and only the partial days at either end from a
 * finer one (per minute or per hour). `daySplit` cuts [from, to) at UTC midnights; the SQL reads
 * days in [dayFrom, dayTo) from the day table and [from, dayFrom) ∪ [dayTo, to) from the finer table.
 * With no whole day inside, dayFrom = dayTo = to: the day part is empty and the fine part is all of it.
 * Every value is epoch seconds, ready for `{name:DateTime('UTC')}` query parameters. Pure.
 */
const DAY_S = 86_400;

export interface DaySplit {
  from: number;
  to: number;
  dayFrom: number;
  dayTo: number;
}

export function daySplit(fromMs: number, toMs: number): DaySplit {
  const from = Math.floor(fromMs / 1000);
  const to = Math.floor(toMs / 1000);
  const dayFrom = Math.ceil(from / DAY_S) * DAY_S;
  const dayTo = Math.floor(to / DAY_S) * DAY_S;
  return dayFrom < dayTo ? { from, to, dayFrom, dayTo } : { from, to, dayFrom: to, dayTo: to };
}

/** WHERE condition on the day table's `day` column. */
export const DAY_PART = `day >= toDate({dayFrom:DateTime('UTC')}) AND day < toDate({dayTo:DateTime('UTC')})`;

/** WHERE condition on a finer table's time column (`minute`, `hour`). */
export function finePart(column: string): string {
  return `((${column} >= {from:DateTime('UTC')} AND ${column} < {dayFrom:DateTime('UTC')}) OR (${column} >= {dayTo:DateTime('UTC')} AND ${column} < {to:DateTime('UTC')}))`;
}
