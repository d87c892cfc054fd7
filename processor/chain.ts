/**
 * A batch's way through the processor, step by step:
 *
 *   decode      a record → its event, or a dead letter (decode.ts)
 *   dedupe      repeats within the batch, and events already stored, are dropped (dedupe.ts)
 *   place       where the directory puts each group (common/placement.ts)
 *   rows        an event and its placement → a row of `events` (rows.ts)
 *   write       one insert; rows the engine refuses are isolated and become dead letters (write-batch.ts)
 *   live delta  the rows written → the counts the board adds (live-delta.ts)
 *   commit      the bus, once handleBatch returned up to which offset it handled (a delta published
 *               again after a crash is skipped by the api's watermark, common/live.ts)
 *
 * The steps here are the pure ones, each a plain function of what the one before gave; processor.ts
 * runs them in this order with the I/O between them (the stored-id lookup, the insert, the bus).
 */
import type { ConsumedBatch, ConsumedRecord } from '../common/bus/bus.ts';
import { ACCOUNT_EVENT_TYPES, type BusEvent } from '../common/events.ts';
import type { BatchMark } from '../common/live.ts';
import type { Directory } from '../common/placement.ts';
import type { DeadLetter } from './dead-letters.ts';
import { decodeRecord } from './decode.ts';
import { dropRepeats, eventKey } from './dedupe.ts';
import { toAccountRow, toEventRow, type AccountRow, type EventRow } from './rows.ts';
import type { RefusedRow } from './write-batch.ts';

/** A batch's events up to `lastOffset`, each once, with what was set aside and dropped on the way. */
export interface DecodedBatch {
  topic: string;
  partition: number;
  firstOffset: string;
  /** Last offset this batch covers (a replay can cover less than the delivered batch). */
  lastOffset: string;
  events: BusEvent[];
  /** The record each event came from, by eventKey (for dead letters). */
  recordOf: Map<string, ConsumedRecord>;
  /** Records that are not bus events. */
  undecodable: DeadLetter[];
  /** Events dropped as repeats or as stored already. */
  duplicates: number;
}

/** Decode, then drop repeats within the batch: the records up to `lastOffset`. */
export function decodeBatch(batch: ConsumedBatch, lastOffset: string): DecodedBatch {
  const last = BigInt(lastOffset);
  const decoded: BusEvent[] = [];
  const recordOf = new Map<string, ConsumedRecord>();
  const undecodable: DeadLetter[] = [];
  for (const record of batch.records) {
    if (BigInt(record.offset) > last) break;
    const outcome = decodeRecord(record);
    if (outcome.kind === 'ok') {
      decoded.push(outcome.value);
      const key = eventKey(outcome.value.group, outcome.value.id);
      if (!recordOf.has(key)) recordOf.set(key, record);
    } else {
      undecodable.push({ topic: batch.topic, partition: batch.partition, offset: record.offset, stage: 'decode', reason: outcome.reason, key: record.key ?? '', value: record.value, group: '', id: '' });
    }
  }
  const { unique, repeats } = dropRepeats(decoded);
  return { topic: batch.topic, partition: batch.partition, firstOffset: batch.firstOffset, lastOffset, events: unique, recordOf, undecodable, duplicates: repeats };
}

/** Drop the events whose keys (eventKey) were stored already — found in the store, or by an interrupted batch's intent. */
export function dropStored(batch: DecodedBatch, stored: ReadonlySet<string>): DecodedBatch {
  if (stored.size === 0) return batch;
  const events = batch.events.filter((e) => !stored.has(eventKey(e.group, e.id)));
  return { ...batch, events, duplicates: batch.duplicates + (batch.events.length - events.length) };
}

/** The mark every row of a batch carries and its live delta repeats (see common/live.ts). */
export function markOf(partition: number, lastOffset: string): BatchMark {
  return { partition, nextOffset: String(BigInt(lastOffset) + 1n) };
}

/** Place each group event and make its row, every row carrying the batch's mark. */
export function placeRows(batch: DecodedBatch, directory: Directory): EventRow[] {
  const mark = markOf(batch.partition, batch.lastOffset);
  return batch.events.filter((event) => !ACCOUNT_EVENT_TYPES.has(event.type)).map((event) => toEventRow(event, directory.place(event.group), mark));
}

/** The rows of the batch's account events (they belong to no group: no placement, no live counts). */
export function accountRows(batch: DecodedBatch): AccountRow[] {
  return batch.events.filter((event) => ACCOUNT_EVENT_TYPES.has(event.type)).map(toAccountRow);
}

/** The rows the engine refused, as dead letters carrying their records and the engine's reason. */
export function refusedLetters(batch: DecodedBatch, refused: readonly RefusedRow<EventRow | AccountRow>[]): DeadLetter[] {
  return refused.map(({ row, reason }) => {
    const group = 'group_id' in row ? row.group_id : row.account;
    const record = batch.recordOf.get(eventKey(group, row.event_id))!;
    return { topic: batch.topic, partition: batch.partition, offset: record.offset, stage: 'write', reason: `the store refused it: ${reason}`, key: record.key ?? '', value: record.value, group, id: row.event_id };
  });
}
