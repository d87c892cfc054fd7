/**
 * Step 2: same event id counts once — within a batch, across batches and across days.
 *
 * Ids route to one partition by group, so the processor owning a partition is the only writer
 * of its ids; it asks the store which ids of the batch are already there (received within the
 * dedup window) and drops those. A batch retried after a failed insert reuses its
 * insert_deduplication_token instead (see write-batch.ts), so both paths count once.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { BusEvent } from '../common/events.ts';

const LOOKUP_CHUNK = 4000;

export function eventKey(group: string, id: string): string {
  return `${group}\u0000${id}`;
}

/** First occurrence of each (group, id) in the batch; later copies are duplicates. */
export function dropRepeats(events: BusEvent[]): { unique: BusEvent[]; repeats: number } {
  const seen = new Set<string>();
  const unique: BusEvent[] = [];
  for (const event of events) {
    const key = eventKey(event.group, event.id);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(event);
  }
  return { unique, repeats: events.length - unique.length };
}

export type FindStored = (events: BusEvent[]) => Promise<Set<string>>;

/** Keys (eventKey) of the given events already stored within the window. */
export function createFindStored(client: ClickHouseClient, windowDays: number): FindStored {
  return async function findStored(events) {
    const found = new Set<string>();
    for (let start = 0; start < events.length; start += LOOKUP_CHUNK) {
      const chunk = events.slice(start, start + LOOKUP_CHUNK);
      const result = await client.query({
        query: `SELECT group_id, event_id FROM event_ids
                WHERE group_id IN {groups:Array(String)} AND event_id IN {ids:Array(String)}
                  AND received_at >= now64(3) - INTERVAL {days:UInt32} DAY`,
        query_params: {
          groups: [...new Set(chunk.map((e) => e.group))],
          ids: chunk.map((e) => e.id),
          days: windowDays,
        },
        format: 'JSONCompactEachRow',
      });
      for (const [group, id] of await result.json<[string, string]>()) found.add(eventKey(group, id));
    }
    return found;
  };
}
