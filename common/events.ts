/**
 * The event contract shared by ingest, processor, api and web.
 *
 * - `incomingEventSchema`: what sources post to `POST /v1/events` (public contract, see DESIGN.md).
 * - `BusEvent`: what ingest puts on the "events" topic after validation and pseudonymisation.
 *   It never carries raw phone numbers, platform user ids or message text.
 */
import { z } from 'zod';

export const MESSAGE_KINDS = [
  'text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contact', 'poll', 'reaction', 'other',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Kinds counted as "media messages" in the rollups. */
export const MEDIA_KINDS: ReadonlySet<MessageKind> = new Set(['image', 'video', 'audio', 'document', 'sticker']);

const MAX_ID_LENGTH = 256;

const idString = (what: string) =>
  z
    .string({ required_error: `${what} is required`, invalid_type_error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(MAX_ID_LENGTH, `${what} must be at most ${MAX_ID_LENGTH} characters`);

/** A member or sender id as the platform gives it: string, or a number (Telegram user ids). */
const personId = (what: string) =>
  z.union([idString(what), z.number({ invalid_type_error: `${what} must be a string` }).int().safe().transform(String)], {
    errorMap: () => ({ message: `${what} must be a non-empty string` }),
  });

/** `at`: ISO-8601 with a zone, or epoch milliseconds. Normalised to epoch ms. */
const timestamp = z.union(
  [
    z.number().int().nonnegative().safe(),
    z
      .string()
      .datetime({ offset: true, message: 'must be ISO-8601 with a time zone, e.g. 2026-11-22T10:15:00Z' })
      .transform((s) => Date.parse(s)),
  ],
  { errorMap: () => ({ message: 'at must be an ISO-8601 timestamp with a zone or epoch milliseconds' }) },
);

const base = {
  id: idString('id'),
  group: idString('group'),
  at: timestamp,
};

export const messageEventSchema = z.object({
  type: z.literal('message'),
  ...base,
  sender: personId('sender'),
  kind: z.enum(MESSAGE_KINDS, { errorMap: () => ({ message: `kind must be one of ${MESSAGE_KINDS.join(', ')}` }) }).default('other'),
  forwarded: z.boolean({ invalid_type_error: 'forwarded must be true or false' }).default(false),
});

export const memberJoinedEventSchema = z.object({ type: z.literal('member_joined'), ...base, member: personId('member') });
export const memberLeftEventSchema = z.object({ type: z.literal('member_left'), ...base, member: personId('member') });

export const groupSnapshotEventSchema = z.object({
  type: z.literal('group_snapshot'),
  ...base,
  members: z.number({ invalid_type_error: 'members must be a number' }).int().nonnegative(),
  admins: z.number({ invalid_type_error: 'admins must be a number' }).int().nonnegative().optional(),
  title: z.string().max(512).optional(),
});

export const EVENT_TYPES = ['message', 'member_joined', 'member_left', 'group_snapshot'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const incomingEventSchema = z.discriminatedUnion('type', [
  messageEventSchema,
  memberJoinedEventSchema,
  memberLeftEventSchema,
  groupSnapshotEventSchema,
], {
  errorMap: (issue, ctx) =>
    issue.code === 'invalid_union_discriminator'
      ? { message: `type must be one of ${EVENT_TYPES.join(', ')}` }
      : { message: ctx.defaultError },
});
export type IncomingEvent = z.infer<typeof incomingEventSchema>;

/** An event as it travels on the bus: validated, pseudonymised, stamped. Versioned by `v`. */
export interface BusEvent {
  v: 1;
  type: EventType;
  /** Stable event id from the source (the platform's own id where there is one). */
  id: string;
  group: string;
  /** Event time, epoch ms. */
  at: number;
  /** When ingest accepted it, epoch ms. */
  receivedAt: number;
  /** Name of the source that sent it. */
  source: string;
  /** Pseudonymised sender (message) or member (joined/left); '' otherwise. */
  person: string;
  kind: MessageKind | '';
  forwarded: boolean;
  /** group_snapshot only. */
  members?: number;
  admins?: number;
  title?: string;
}

export const busEventSchema = z.object({
  v: z.literal(1),
  type: z.enum(EVENT_TYPES),
  id: z.string().min(1),
  group: z.string().min(1),
  at: z.number().int().nonnegative(),
  receivedAt: z.number().int().nonnegative(),
  source: z.string(),
  person: z.string(),
  kind: z.union([z.enum(MESSAGE_KINDS), z.literal('')]),
  forwarded: z.boolean(),
  members: z.number().int().nonnegative().optional(),
  admins: z.number().int().nonnegative().optional(),
  title: z.string().optional(),
});

/** Explain a zod error in one line a person can act on. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : '';
      const message = issue.message;
      return where && !message.startsWith(where) ? `${where}: ${message}` : message;
    })
    .join('; ');
}
