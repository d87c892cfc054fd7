/**
 * Step 4: one INSERT per batch, idempotent, with rows the engine refuses isolated.
 *
 * The insert's deduplication token is a digest of the rows' event keys (content, not offsets): the
 * same rows inserted again — a retry, a replay after a crash — are dropped by ClickHouse in the raw
 * table and in every materialized-view target (each has non_replicated_deduplication_window), while
 * any other rows get another token, whatever offsets they came from. Two batches with exactly the same
 * event keys are the same events, which count once anyway.
 */
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { keysAsJson } from './dedupe.ts';
import { classifyWriteError, engineReason } from './write-errors.ts';
import type { AccountRow, EventRow } from './rows.ts';

/** Digest of the rows' (group, id) keys, in order. */
export function rowsDigest(rows: Pick<EventRow, 'group_id' | 'event_id'>[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(row.group_id).update('\u0000').update(row.event_id).update('\u0001');
  return hash.digest('hex').slice(0, 40);
}

/** `token`: the rows' digest unless given (tests and benchmarks that insert the same rows on purpose). */
export async function writeEventRows(client: ClickHouseClient, rows: EventRow[], token = `events:${rowsDigest(rows)}`): Promise<void> {
  await client.insert({
    table: 'events',
    values: rows,
    format: 'JSONEachRow',
    clickhouse_settings: {
      insert_deduplication_token: token,
      deduplicate_blocks_in_dependent_materialized_views: 1,
      // One block per insert: the dedup token covers the batch as a whole.
      max_insert_block_size: String(Math.max(rows.length, 1_048_576)),
    },
  });
}

/**
 * Whether this whole block of rows is in the raw table already: the engine refused it in a view, after the raw
 * block was stored (whole or not at all, before any view runs). Asked of `events` itself: a view's table
 * (event_keys) may not have the block, as views run in no set order and the refusing one may come first.
 * Every row is asked for, not the first: a batch split before (then retried, or replayed after a crash) has
 * some halves stored under their own tokens while the row the raw table refuses never is, and splitting it
 * again writes those halves under the same tokens, which the engine drops as repeats.
 */
export async function rawBlockStored(client: ClickHouseClient, rows: readonly EventRow[]): Promise<boolean> {
  if (rows.length === 0) return false;
  // The sort key's first columns narrow the read to the block's divisions and time span.
  const divisions = [...new Set(rows.map((r) => r.division))];
  const from = rows.reduce((min, r) => Math.min(min, r.at), Infinity);
  const to = rows.reduce((max, r) => Math.max(max, r.at), -Infinity);
  for (const keys of keysAsJson(rows.map((r) => ({ group: r.group_id, id: r.event_id })))) {
    const result = await client.query({
      query: `SELECT uniqExact(group_id, event_id) AS n FROM events
              WHERE division IN {divisions:Array(String)}
                AND at BETWEEN fromUnixTimestamp64Milli({from:Int64}) AND fromUnixTimestamp64Milli({to:Int64})
                AND (group_id, event_id) IN (SELECT key.1, key.2 FROM (SELECT arrayJoin(JSONExtract({keys:String}, 'Array(Tuple(String, String))')) AS key))`,
      query_params: { divisions, from, to, keys },
      format: 'JSONEachRow',
    });
    const stored = Number((await result.json<{ n: string | number }>())[0]?.n ?? 0);
    // The batch's keys are unique (dedupe.ts#dropRepeats): a chunk is whole when each of its keys is there.
    if (stored < (JSON.parse(keys) as unknown[]).length) return false;
  }
  return true;
}

export interface RefusedRow<R = EventRow> {
  row: R;
  /** The engine's reason, one line. */
  reason: string;
}

/**
 * Write the rows; when the engine refuses the data itself, split the batch in halves until each
 * refused row stands alone, write the rest, and return the refused ones. Any other failure throws
 * (the caller retries). `storedAlready` (rawBlockStored) guards the split: the engine parses a whole block
 * before it stores any of it, so after a refusal none of the rows may be stored — if they are, the failure
 * came later (a view) and splitting with new tokens would store them twice, so it is retried instead.
 */
export async function writeIsolatingRefused(
  client: ClickHouseClient,
  rows: EventRow[],
  storedAlready: (rows: EventRow[]) => Promise<boolean>,
): Promise<RefusedRow[]> {
  return isolateRefused(rows, (some) => writeEventRows(client, some), storedAlready);
}

/** The halving of writeIsolatingRefused, for any table's rows and the write that inserts them. */
async function isolateRefused<R>(rows: R[], write: (rows: R[]) => Promise<void>, storedAlready: (rows: R[]) => Promise<boolean>): Promise<RefusedRow<R>[]> {
  try {
    await write(rows);
    return [];
  } catch (error) {
    if (classifyWriteError(error) !== 'rejected-data' || (await storedAlready(rows))) throw error;
    if (rows.length === 1) return [{ row: rows[0]!, reason: engineReason(error) }];
    const middle = Math.ceil(rows.length / 2);
    const first = await isolateRefused(rows.slice(0, middle), write, storedAlready);
    const second = await isolateRefused(rows.slice(middle), write, storedAlready);
    return [...first, ...second];
  }
}

/** Digest of account rows' (account, id) keys, in order: their insert token, as rowsDigest for events. */
function accountRowsDigest(rows: AccountRow[]): string {
  return rowsDigest(rows.map((r) => ({ group_id: r.account, event_id: r.event_id })));
}

/**
 * Account events into `account_events`, with refused rows isolated as for events. Nothing else is fed
 * from that table, so a refused insert stored nothing; a copy left by a replay is collapsed by its
 * ReplacingMergeTree key (account, event_id).
 */
export async function writeAccountRows(client: ClickHouseClient, rows: AccountRow[]): Promise<RefusedRow<AccountRow>[]> {
  if (rows.length === 0) return [];
  const write = (some: AccountRow[]) =>
    client.insert({ table: 'account_events', values: some, format: 'JSONEachRow', clickhouse_settings: { insert_deduplication_token: `accounts:${accountRowsDigest(some)}` } }).then(() => undefined);
  return isolateRefused(rows, write, async () => false);
}
