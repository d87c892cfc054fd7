/**
 * Turning one posted item into a bus event (ok) or a rejection the sender is told of (drop): pure, per event.
 */
import { describeZodError, incomingEventSchema, textFieldsProblem, type BusEvent, type IncomingEvent } from '../common/events.ts';
import { drop, ok, type DropOutcome, type OkOutcome } from '../common/outcome.ts';
import type { Pseudonymise } from './pseudonymise.ts';

export type Validated = OkOutcome<BusEvent> | DropOutcome;

export interface ValidateContext {
  source: string;
  receivedAt: number;
  pseudonymise: Pseudonymise;
  /** Accepted event times relative to receivedAt; unset = any time. */
  window?: TimeWindow;
}

/** How far from the ingest clock an event time may be: far-off times are mistakes or attacks (and each month is a partition). */
export interface TimeWindow {
  maxPastMs: number;
  maxFutureMs: number;
}

/** The fields each event type may carry: anything else is named in the rejection, so a typo never silently loses data. */
const KNOWN_FIELDS: Record<IncomingEvent['type'], ReadonlySet<string>> = {
  message: new Set(['type', 'id', 'group', 'at', 'sender', 'kind', 'forwarded', 'fingerprint']),
  member_joined: new Set(['type', 'id', 'group', 'at', 'member']),
  member_left: new Set(['type', 'id', 'group', 'at', 'member']),
  group_snapshot: new Set(['type', 'id', 'group', 'at', 'members', 'admins', 'title', 'adminIds']),
  account_snapshot: new Set(['type', 'id', 'account', 'platform', 'at', 'followers']),
  post: new Set(['type', 'id', 'account', 'platform', 'at', 'kind']),
};

/**
 * A fingerprint is keyed-hashed like a person (never stored as sent: a short text's fingerprint could be
 * guessed from the text), in a space of its own so it never equals a person's pseudonym.
 */
export const fingerprintOf = (fingerprint: string, pseudonymise: Pseudonymise) => pseudonymise(`fingerprint:${fingerprint}`);

function unknownFields(item: object, type: IncomingEvent['type']): string[] {
  return Object.keys(item).filter((key) => !KNOWN_FIELDS[type].has(key));
}

function outsideWindow(at: number, context: ValidateContext): string | undefined {
  if (!context.window) return undefined;
  const earliest = context.receivedAt - context.window.maxPastMs;
  const latest = context.receivedAt + context.window.maxFutureMs;
  if (at < earliest) return `at ${new Date(at).toISOString()} is too far in the past: events older than ${new Date(earliest).toISOString()} are not accepted`;
  if (at > latest) return `at ${new Date(at).toISOString()} is in the future: events later than ${new Date(latest).toISOString()} (ingest clock + allowance) are not accepted`;
  return undefined;
}

export function toBusEvent(event: IncomingEvent, context: ValidateContext): BusEvent {
  const common = {
    v: 1 as const,
    type: event.type,
    id: event.id,
    // Account events are keyed by their account: one account's events stay in order on one partition.
    group: 'group' in event ? event.group : event.account,
    at: event.at,
    receivedAt: context.receivedAt,
    source: context.source,
  };
  switch (event.type) {
    case 'message':
      return {
        ...common,
        person: context.pseudonymise(event.sender),
        kind: event.kind,
        forwarded: event.forwarded,
        ...(event.fingerprint === undefined ? {} : { fingerprint: fingerprintOf(event.fingerprint, context.pseudonymise) }),
      };
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
        ...(event.adminIds === undefined ? {} : { adminIds: event.adminIds.map((admin) => context.pseudonymise(admin)) }),
      };
    case 'account_snapshot':
      return { ...common, person: '', kind: '', forwarded: false, platform: event.platform, followers: event.followers };
    case 'post':
      return { ...common, person: '', kind: event.kind, forwarded: false, platform: event.platform };
  }
}

export function validateEvent(item: unknown, context: ValidateContext): Validated {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return drop('each event must be a JSON object');
  }
  const parsed = incomingEventSchema.safeParse(item);
  if (!parsed.success) return drop(describeZodError(parsed.error));
  const textProblem = textFieldsProblem(parsed.data);
  if (textProblem) return drop(textProblem);
  const unknown = unknownFields(item, parsed.data.type);
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((key) => JSON.stringify(key.slice(0, 40))).join(', ');
    return drop(`unknown field${unknown.length > 1 ? 's' : ''} ${shown}${unknown.length > 5 ? ', …' : ''} for a ${parsed.data.type} event: allowed are ${[...KNOWN_FIELDS[parsed.data.type]].join(', ')}`);
  }
  const timeProblem = outsideWindow(parsed.data.at, context);
  if (timeProblem) return drop(timeProblem);
  return ok(toBusEvent(parsed.data, context));
}
