/**
 * Turning one posted item into a bus event or a rejection: pure, per event.
 */
import { describeZodError, incomingEventSchema, type BusEvent, type IncomingEvent } from '../common/events.ts';
import type { Pseudonymise } from './pseudonymise.ts';

export type Validated = { ok: true; event: BusEvent } | { ok: false; error: string };

export interface ValidateContext {
  source: string;
  receivedAt: number;
  pseudonymise: Pseudonymise;
}

export function toBusEvent(event: IncomingEvent, context: ValidateContext): BusEvent {
  const common = {
    v: 1 as const,
    type: event.type,
    id: event.id,
    group: event.group,
    at: event.at,
    receivedAt: context.receivedAt,
    source: context.source,
  };
  switch (event.type) {
    case 'message':
      return { ...common, person: context.pseudonymise(event.sender), kind: event.kind, forwarded: event.forwarded };
    case 'member_joined':
    case 'member_left':
      return { ...common, person: context.pseudonymise(event.member), kind: '', forwarded: false };
    case 'group_snapshot':
      return {
        ...common,
        person: '',
        kind: '',
        forwarded: false,
        members: event.members,
        ...(event.admins === undefined ? {} : { admins: event.admins }),
        ...(event.title === undefined ? {} : { title: event.title }),
      };
  }
}

export function validateEvent(item: unknown, context: ValidateContext): Validated {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { ok: false, error: 'each event must be a JSON object' };
  }
  const parsed = incomingEventSchema.safeParse(item);
  if (!parsed.success) return { ok: false, error: describeZodError(parsed.error) };
  return { ok: true, event: toBusEvent(parsed.data, context) };
}
