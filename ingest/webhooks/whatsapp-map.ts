/**
 * WhatsApp Cloud API webhook payload → contract events (pure). Formats: docs/sources.md.
 *
 * - `messages[]` with `group_id` → message events; one-to-one messages (no `group_id`) and `system`
 *   messages are ignored. Kind from `type`, forwarded from `context.forwarded`.
 * - `group_participants_update`: `group_participants_add` → member_joined per added participant;
 *   `group_participants_remove` → member_left per removed participant (removals by the business and
 *   voluntary leaves alike). Join requests, failed removals: ignored.
 * - lifecycle, settings and status changes, `statuses[]`: acknowledged and ignored by design.
 *
 * People are keyed on the business-scoped user id (BSUID) when present, else the phone number; the
 * acceptor pseudonymises either. Event ids are keyed digests of the platform's ids: a `wamid` embeds
 * the sender's phone number (base64), so it never leaves ingest as is.
 *
 * A message's content gives its `fingerprint` (webhooks/content-fingerprint.ts: the media's `sha256`,
 * else its media id; else the text's `body`), then the content is dropped.
 */
import { z } from 'zod';
import type { MessageKind } from '../../common/events.ts';
import { mediaFingerprint, textFingerprint, withFingerprint } from './content-fingerprint.ts';
import { arrayAt, emptyMapped, isRecord, type IdDigest, type MappedPayload } from './mapped.ts';

const KIND_BY_TYPE: Record<string, MessageKind> = {
  text: 'text',
  image: 'image',
  video: 'video',
  audio: 'audio',
  voice: 'audio',
  document: 'document',
  sticker: 'sticker',
  location: 'location',
  contacts: 'contact',
  reaction: 'reaction',
};

/** Unix seconds as a string or a number (the docs show both). */
const unixSeconds = z.union([z.number(), z.string().regex(/^\d{1,12}$/, 'must be Unix seconds').transform(Number)], {
  errorMap: () => ({ message: 'timestamp must be Unix seconds (a number or a string of digits)' }),
}).pipe(z.number().int().nonnegative().max(1e11, 'timestamp must be Unix seconds'));

const platformId = z.string().trim().min(1).max(512);

const groupMessageSchema = z.object({
  id: platformId,
  group_id: platformId.optional(),
  from: platformId.optional(),
  from_user_id: platformId.optional(),
  timestamp: unixSeconds,
  type: z.string().max(64),
  context: z.object({ forwarded: z.boolean().optional(), frequently_forwarded: z.boolean().optional() }).passthrough().optional(),
});

const participantSchema = z.object({ wa_id: platformId.optional(), user_id: platformId.optional(), input: platformId.optional() }).passthrough();

const groupItemSchema = z.object({
  group_id: platformId,
  type: z.string().max(64),
  timestamp: unixSeconds,
  request_id: z.string().max(512).optional(),
  added_participants: z.array(participantSchema).optional(),
  removed_participants: z.array(participantSchema).optional(),
});

/** Message types whose object carries a media file (`{ id, sha256, caption? }`). */
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

/** The content's fingerprint: the media file's identity, else the text; undefined for other types. */
function fingerprintOf(raw: unknown, type: string, digest: IdDigest): string | undefined {
  if (!isRecord(raw)) return undefined;
  const content = raw[type];
  if (!isRecord(content)) return undefined;
  if (MEDIA_TYPES.has(type)) {
    const file = typeof content.sha256 === 'string' ? content.sha256 : typeof content.id === 'string' ? content.id : undefined;
    return file === undefined ? undefined : mediaFingerprint('wa', file, digest);
  }
  return type === 'text' && typeof content.body === 'string' ? textFingerprint(content.body, digest) : undefined;
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** BSUID first, then the phone number, then what the business supplied when it removed someone. */
function participantKey(p: z.infer<typeof participantSchema>): string | undefined {
  return p.user_id ?? (p.wa_id === undefined ? undefined : internationalNumber(p.wa_id)) ?? (p.input === undefined ? undefined : internationalNumber(p.input));
}

/**
 * WhatsApp writes numbers internationally without the plus (`447700900456`); a removal's `input` is
 * what the business typed (`+44 7700 900456`). Both become `+447700900456`, so ingest never reads them
 * as numbers of its default country and a removal names the same person as their join.
 */
export function internationalNumber(input: string): string {
  return /^\+?[\d\s().-]{6,}$/.test(input) ? `+${input.replace(/\D/g, '')}` : input;
}

export function mapWhatsAppPayload(payload: unknown, digest: IdDigest): MappedPayload {
  const out = emptyMapped();
  if (!isRecord(payload)) {
    out.problems.push({ path: '$', error: 'payload must be a JSON object' });
    return out;
  }
  if (payload.object !== 'whatsapp_business_account') {
    out.problems.push({ path: '$.object', error: `object must be "whatsapp_business_account" (got ${JSON.stringify(payload.object)?.slice(0, 60) ?? 'nothing'})` });
    return out;
  }
  for (const [e, entry] of arrayAt(payload, 'entry', '$', out.problems).entries()) {
    const entryPath = `entry[${e}]`;
    if (!isRecord(entry)) {
      out.problems.push({ path: entryPath, error: 'entry must be an object' });
      continue;
    }
    for (const [c, change] of arrayAt(entry, 'changes', entryPath, out.problems).entries()) {
      const changePath = `${entryPath}.changes[${c}]`;
      if (!isRecord(change) || !isRecord(change.value)) {
        out.problems.push({ path: changePath, error: 'change must be an object with a value object' });
        continue;
      }
      mapChange(String(change.field), change.value, `${changePath}.value`, digest, out);
    }
  }
  return out;
}

function mapChange(field: string, value: Record<string, unknown>, path: string, digest: IdDigest, out: MappedPayload): void {
  // Phone number → BSUID from the contacts block, for messages that carry only `from`.
  const bsuidByPhone = new Map<string, string>();
  for (const contact of arrayAt(value, 'contacts', path, out.problems)) {
    if (isRecord(contact) && typeof contact.wa_id === 'string' && typeof contact.user_id === 'string') bsuidByPhone.set(contact.wa_id, contact.user_id);
  }
  for (const [m, raw] of arrayAt(value, 'messages', path, out.problems).entries()) {
    const itemPath = `${path}.messages[${m}]`;
    const parsed = groupMessageSchema.safeParse(raw);
    if (!parsed.success) {
      out.problems.push({ path: itemPath, error: issues(parsed.error) });
      continue;
    }
    const message = parsed.data;
    if (!message.group_id || message.type === 'system') {
      out.ignored += 1;
      continue;
    }
    const sender = message.from_user_id ?? (message.from ? bsuidByPhone.get(message.from) ?? internationalNumber(message.from) : undefined);
    if (!sender) {
      out.problems.push({ path: itemPath, error: 'message has neither from_user_id nor from: no sender to count' });
      continue;
    }
    out.events.push({
      path: itemPath,
      event: {
        type: 'message',
        id: `wa:m:${digest(message.id)}`,
        group: `wa:${message.group_id}`,
        at: message.timestamp * 1000,
        sender,
        kind: KIND_BY_TYPE[message.type] ?? 'other',
        forwarded: message.context?.forwarded === true || message.context?.frequently_forwarded === true,
        ...withFingerprint(fingerprintOf(raw, message.type, digest)),
      },
    });
  }
  out.ignored += arrayAt(value, 'statuses', path, out.problems).length;
  for (const [g, raw] of arrayAt(value, 'groups', path, out.problems).entries()) {
    const itemPath = `${path}.groups[${g}]`;
    if (field !== 'group_participants_update') {
      out.ignored += 1; // lifecycle, settings, suspension: not activity
      continue;
    }
    const parsed = groupItemSchema.safeParse(raw);
    if (!parsed.success) {
      out.problems.push({ path: itemPath, error: issues(parsed.error) });
      continue;
    }
    const item = parsed.data;
    const [type, participants, list] =
      item.type === 'group_participants_add' ? (['member_joined', item.added_participants ?? [], 'added_participants'] as const)
      : item.type === 'group_participants_remove' ? (['member_left', item.removed_participants ?? [], 'removed_participants'] as const)
      : [undefined, [], ''] as const;
    if (!type) {
      out.ignored += 1; // join requests created / revoked
      continue;
    }
    for (const [p, participant] of participants.entries()) {
      const member = participantKey(participant);
      if (!member) {
        out.problems.push({ path: `${itemPath}.${list}[${p}]`, error: 'participant has none of user_id, wa_id, input' });
        continue;
      }
      const key = [item.group_id, item.type, item.timestamp, item.request_id ?? '', member].join('|');
      out.events.push({
        path: `${itemPath}.${list}[${p}]`,
        event: { type, id: `wa:${type === 'member_joined' ? 'j' : 'l'}:${digest(key)}`, group: `wa:${item.group_id}`, at: item.timestamp * 1000, member },
      });
    }
  }
}
