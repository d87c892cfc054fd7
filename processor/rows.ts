/** Step 3: a decoded event and its placement → one row of the `events` table. Pure. */
import type { BusEvent } from '../common/events.ts';
import type { BatchMark } from '../common/live.ts';
import type { Placement } from '../common/placement.ts';

export interface EventRow {
  event_id: string;
  type: string;
  group_id: string;
  /** Epoch ms; ClickHouse reads integers as DateTime64(3) ticks. */
  at: number;
  received_at: number;
  source: string;
  person: string;
  kind: string;
  forwarded: boolean;
  members: number | null;
  admins: number | null;
  title: string;
  /** message: the keyed hash of its content fingerprint ('' when none was sent). */
  fingerprint?: string;
  /** group_snapshot: the admins, pseudonymised. */
  admin_ids?: string[];
  division: string;
  category: string;
  unit_path: string[];
  /** The batch that wrote the row (rollup_minute keeps the highest per partition: the live watermark). */
  batch_partition: number;
  batch_next_offset: string;
}

/** For rows loaded without the processor (benchmarks, tests): 0 is below every real mark. */
export const NOT_FROM_A_BATCH: BatchMark = { partition: 0, nextOffset: '0' };

export function toEventRow(event: BusEvent, placement: Placement, batch: BatchMark = NOT_FROM_A_BATCH): EventRow {
  return {
    event_id: event.id,
    type: event.type,
    group_id: event.group,
    at: event.at,
    received_at: event.receivedAt,
    source: event.source,
    person: event.person,
    kind: event.kind,
    forwarded: event.forwarded,
    members: event.members ?? null,
    admins: event.admins ?? null,
    title: event.title ?? '',
    fingerprint: event.fingerprint ?? '',
    admin_ids: event.adminIds ?? [],
    division: placement.division,
    category: placement.category,
    unit_path: placement.unitPath,
    batch_partition: batch.partition,
    batch_next_offset: batch.nextOffset,
  };
}

/** A row of `account_events`: an event of a representative's public account (no group, no placement). */
export interface AccountRow {
  event_id: string;
  type: string;
  account: string;
  platform: string;
  at: number;
  received_at: number;
  source: string;
  kind: string;
  followers: number | null;
}

export function toAccountRow(event: BusEvent): AccountRow {
  return {
    event_id: event.id,
    type: event.type,
    account: event.group,
    platform: event.platform ?? '',
    at: event.at,
    received_at: event.receivedAt,
    source: event.source,
    kind: event.kind,
    followers: event.followers ?? null,
  };
}
