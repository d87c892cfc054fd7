/** Step 3: a decoded event and its placement → one row of the `events` table. Pure. */
import type { BusEvent } from '../common/events.ts';
import type { Placement } from './directory.ts';

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
  division: string;
  category: string;
  unit_path: string[];
}

export function toEventRow(event: BusEvent, placement: Placement): EventRow {
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
    division: placement.division,
    category: placement.category,
    unit_path: placement.unitPath,
  };
}
