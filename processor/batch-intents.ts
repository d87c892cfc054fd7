/**
 * Batch intents: the processor records [first, last] offsets of a batch, the event keys it dropped as
 * already stored and a digest of the rows it is about to write, before inserting them. ClickHouse
 * writes the raw block and each materialized view's block one after another, so a crash can leave a
 * batch half written; every batch the processor takes looks for an intent at its first offset (the
 * half-written one need not be the first a new owner gets: it may resume from an older committed offset)
 * and replays exactly that batch — the same rows, so the same insert token: blocks already written are
 * dropped as duplicates, the missing ones are written. Without it, a replay with other batch
 * boundaries would find the half-written rows "already stored" and never complete their rollups.
 * An intent whose digest does not match the records now at its offsets is stale and ignored.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export interface BatchIntent {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  /** eventKey()s of events dropped because an earlier batch had stored them. */
  dropped: string[];
  /** rowsDigest() of the rows the batch writes ('' in intents recorded before digests existed). */
  rowsHash: string;
}

export async function recordIntent(client: ClickHouseClient, intent: BatchIntent): Promise<void> {
  await client.insert({
    table: 'processor_batches',
    values: [{ topic: intent.topic, partition: intent.partition, first_offset: intent.firstOffset, last_offset: intent.lastOffset, dropped: intent.dropped, rows_hash: intent.rowsHash }],
    format: 'JSONEachRow',
  });
}

/** The intent of a batch that started at `firstOffset`, if one was recorded. */
export async function findIntent(client: ClickHouseClient, topic: string, partition: number, firstOffset: string): Promise<BatchIntent | undefined> {
  const result = await client.query({
    query: `SELECT toString(last_offset) AS last, dropped, rows_hash FROM processor_batches FINAL
            WHERE topic = {topic:String} AND partition = {partition:UInt32} AND first_offset = {first:UInt64}
            ORDER BY recorded_at DESC LIMIT 1`,
    query_params: { topic, partition, first: firstOffset },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ last: string; dropped: string[]; rows_hash: string }>();
  return row ? { topic, partition, firstOffset, lastOffset: row.last, dropped: row.dropped, rowsHash: row.rows_hash } : undefined;
}
