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
import { encodedKeyLength, MAX_PARAMETER_BYTES } from '../common/store/query-params.ts';
import { DAY_MS } from '../common/time.ts';


/** The events' keys a lookup needs. */
export type EventKeyed = Pick<BusEvent, 'group' | 'id'>;

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

export type FindStored = (events: EventKeyed[]) => Promise<Set<string>>;

/**
 * Keys (eventKey) of the given events already stored within the window. The engine hashes the batch's
 * (group, id) pairs as event_keys_mv did and matches them against event_keys' sorted hashes; rows come
 * back with their group, id and receipt time, so a key that merely shares a hash, or was stored before
 * the window, is not taken for this one.
 */
export function createFindStored(client: ClickHouseClient, windowDays: number): FindStored {
  return async function findStored(events) {
    const found = new Set<string>();
    let batchKeys: Set<string> | undefined;
    const since = Date.now() - windowDays * DAY_MS;
    for (const keys of keysAsJson(events)) {
      const result = await client.query({
        query: `SELECT group_id, event_id, toUnixTimestamp64Milli(received_at) FROM event_keys
                WHERE key_hash IN (SELECT sipHash64(key.1, key.2) FROM (SELECT arrayJoin(JSONExtract({keys:String}, 'Array(Tuple(String, String))')) AS key))`,
        query_params: { keys },
        format: 'JSONCompactEachRow',
      });
      for (const [group, id, receivedAt] of await result.json<[string, string, string]>()) {
        batchKeys ??= new Set(events.map((e) => eventKey(e.group, e.id)));
        const key = eventKey(group, id);
        if (batchKeys.has(key) && Number(receivedAt) >= since) found.add(key);
      }
    }
    return found;
  };
}

/**
 * The events' [group, id] pairs as JSON arrays, each small enough to travel as one query parameter of a
 * ClickHouse server (common/store/query-params.ts); a batch of 8,000 typical ids takes a handful.
 */
export function keysAsJson(events: EventKeyed[], maxEncodedBytes = MAX_PARAMETER_BYTES): string[] {
  const chunks: string[] = [];
  let pairs: string[] = [];
  let bytes = 0;
  for (const event of events) {
    const pair = JSON.stringify([event.group, event.id]);
    const size = encodedKeyLength(pair);
    if (bytes + size > maxEncodedBytes && pairs.length > 0) {
      chunks.push(`[${pairs.join(',')}]`);
      pairs = [];
      bytes = 0;
    }
    pairs.push(pair);
    bytes += size;
  }
  if (pairs.length > 0) chunks.push(`[${pairs.join(',')}]`);
  return chunks;
}
