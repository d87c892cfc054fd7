import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from '../pseudonymise.ts';
import { KNOWN, WA_GROUP, WA_GROUP_2, whatsappGroupsPayload, whatsappMessagesPayload } from './fixtures/payloads.ts';
import { mediaFingerprint, textFingerprint } from './content-fingerprint.ts';
import { checkWhatsAppSignature } from './whatsapp-signature.ts';
import { internationalNumber, mapWhatsAppPayload } from './whatsapp-map.ts';

const digest = createPseudonymiser(Buffer.alloc(32, 3));
const TS = 1_767_605_400;

describe('mapWhatsAppPayload: messages', () => {
  const mapped = mapWhatsAppPayload(whatsappMessagesPayload(TS), digest);

  it('turns every group message of every entry and change into a message event; 1:1 messages and statuses are ignored', () => {
    expect(mapped.problems).toEqual([]);
    expect(mapped.ignored).toBe(2);
    expect(mapped.events.map((e) => e.event)).toEqual([
      expect.objectContaining({ type: 'message', group: `wa:${WA_GROUP}`, at: TS * 1000, sender: KNOWN.bsuids[0], kind: 'text', forwarded: false }),
      expect.objectContaining({ type: 'message', group: `wa:${WA_GROUP}`, at: (TS + 1) * 1000, sender: KNOWN.bsuids[2], kind: 'image' }),
      expect.objectContaining({ type: 'message', group: `wa:${WA_GROUP_2}`, at: (TS + 3) * 1000, sender: `+${KNOWN.phones[2]}`, kind: 'reaction', forwarded: true }),
    ]);
    expect(mapped.events.map((e) => e.path)).toEqual([
      'entry[0].changes[0].value.messages[0]',
      'entry[0].changes[0].value.messages[1]',
      'entry[1].changes[0].value.messages[0]',
    ]);
  });

  it('keys the sender on the BSUID, from contacts when the message carries only the phone', () => {
    const payload = whatsappMessagesPayload(TS);
    const message = payload.entry[0]!.changes[0]!.value.messages[0]! as Record<string, unknown>;
    delete message.from_user_id;
    expect(mapWhatsAppPayload(payload, digest).events[0]!.event.sender).toBe(KNOWN.bsuids[0]);
  });

  it('gives stable ids that carry neither the wamid (it embeds the phone) nor any text', () => {
    const again = mapWhatsAppPayload(whatsappMessagesPayload(TS), digest);
    expect(again.events.map((e) => e.event.id)).toEqual(mapped.events.map((e) => e.event.id));
    const text = JSON.stringify(mapped.events);
    expect(text).not.toContain('wamid');
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain(KNOWN.names[0]);
  });
});

describe('mapWhatsAppPayload: content fingerprints', () => {
  it('fingerprints a text by its normalised words and a media file by its sha256, never carrying either', () => {
    const mapped = mapWhatsAppPayload(whatsappMessagesPayload(TS), digest);
    const [text, image, reaction] = mapped.events.map((e) => e.event);
    expect(text!.fingerprint).toBe(textFingerprint(KNOWN.texts[0]!, digest));
    expect(image!.fingerprint).toBe(mediaFingerprint('wa', 'abc', digest));
    expect(reaction).not.toHaveProperty('fingerprint');
    expect(JSON.stringify(mapped.events)).not.toContain(KNOWN.texts[0]);
  });

  it('matches the same text forwarded with other spacing and case, and falls back to the media id', () => {
    const payload = whatsappMessagesPayload(TS);
    const messages = payload.entry[0]!.changes[0]!.value.messages as Record<string, unknown>[];
    messages[0]!.text = { body: `  ${KNOWN.texts[0]!.toUpperCase()}\n` };
    delete (messages[1]!.image as Record<string, unknown>).sha256;
    const [text, image] = mapWhatsAppPayload(payload, digest).events.map((e) => e.event);
    expect(text!.fingerprint).toBe(textFingerprint(KNOWN.texts[0]!, digest));
    expect(image!.fingerprint).toBe(mediaFingerprint('wa', '1', digest));
  });
});

describe('mapWhatsAppPayload: group participants', () => {
  const mapped = mapWhatsAppPayload(whatsappGroupsPayload(TS), digest);

  it('joins per added participant (both shapes, BSUID without phone), leaves for removals and voluntary leaves', () => {
    expect(mapped.problems).toEqual([]);
    expect(mapped.events.map((e) => [e.event.type, e.event.member, e.event.at])).toEqual([
      ['member_joined', `+${KNOWN.phones[1]}`, TS * 1000],
      ['member_joined', `+${KNOWN.phones[2]}`, TS * 1000],
      ['member_joined', KNOWN.bsuids[1], TS * 1000],
      ['member_left', `+${KNOWN.phones[1]}`, (TS + 60) * 1000],
      ['member_left', KNOWN.bsuids[1], (TS + 120) * 1000],
    ]);
    // join request, settings and lifecycle: acknowledged, not counted
    expect(mapped.ignored).toBe(3);
    expect(new Set(mapped.events.map((e) => e.event.id)).size).toBe(5);
  });

  it('names items it cannot read by their path and keeps the rest', () => {
    const payload = whatsappGroupsPayload(TS) as unknown as { entry: { changes: { value: { groups: Record<string, unknown>[] } }[] }[] };
    payload.entry[0]!.changes[0]!.value.groups[0]!.timestamp = 'yesterday';
    payload.entry[0]!.changes[0]!.value.groups[1]!.removed_participants = [{}];
    const result = mapWhatsAppPayload(payload, digest);
    expect(result.problems).toEqual([
      { path: 'entry[0].changes[0].value.groups[0]', error: expect.stringContaining('timestamp must be Unix seconds') },
      { path: 'entry[0].changes[0].value.groups[1].removed_participants[0]', error: 'participant has none of user_id, wa_id, input' },
    ]);
    expect(result.events).toHaveLength(1);
  });

  it('refuses payloads that are not WhatsApp Business Account webhooks', () => {
    expect(mapWhatsAppPayload({ object: 'page', entry: [] }, digest).problems[0]!.error).toContain('whatsapp_business_account');
    expect(mapWhatsAppPayload([1, 2], digest).problems[0]!.error).toContain('JSON object');
    expect(mapWhatsAppPayload({ object: 'whatsapp_business_account', entry: 'x' }, digest).problems[0]).toEqual({ path: '$.entry', error: 'entry must be an array' });
  });

  it('normalises phone-number inputs to the wa_id form', () => {
    expect(internationalNumber('+44 7700 900456')).toBe('+447700900456');
    expect(internationalNumber('447700900456')).toBe('+447700900456');
    expect(internationalNumber('GB.123')).toBe('GB.123');
  });
});

describe('checkWhatsAppSignature', () => {
  const secret = 'app-secret';
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[],"note":"caf\\u00e9 ☕"}');
  const good = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('accepts the HMAC of the raw bytes, and nothing else', () => {
    expect(checkWhatsAppSignature(body, good, secret)).toEqual({ ok: true });
    expect(checkWhatsAppSignature(body, good.toUpperCase().replace('SHA256', 'sha256'), secret)).toEqual({ ok: true });
    expect(checkWhatsAppSignature(Buffer.concat([body, Buffer.from(' ')]), good, secret)).toMatchObject({ ok: false, status: 403 });
    expect(checkWhatsAppSignature(body, good, 'other-secret')).toMatchObject({ ok: false, status: 403 });
    expect(checkWhatsAppSignature(body, 'sha256=abc', secret)).toMatchObject({ ok: false, status: 403, error: expect.stringContaining('64 hex') });
    expect(checkWhatsAppSignature(body, undefined, secret)).toMatchObject({ ok: false, status: 401 });
  });
});
