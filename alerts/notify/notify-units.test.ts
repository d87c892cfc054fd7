import { describe, expect, it } from 'vitest';
import type { Alert } from '../../common/contracts/alerts.ts';
import { checkAckLink, signAckLink } from './ack-link.ts';
import { createContactsCipher, maskEmail, maskNumber } from './contacts-crypto.ts';
import { completeOrder, inQuietHours, nextDigest, quietHoursEnd } from './prefs.ts';
import { summarise, type LedgerEntry } from './store.ts';
import { alertSentence, alertText, digestLines, unitsNamed } from './texts.ts';
import { templateBody } from './whatsapp.ts';

const KEY = 'a-contacts-key-of-some-length';

describe('contacts at rest', () => {
  it('encrypts and decrypts, differently each time, and refuses another key or a changed text', () => {
    const cipher = createContactsCipher(KEY);
    const a = cipher.encrypt('+919876543210');
    expect(a).not.toContain('9876543210');
    expect(cipher.encrypt('+919876543210')).not.toBe(a);
    expect(cipher.decrypt(a)).toBe('+919876543210');
    expect(createContactsCipher('another-key-of-some-length').decrypt(a)).toBeUndefined();
    const [v, iv, body, tag] = a.split('.');
    expect(cipher.decrypt([v, iv, `${body!.slice(0, -2)}AA`, tag].join('.'))).toBeUndefined();
    // A truncated tag is refused, even with the right text (GCM alone would check only its first bytes).
    expect(cipher.decrypt([v, iv, body, tag!.slice(0, 6)].join('.'))).toBeUndefined();
    expect(cipher.digest('+919876543210')).toBe(createContactsCipher(KEY).digest('+919876543210'));
    expect(() => createContactsCipher('short')).toThrow(/16/);
  });

  it('shows numbers and addresses masked', () => {
    expect(maskNumber('+919876543210')).toBe('+91••••••3210');
    expect(maskEmail('ravi@example.org')).toBe('r•••@example.org');
  });
});

describe('acknowledge links', () => {
  const secret = 'link-secret-for-unit-tests';
  const claim = { alertId: 'a'.repeat(32), username: 'lead-north', expiresAt: 2_000_000 };
  it('carry the alert, the user and the expiry under a signature', () => {
    const token = signAckLink(secret, claim);
    expect(checkAckLink(secret, token, 1_000_000)).toEqual({ ok: true, claim });
    expect(checkAckLink(secret, token, 2_000_000)).toEqual({ ok: false, reason: 'expired' });
    expect(checkAckLink('another-secret-of-length', token, 1_000_000)).toEqual({ ok: false, reason: 'invalid' });
    const other = signAckLink(secret, { ...claim, username: 'admin' }).split('.');
    const forged = [...token.split('.').slice(0, 1), other[1], ...token.split('.').slice(2)].join('.');
    expect(checkAckLink(secret, forged, 1_000_000)).toEqual({ ok: false, reason: 'invalid' });
    expect(checkAckLink(secret, 'not-a-token', 1_000_000)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('times of a user', () => {
  const zone = 'Asia/Kolkata';
  const at = (local: string) => Date.parse(`${local}+05:30`);
  const quiet = { from: '22:00', to: '07:00' };
  it('knows quiet hours across midnight and when they end', () => {
    expect(inQuietHours(at('2026-12-07T23:00:00'), zone, quiet)).toBe(true);
    expect(inQuietHours(at('2026-12-08T06:59:00'), zone, quiet)).toBe(true);
    expect(inQuietHours(at('2026-12-08T07:00:00'), zone, quiet)).toBe(false);
    expect(inQuietHours(at('2026-12-08T12:00:00'), zone, quiet)).toBe(false);
    expect(inQuietHours(at('2026-12-08T12:00:00'), zone, null)).toBe(false);
    expect(quietHoursEnd(at('2026-12-07T23:00:00'), zone, quiet)).toBe(at('2026-12-08T07:00:00'));
    expect(quietHoursEnd(at('2026-12-08T01:00:00'), zone, quiet)).toBe(at('2026-12-08T07:00:00'));
  });
  it('puts the digest at the next digest hour, local time', () => {
    expect(nextDigest(at('2026-12-07T10:00:00'), zone, 8)).toEqual({ dueAt: at('2026-12-08T08:00:00'), day: '2026-12-08' });
    expect(nextDigest(at('2026-12-07T07:00:00'), zone, 8)).toEqual({ dueAt: at('2026-12-07T08:00:00'), day: '2026-12-07' });
  });
  it('completes a channel order', () => {
    expect(completeOrder(['email'])).toEqual(['email', 'telegram', 'whatsapp']);
  });
});

function alert(over: Partial<Alert>): Alert {
  return {
    id: 'x'.repeat(32), rule: 'group-inactive', subjectKind: 'group', subject: 'wa:g1', division: 'div-n', divisions: [], unit: 'div-n', unitPath: ['div-n'], category: '', state: 'firing',
    message: 'group wa:g1 silent for 3 days (threshold 2 days)', details: { thresholdHours: 48, silentHours: 72, silentMinutes: 4320 }, since: Date.parse('2026-12-04T10:00:00Z'), firedAt: Date.parse('2026-12-07T10:00:00Z'),
    acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, escalatedAt: null, escalatedUnit: '', recipients: [], escalatedTo: [], version: 1, ...over,
  };
}

describe("an alert's own sentence", () => {
  it('is written from its fields in English and Hindi', () => {
    expect(alertSentence('en', alert({}))).toBe('Group wa:g1 has been silent for 3 days (threshold 2 days).');
    expect(alertSentence('hi', alert({ details: { thresholdHours: 48, silentHours: 72, silentMinutes: 4320, title: 'Ward 12' } }))).toBe('समूह Ward 12 3 दिन से चुप है (सीमा 2 दिन)।');
    const dark = alert({ rule: 'unit-dark', subjectKind: 'unit', subject: 'd-7', details: { groups: 12, level: 'district', name: 'Jaipur' } });
    expect(alertSentence('en', dark)).toBe('District Jaipur is dark: none of its 12 groups is active.');
    expect(alertSentence('hi', dark)).toContain('Jaipur अँधेरे में है');
    const drop = alert({ rule: 'sharp-drop', details: { recent: 5, baselinePerWindow: 50, windowHours: 6 } });
    expect(alertSentence('hi', drop)).toBe('समूह wa:g1: पिछले 6 घंटे में 5 संदेश, सामान्यतः 50 (10 %)।');
  });
  it("keeps the detector's message for a rule it does not know or a missing field", () => {
    expect(alertSentence('hi', alert({ details: {} }))).toBe('group wa:g1 silent for 3 days (threshold 2 days)');
    expect(alertSentence('hi', alert({ rule: 'new-rule' as Alert['rule'] }))).toBe('group wa:g1 silent for 3 days (threshold 2 days)');
  });
  it('frames it, and caps a digest with "and N more"', () => {
    expect(alertText('hi', alert({}), 'fired').split('\n')).toEqual(['GroupPulse चेतावनी: समूह wa:g1 3 दिन से चुप है (सीमा 2 दिन)।', 'इकाई: div-n', 'कब से: 2026-12-04 10:00 UTC']);
    // In the reader's time zone.
    expect(alertText('hi', alert({}), 'fired', 'Asia/Kolkata').split('\n')[2]).toBe('कब से: 2026-12-04 15:30 IST');
    const lagging = alert({ rule: 'representative-lagging', subjectKind: 'representative', details: { reason: 'silent', person: 'Ravi Meena', role: 'MLA', unitName: 'Ajmer', platform: 'x', silentDays: 5, limitDays: 3 } });
    expect(alertSentence('hi', lagging)).toBe('Ravi Meena (MLA, Ajmer) ने 5 दिन से x पर पोस्ट नहीं किया (सीमा 3 दिन)।');
    const lines = digestLines('en', Array.from({ length: 5 }, () => alert({})), 3);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('GroupPulse daily digest: 5 alerts');
    expect(lines[4]).toBe('and 2 more');
  });
  it('names units by their name in the directory, an id it lacks as it is', () => {
    const units = { 'div-n': 'Jaipur Ward 12', RJ: 'Rajasthan' };
    expect(alertText('hi', alert({}), 'fired', undefined, units).split('\n')[1]).toBe('इकाई: Jaipur Ward 12');
    expect(alertText('en', alert({ escalatedUnit: 'RJ' }), 'escalated', undefined, units).split('\n')[1]).toBe('Unit: Rajasthan');
    expect(alertText('en', alert({ unit: 'B999' }), 'fired', undefined, units).split('\n')[1]).toBe('Unit: B999');
    expect(digestLines('en', [alert({})], 3, units)[1]).toBe('• Group wa:g1 has been silent for 3 days (threshold 2 days). (Jaipur Ward 12)');
    expect(unitsNamed([alert({ escalatedUnit: 'RJ' }), alert({})]).sort()).toEqual(['RJ', 'div-n']);
  });
  it('fills a WhatsApp template without line breaks, with the acknowledge payload', () => {
    const body = templateBody({ username: 'u', address: '+919876543210', language: 'hi' }, { kind: 'alert', alert: alert({}), change: 'fired' }, { templateName: 'grouppulse_alert', templateLanguages: { en: 'en', hi: 'hi' } });
    expect(body).toMatchObject({ messaging_product: 'whatsapp', to: '919876543210', type: 'template', template: { name: 'grouppulse_alert', language: { code: 'hi' } } });
    expect(JSON.stringify(body)).not.toContain('\\n');
    expect(JSON.stringify(body)).toContain(`"payload":"ack:${'x'.repeat(32)}"`);
  });
});

describe('the delivery summary', () => {
  const e = (username: string, channel: LedgerEntry['channel'], status: LedgerEntry['status'], at: number): LedgerEntry => ({ alertId: 'a', username, channel, status, at, attempt: 1, error: '', providerMessageId: '' });
  it('counts people: sent to, delivered to, read by, and those no channel reached', () => {
    const summary = summarise(
      [e('a', 'whatsapp', 'sent', 1), e('a', 'whatsapp', 'delivered', 2), e('a', 'whatsapp', 'read', 3), e('b', 'telegram', 'gave_up', 1), e('b', 'whatsapp', 'sent', 2), e('c', 'email', 'failed', 1), e('c', 'email', 'gave_up', 2)],
      null,
    );
    expect(summary).toEqual({ sentTo: 2, deliveredTo: 1, readBy: 1, failed: 1, acknowledged: null });
  });
});

describe('the users notify command', () => {
  it('turns its options into the API body', async () => {
    const { settingsBody } = await import('./cli.ts');
    expect(settingsBody({ whatsapp: '+91 98765 43210', email: 'off', language: 'hi', order: 'telegram, email', channels: 'first', quiet: '22:00-07:00' })).toEqual({
      whatsapp: '+91 98765 43210', email: null, language: 'hi', order: ['telegram', 'email'], useChannels: 'first', quietHours: { from: '22:00', to: '07:00' },
    });
    expect(settingsBody({ quiet: 'off' })).toEqual({ quietHours: null });
  });
});

describe("a provider's limit shared by the processors that send", () => {
  it('gives each its share, at least one a second', async () => {
    const { shareOf } = await import('./setup.ts');
    expect([shareOf(30, 1), shareOf(30, 3), shareOf(80, 7), shareOf(10, 40)]).toEqual([30, 10, 11, 1]);
  });
});

describe("WhatsApp's messaging limit", () => {
  it('refuses, for good, a new person past the limit and lets those already written to through', async () => {
    const { withinDailyRecipients } = await import('./channels.ts');
    const sent: string[] = [];
    const whatsapp = { name: 'whatsapp' as const, send: async (to: { username: string }) => (sent.push(to.username), { ok: true as const, providerMessageId: `wamid.${to.username}` }) };
    const recent = new Set(['a', 'b']);
    const limited = withinDailyRecipients(whatsapp, 2, async () => ({ count: recent.size, has: (u) => recent.has(u) }));
    const notice = { kind: 'digest' as const, alerts: [], day: '2026-12-07', cap: 20 };
    expect(await limited.send({ username: 'a', address: '+919800000001', language: 'en' }, notice)).toEqual({ ok: true, providerMessageId: 'wamid.a' });
    expect(await limited.send({ username: 'c', address: '+919800000003', language: 'en' }, notice)).toEqual({ ok: false, final: true, error: 'messaging limit reached: 2 people written to in 24 h (WHATSAPP_DAILY_RECIPIENTS 2)' });
    expect(sent).toEqual(['a']);
  });
});
