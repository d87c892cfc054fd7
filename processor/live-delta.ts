/** Step 5: the rows just written → the additive counts the live board adds. Pure. */
import { MEDIA_KINDS, type MessageKind } from '../common/events.ts';
import { cellKey, type BatchMark, type CountsRow, type LiveDelta } from '../common/live.ts';
import type { EventRow } from './rows.ts';

export function buildLiveDelta(rows: EventRow[], dayOf: (epochMs: number) => string, batch: BatchMark): LiveDelta | undefined {
  const days = new Map<string, Map<string, CountsRow>>();
  let oldestReceivedAt = Infinity;
  for (const row of rows) {
    if (row.type === 'group_snapshot') continue;
    oldestReceivedAt = Math.min(oldestReceivedAt, row.received_at);
    const day = dayOf(row.at);
    let cells = days.get(day);
    if (!cells) days.set(day, (cells = new Map()));
    const key = cellKey(row.division, row.category);
    let cell = cells.get(key);
    if (!cell) {
      cell = { division: row.division, category: row.category, messages: 0, media: 0, forwarded: 0, joins: 0, leaves: 0 };
      cells.set(key, cell);
    }
    if (row.type === 'message') {
      cell.messages += 1;
      if (MEDIA_KINDS.has(row.kind as MessageKind)) cell.media += 1;
      if (row.forwarded) cell.forwarded += 1;
    } else if (row.type === 'member_joined') cell.joins += 1;
    else if (row.type === 'member_left') cell.leaves += 1;
  }
  if (days.size === 0) return undefined;
  return {
    batch,
    oldestReceivedAt,
    days: [...days].map(([day, cells]) => ({ day, rows: [...cells.values()] })),
  };
}
