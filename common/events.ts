/**
 * The event contract shared by ingest, processor, api and web.
 *
 * - `incomingEventSchema`: what sources post to `POST /v1/events` (public contract, docs/openapi.yaml).
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
const MAX_TITLE_LENGTH = 512;
/** A message's content fingerprint as a source sends it (an opaque hash of the content, never the content). */
export const MAX_FINGERPRINT_LENGTH = 128;
/** Admins named in one group snapshot (a WhatsApp group holds at most 1,024 members). */
export const MAX_ADMIN_IDS = 1024;
const MAX_PLATFORM_LENGTH = 32;
/** Largest count a UInt32 column holds (members, admins). */
export const MAX_COUNT = 4_294_967_295;
/** Latest instant a DateTime64(3) column holds (2299-12-31T23:59:59.999Z). */
const MAX_EPOCH_MS = 10_413_791_999_999;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F-\u009F]/;

/**
 * What a text field may not hold: a lone UTF-16 surrogate (no UTF-8 form: the store refuses it) or a
 * control character (never part of an id or a title; a NUL or an escape in a title is an attack on
 * whoever displays it). Undefined when the text is fine.
 */
export function textProblem(text: string): string | undefined {
  const lone = LONE_SURROGATE.exec(text);
  if (lone) return `contains a lone UTF-16 surrogate (\\u${lone[0].charCodeAt(0).toString(16)}) at character ${lone.index}: not valid Unicode text`;
  const control = CONTROL_CHARACTER.exec(text);
  if (control) return `contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}) at character ${control.index}`;
  return undefined;
}

/**
 * The first text problem among an event's strings (its fields, and the items of its arrays), named by
 * field. Run on what a schema parsed, in one pass: a zod refinement per field cost the door more CPU
 * than all the rest of its checks together.
 */
export function textFieldsProblem(event: Record<string, unknown>): string | undefined {
  for (const [field, value] of Object.entries(event)) {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      const problem = typeof item === 'string' ? textProblem(item) : undefined;
      if (problem) return `${Array.isArray(value) ? `each of ${field}` : field} ${problem}`;
    }
  }
  return undefined;
}

const idString = (what: string) =>
  z
    .string({ required_error: `${what} is required`, invalid_type_error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(MAX_ID_LENGTH, `${what} must be at most ${MAX_ID_LENGTH} characters`);

/** A count the store keeps as UInt32. */
const count = (what: string) =>
  z
    .number({ invalid_type_error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .nonnegative(`${what} must not be negative`)
    .max(MAX_COUNT, `${what} must be at most ${MAX_COUNT}`);

/** A member or sender id as the platform gives it: string, or a number (Telegram user ids). */
const personId = (what: string) =>
  z.union([idString(what), z.number({ invalid_type_error: `${what} must be a string` }).int().safe().transform(String)], {
    errorMap: () => ({ message: `${what} must be a non-empty string` }),
  });

/** `at`: ISO-8601 with a zone, or epoch milliseconds. Normalised to epoch ms. */
const timestamp = z
  .union(
    [
      z.number().int().safe(),
      z
        .string()
        .datetime({ offset: true, message: 'must be ISO-8601 with a time zone, e.g. 2026-11-22T10:15:00Z' })
        .transform((s) => Date.parse(s)),
    ],
    { errorMap: () => ({ message: 'at must be an ISO-8601 timestamp with a zone or epoch milliseconds' }) },
  )
  .refine((ms) => ms >= 0 && ms <= MAX_EPOCH_MS, { message: 'at must lie between 1970 and 2299' });

const base = {
  id: idString('id'),
  group: idString('group'),
  at: timestamp,
};

const messageKind = z.enum(MESSAGE_KINDS, { errorMap: () => ({ message: `kind must be one of ${MESSAGE_KINDS.join(', ')}` }) }).default('other');

export const messageEventSchema = z.object({
  type: z.literal('message'),
  ...base,
  sender: personId('sender'),
  kind: messageKind,
  forwarded: z.boolean({ invalid_type_error: 'forwarded must be true or false' }).default(false),
  /** Identifies the content (to follow one message down the tree); hashed with a key at the door. */
  fingerprint: idString('fingerprint').pipe(z.string().max(MAX_FINGERPRINT_LENGTH, `fingerprint must be at most ${MAX_FINGERPRINT_LENGTH} characters`)).optional(),
});

export const memberJoinedEventSchema = z.object({ type: z.literal('member_joined'), ...base, member: personId('member') });
export const memberLeftEventSchema = z.object({ type: z.literal('member_left'), ...base, member: personId('member') });

export const groupSnapshotEventSchema = z.object({
  type: z.literal('group_snapshot'),
  ...base,
  members: count('members'),
  admins: count('admins').optional(),
  title: z.string({ invalid_type_error: 'title must be a string' }).max(MAX_TITLE_LENGTH, `title must be at most ${MAX_TITLE_LENGTH} characters`).optional(),
  /** The admins' ids, pseudonymised at the door like members. */
  adminIds: z
    .array(personId('each of adminIds'), { invalid_type_error: 'adminIds must be an array of ids' })
    .max(MAX_ADMIN_IDS, `adminIds must hold at most ${MAX_ADMIN_IDS} ids`)
    .optional(),
});

/** A representative's public account (registered in the directory): no group, keyed by the account. */
const accountBase = {
  id: idString('id'),
  account: idString('account'),
  platform: idString('platform').pipe(z.string().max(MAX_PLATFORM_LENGTH, `platform must be at most ${MAX_PLATFORM_LENGTH} characters`)),
  at: timestamp,
};

export const accountSnapshotEventSchema = z.object({ type: z.literal('account_snapshot'), ...accountBase, followers: count('followers') });
export const postEventSchema = z.object({ type: z.literal('post'), ...accountBase, kind: messageKind });

export const EVENT_TYPES = ['message', 'member_joined', 'member_left', 'group_snapshot', 'account_snapshot', 'post'] as const;
/** Events about a public account rather than a group: stored in `account_events`, not `events`. */
export const ACCOUNT_EVENT_TYPES: ReadonlySet<EventType> = new Set(['account_snapshot', 'post']);
export type EventType = (typeof EVENT_TYPES)[number];

export const incomingEventSchema = z.discriminatedUnion('type', [
  messageEventSchema,
  memberJoinedEventSchema,
  memberLeftEventSchema,
  groupSnapshotEventSchema,
  accountSnapshotEventSchema,
  postEventSchema,
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
  /** The group; for account events (ACCOUNT_EVENT_TYPES) the account, which keys the bus record the same way. */
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
  /** group_snapshot: the admins, pseudonymised. */
  adminIds?: string[];
  /** message: the content fingerprint, keyed-hashed at the door. */
  fingerprint?: string;
  /** Account events: the platform of the account, and (account_snapshot) its followers. */
  platform?: string;
  followers?: number;
}

/** What the processor accepts from the bus: every field within what its column holds (the same limits as at the door). */
export const busEventSchema = z.object({
  v: z.literal(1),
  type: z.enum(EVENT_TYPES),
  id: idString('id'),
  group: idString('group'),
  at: z.number().int().nonnegative().max(MAX_EPOCH_MS),
  receivedAt: z.number().int().nonnegative().max(MAX_EPOCH_MS),
  source: z.string().max(MAX_ID_LENGTH),
  person: z.string().max(MAX_ID_LENGTH),
  kind: z.union([z.enum(MESSAGE_KINDS), z.literal('')]),
  forwarded: z.boolean(),
  members: count('members').optional(),
  admins: count('admins').optional(),
  title: z.string().max(MAX_TITLE_LENGTH).optional(),
  adminIds: z.array(z.string().min(1).max(MAX_ID_LENGTH)).max(MAX_ADMIN_IDS).optional(),
  fingerprint: z.string().min(1).max(MAX_ID_LENGTH).optional(),
  platform: z.string().min(1).max(MAX_PLATFORM_LENGTH).optional(),
  followers: count('followers').optional(),
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
