/**
 * Dead letters: records set aside instead of retried for ever — not a bus event (stage `decode`), or
 * an event the engine refused to store (stage `write`, with the engine's reason). Written to the
 * dead_letters table (where admins read them) and, as a copy for other consumers, to the dead-letter
 * topic. The table insert is idempotent (a digest of the letters as its token), so a replay after a
 * crash sets each aside once.
 */
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { DeadLettersAnswer, DeadLetterStage, StoredDeadLetter } from '../common/contracts/admin.ts';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  stage: DeadLetterStage;
  reason: string;
  /** The record's key on the bus (the group id). */
  key: string;
  /** The record as consumed. */
  value: Buffer;
  /** Of the decoded event; empty for a record that did not decode. */
  group: string;
  id: string;
}

export async function storeDeadLetters(client: ClickHouseClient, letters: DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  const digest = createHash('sha256');
  for (const l of letters) digest.update(`${l.topic}\u0000${l.partition}\u0000${l.offset}\u0001`);
  await client.insert({
    table: 'dead_letters',
    values: letters.map((l) => ({
      topic: l.topic,
      partition: l.partition,
      offset: l.offset,
      stage: l.stage,
      reason: l.reason,
      group_id: l.group,
      event_id: l.id,
      record: l.value.toString('utf8'),
    })),
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplication_token: `dead_letters:${digest.digest('hex').slice(0, 40)}` },
  });
}

/** The newest dead letters first, and how many there are in all. */
export async function readDeadLetters(client: ClickHouseClient, limit: number): Promise<DeadLettersAnswer> {
  const [totalResult, lettersResult] = await Promise.all([
    client.query({ query: 'SELECT count() AS n FROM dead_letters', format: 'JSONEachRow' }),
    client.query({
      query: `SELECT formatDateTime(set_aside_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS setAsideAt, topic, partition, toString(offset) AS offset,
                     stage, reason, group_id AS group, event_id AS id, record
              FROM dead_letters ORDER BY set_aside_at DESC LIMIT {limit:UInt32}`,
      query_params: { limit },
      format: 'JSONEachRow',
    }),
  ]);
  const [total] = await totalResult.json<{ n: string }>();
  return { total: Number(total?.n ?? 0), letters: await lettersResult.json<StoredDeadLetter>() };
}
