/**
 * Telegram Bot API Update → contract events (pure). Formats: docs/sources.md.
 *
 * - `message` in a group or supergroup: a content message → message event (kind from the field
 *   present, forwarded when `forward_origin` is there); `new_chat_members` → member_joined each;
 *   `left_chat_member` → member_left; `migrate_to_chat_id` / `migrate_from_chat_id` → a group alias
 *   (the supergroup's new id names the old group). Other service messages are ignored.
 * - `chat_member`: a change between an in-chat status and left/kicked → member_joined / member_left.
 * - `edited_message` never counts (the message counted once when it was new); private chats,
 *   channels, `my_chat_member` and every other update type are ignored.
 *
 * Bots are not people: their joins, leaves and messages are not counted. A join seen both as a
 * service message and as a `chat_member` update gets the same id (chat, user, second) and counts once.
 *
 * A message's content gives its `fingerprint` (webhooks/content-fingerprint.ts: a file's
 * `file_unique_id`, the largest size of a photo; else the `text` or `caption`), then it is dropped.
 */
import { z } from 'zod';
import type { MessageKind } from '../../common/events.ts';
import { mediaFingerprint, textFingerprint, withFingerprint } from './content-fingerprint.ts';
import { emptyMapped, isRecord, type IdDigest, type MappedPayload } from './mapped.ts';

export interface TelegramMapped extends MappedPayload {
  /** Group id pairs learnt from migrations: `alias` (the new supergroup) names `canonical` (the old group). */
  aliases: { alias: string; canonical: string }[];
}

/** Checked in this order: an animation also sets `document`, a venue also sets `location`, a live photo also sets `photo`. */
const KIND_BY_FIELD: [string, MessageKind][] = [
  ['animation', 'video'],
  ['live_photo', 'image'],
  ['photo', 'image'],
  ['video', 'video'],
  ['video_note', 'video'],
  ['voice', 'audio'],
  ['audio', 'audio'],
  ['document', 'document'],
  ['sticker', 'sticker'],
  ['venue', 'location'],
  ['location', 'location'],
  ['contact', 'contact'],
  ['poll', 'poll'],
  ['text', 'text'],
  ['dice', 'other'],
  ['checklist', 'other'],
  ['story', 'other'],
  ['paid_media', 'other'],
  ['rich_message', 'other'],
  ['game', 'other'],
  ['invoice', 'other'],
];

const chatId = z.number().int().safe();
const userSchema = z.object({ id: z.number().int().safe(), is_bot: z.boolean().optional() }).passthrough();
const chatSchema = z.object({ id: chatId, type: z.string().max(32) }).passthrough();
const unixSeconds = z.number().int().nonnegative().max(1e11);

const messageSchema = z
  .object({
    message_id: z.number().int().nonnegative().safe(),
    date: unixSeconds,
    chat: chatSchema,
    from: userSchema.optional(),
    sender_chat: z.object({ id: chatId }).passthrough().optional(),
    new_chat_members: z.array(userSchema).optional(),
    left_chat_member: userSchema.optional(),
    migrate_to_chat_id: chatId.optional(),
    migrate_from_chat_id: chatId.optional(),
  })
  .passthrough();

const chatMemberSchema = z.object({ status: z.string().max(32), user: userSchema, is_member: z.boolean().optional() }).passthrough();
const chatMemberUpdatedSchema = z.object({
  chat: chatSchema,
  date: unixSeconds,
  old_chat_member: chatMemberSchema,
  new_chat_member: chatMemberSchema,
});

const updateSchema = z.object({ update_id: z.number().int().safe() }).passthrough();


/** Fields whose object is one file with a `file_unique_id` (a photo is an array of sizes). */
const FILE_FIELDS = ['animation', 'video', 'video_note', 'voice', 'audio', 'document', 'sticker'];

/** The content's fingerprint: the file's identity, else the text or caption; undefined when neither. */
function contentFingerprint(message: Record<string, unknown>, digest: IdDigest): string | undefined {
  const photo = Array.isArray(message.photo) ? message.photo.at(-1) : undefined;
  for (const file of [photo, ...FILE_FIELDS.map((field) => message[field])]) {
    if (isRecord(file) && typeof file.file_unique_id === 'string') return mediaFingerprint('tg', file.file_unique_id, digest);
  }
  const text = typeof message.text === 'string' ? message.text : typeof message.caption === 'string' ? message.caption : undefined;
  return text === undefined ? undefined : textFingerprint(text, digest);
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export function telegramGroupId(chat: number): string {
  return `tg:${chat}`;
}

function isGroupChat(type: string): boolean {
  return type === 'group' || type === 'supergroup';
}

/** In the chat: creator, administrator, member, or restricted with is_member. */
function inChat(member: z.infer<typeof chatMemberSchema>): boolean {
  return ['creator', 'administrator', 'member'].includes(member.status) || (member.status === 'restricted' && member.is_member === true);
}

function memberEventId(kind: 'j' | 'l', chat: number, user: number, date: number, digest: IdDigest): string {
  return `tg:${kind}:${chat}:${digest(`${chat}|${user}|${date}`)}`;
}

export function mapTelegramUpdate(update: unknown, digest: IdDigest): TelegramMapped {
  const out: TelegramMapped = { ...emptyMapped(), aliases: [] };
  const parsedUpdate = updateSchema.safeParse(update);
  if (!parsedUpdate.success) {
    out.problems.push({ path: '$', error: isRecord(update) ? issues(parsedUpdate.error) : 'update must be a JSON object' });
    return out;
  }
  const body = parsedUpdate.data;
  if (body.message !== undefined) mapMessage(body.message, digest, out);
  else if (body.chat_member !== undefined) mapChatMember(body.chat_member, digest, out);
  else out.ignored += 1; // edited_message, channel posts, my_chat_member, reactions, …: not counted by design
  return out;
}

function mapMessage(raw: unknown, digest: IdDigest, out: TelegramMapped): void {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) {
    out.problems.push({ path: 'message', error: issues(parsed.error) });
    return;
  }
  const message = parsed.data;
  if (!isGroupChat(message.chat.type)) {
    out.ignored += 1; // private chats and channels
    return;
  }
  const chat = message.chat.id;
  const group = telegramGroupId(chat);
  const at = message.date * 1000;
  if (message.migrate_to_chat_id !== undefined) out.aliases.push({ alias: telegramGroupId(message.migrate_to_chat_id), canonical: group });
  if (message.migrate_from_chat_id !== undefined) out.aliases.push({ alias: group, canonical: telegramGroupId(message.migrate_from_chat_id) });
  let service = out.aliases.length > 0;
  for (const [i, user] of (message.new_chat_members ?? []).entries()) {
    service = true;
    if (user.is_bot) continue;
    out.events.push({ path: `message.new_chat_members[${i}]`, event: { type: 'member_joined', id: memberEventId('j', chat, user.id, message.date, digest), group, at, member: `tg:${user.id}` } });
  }
  if (message.left_chat_member) {
    service = true;
    if (!message.left_chat_member.is_bot) {
      const user = message.left_chat_member.id;
      out.events.push({ path: 'message.left_chat_member', event: { type: 'member_left', id: memberEventId('l', chat, user, message.date, digest), group, at, member: `tg:${user}` } });
    }
  }
  if (service) return;
  const kind = KIND_BY_FIELD.find(([field]) => message[field] !== undefined)?.[1];
  if (!kind) {
    out.ignored += 1; // other service messages: title, photo, pins, topics, …
    return;
  }
  const sender = message.from && !message.from.is_bot ? `tg:${message.from.id}` : message.sender_chat ? `tg:${message.sender_chat.id}` : undefined;
  if (!sender) {
    out.ignored += 1; // a bot's message, or no sender at all
    return;
  }
  out.events.push({
    path: 'message',
    event: {
      type: 'message', id: `tg:${chat}:${message.message_id}`, group, at, sender, kind, forwarded: message.forward_origin !== undefined,
      ...withFingerprint(contentFingerprint(message, digest)),
    },
  });
}

function mapChatMember(raw: unknown, digest: IdDigest, out: TelegramMapped): void {
  const parsed = chatMemberUpdatedSchema.safeParse(raw);
  if (!parsed.success) {
    out.problems.push({ path: 'chat_member', error: issues(parsed.error) });
    return;
  }
  const update = parsed.data;
  const before = inChat(update.old_chat_member);
  const after = inChat(update.new_chat_member);
  const user = update.new_chat_member.user;
  if (!isGroupChat(update.chat.type) || before === after || user.is_bot) {
    out.ignored += 1; // promotions, restrictions, channels, bots
    return;
  }
  const chat = update.chat.id;
  const type = after ? 'member_joined' : 'member_left';
  out.events.push({
    path: 'chat_member',
    event: { type, id: memberEventId(after ? 'j' : 'l', chat, user.id, update.date, digest), group: telegramGroupId(chat), at: update.date * 1000, member: `tg:${user.id}` },
  });
}
