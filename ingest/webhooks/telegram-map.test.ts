import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from '../pseudonymise.ts';
import { KNOWN, TG_GROUP, telegramChatMember, telegramMessage } from './fixtures/payloads.ts';
import { mediaFingerprint, textFingerprint } from './content-fingerprint.ts';
import { mapTelegramUpdate } from './telegram-map.ts';

const digest = createPseudonymiser(Buffer.alloc(32, 4));
const DATE = 1_767_605_400;
const group = `tg:${TG_GROUP}`;

describe('mapTelegramUpdate', () => {
  it('a text message in a supergroup is a text message event keyed on (chat, message_id)', () => {
    const mapped = mapTelegramUpdate(telegramMessage(734512001, DATE, { text: KNOWN.texts[1] }), digest);
    expect(mapped.events.map((e) => e.event)).toEqual([
      { type: 'message', id: `tg:${TG_GROUP}:12001`, group, at: DATE * 1000, sender: `tg:${KNOWN.telegramUsers[0]}`, kind: 'text', forwarded: false, fingerprint: textFingerprint(KNOWN.texts[1]!, digest) },
    ]);
    expect(JSON.stringify(mapped)).not.toContain('SECRET');
  });

  it.each([
    [{ photo: [{ file_id: 'a' }], caption: KNOWN.texts[2] }, 'image'],
    [{ animation: { file_id: 'a' }, document: { file_id: 'a' } }, 'video'],
    [{ voice: { file_id: 'a' } }, 'audio'],
    [{ document: { file_id: 'a' } }, 'document'],
    [{ venue: {}, location: {} }, 'location'],
    [{ poll: { id: 'p' } }, 'poll'],
    [{ sticker: {} }, 'sticker'],
    [{ dice: { value: 3 } }, 'other'],
  ])('kind from the field present: %j → %s', (extra, kind) => {
    expect(mapTelegramUpdate(telegramMessage(734512001, DATE, extra), digest).events[0]!.event.kind).toBe(kind);
  });

  it('forwards are recognised by forward_origin', () => {
    const mapped = mapTelegramUpdate(telegramMessage(734512001, DATE, { text: 'x', forward_origin: { type: 'hidden_user', sender_user_name: 'A', date: DATE } }), digest);
    expect(mapped.events[0]!.event.forwarded).toBe(true);
  });

  it('new_chat_members are joins (bots skipped), left_chat_member a leave; the service message is not a message', () => {
    const joined = mapTelegramUpdate(telegramMessage(734512002, DATE, {
      new_chat_members: [{ id: KNOWN.telegramUsers[1], is_bot: false, first_name: 'Jonas' }, { id: KNOWN.telegramUsers[2], is_bot: false, first_name: 'Priya' }, { id: 42, is_bot: true, first_name: 'bot' }],
    }), digest);
    expect(joined.events.map((e) => [e.event.type, e.event.member])).toEqual([
      ['member_joined', `tg:${KNOWN.telegramUsers[1]}`],
      ['member_joined', `tg:${KNOWN.telegramUsers[2]}`],
    ]);
    const left = mapTelegramUpdate(telegramMessage(734512003, DATE, { left_chat_member: { id: KNOWN.telegramUsers[2], is_bot: false, first_name: 'Priya' } }), digest);
    expect(left.events.map((e) => e.event.type)).toEqual(['member_left']);
  });

  it('chat_member changes between in-chat and left/kicked are joins and leaves, with the id a service message for the same join gets', () => {
    const joinedUpdate = mapTelegramUpdate(telegramChatMember(734512004, DATE, KNOWN.telegramUsers[2]!, 'left', 'member'), digest);
    const joinedService = mapTelegramUpdate(telegramMessage(734512005, DATE, { new_chat_members: [{ id: KNOWN.telegramUsers[2], is_bot: false, first_name: 'Priya' }] }), digest);
    expect(joinedUpdate.events[0]!.event).toMatchObject({ type: 'member_joined', member: `tg:${KNOWN.telegramUsers[2]}` });
    expect(joinedUpdate.events[0]!.event.id).toBe(joinedService.events[0]!.event.id);
    expect(mapTelegramUpdate(telegramChatMember(1, DATE, 7, 'member', 'kicked'), digest).events[0]!.event.type).toBe('member_left');
    expect(mapTelegramUpdate(telegramChatMember(1, DATE, 7, 'restricted', 'left'), digest).events).toEqual([]);
    expect(mapTelegramUpdate(telegramChatMember(1, DATE, 7, 'member', 'administrator'), digest)).toMatchObject({ events: [], ignored: 1 });
  });

  it('edited messages, private chats and channels never count', () => {
    const edited = { update_id: 9, edited_message: { ...telegramMessage(9, DATE, { text: 'x', edit_date: DATE + 5 }).message } };
    expect(mapTelegramUpdate(edited, digest)).toMatchObject({ events: [], ignored: 1 });
    expect(mapTelegramUpdate(telegramMessage(10, DATE, { text: 'x' }, { id: 5123456789, type: 'private' }), digest)).toMatchObject({ events: [], ignored: 1 });
    expect(mapTelegramUpdate(telegramMessage(11, DATE, { text: 'x' }, { id: -100123, type: 'channel' }), digest)).toMatchObject({ events: [], ignored: 1 });
    expect(mapTelegramUpdate({ update_id: 12, channel_post: {} }, digest)).toMatchObject({ events: [], ignored: 1 });
  });

  it('a migration links the supergroup id to the old group id, from either side', () => {
    const fromOld = mapTelegramUpdate(telegramMessage(20, DATE, { migrate_to_chat_id: -1001111 }, { id: -4444, type: 'group', title: 'g' }), digest);
    expect(fromOld).toMatchObject({ events: [], aliases: [{ alias: 'tg:-1001111', canonical: 'tg:-4444' }] });
    const fromNew = mapTelegramUpdate(telegramMessage(21, DATE, { migrate_from_chat_id: -4444 }, { id: -1001111, type: 'supergroup', title: 'g' }), digest);
    expect(fromNew).toMatchObject({ events: [], aliases: [{ alias: 'tg:-1001111', canonical: 'tg:-4444' }] });
  });

  it('fingerprints a text or caption by its normalised words and a file by its file_unique_id, carrying neither', () => {
    const text = mapTelegramUpdate(telegramMessage(30, DATE, { text: '  Join the RALLY\n at 5  ' }), digest).events[0]!.event;
    expect(text.fingerprint).toBe(textFingerprint('join the rally at 5', digest));
    const caption = mapTelegramUpdate(telegramMessage(31, DATE, { document: { file_id: 'x' }, caption: 'Join the rally at 5' }), digest).events[0]!.event;
    expect(caption.fingerprint).toBe(text.fingerprint);
    const photo = mapTelegramUpdate(telegramMessage(32, DATE, { photo: [{ file_id: 'a', file_unique_id: 'small' }, { file_id: 'b', file_unique_id: 'large' }], caption: 'x' }), digest).events[0]!.event;
    expect(photo.fingerprint).toBe(mediaFingerprint('tg', 'large', digest));
    expect(mapTelegramUpdate(telegramMessage(33, DATE, { location: { latitude: 1, longitude: 2 } }), digest).events[0]!.event).not.toHaveProperty('fingerprint');
    expect(JSON.stringify(text)).not.toContain('RALLY');
  });

  it('names what is wrong with a malformed update', () => {
    expect(mapTelegramUpdate({ update_id: 'x' }, digest).problems[0]!.error).toContain('update_id');
    expect(mapTelegramUpdate('hello', digest).problems[0]!.error).toContain('JSON object');
    expect(mapTelegramUpdate({ update_id: 1, message: { message_id: 1, chat: { id: 1, type: 'group' } } }, digest).problems[0]).toMatchObject({ path: 'message', error: expect.stringContaining('date') });
  });
});
