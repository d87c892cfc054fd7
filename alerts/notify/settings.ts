/**
 * A user's notification settings as the API and the CLI read and change them: preferences, and contacts
 * checked (numbers normalised as ingest does: common/phone.ts) then kept encrypted. Answers show contacts
 * masked; no refusal repeats a number or an address.
 */
import { z } from 'zod';
import { ALERT_RULE_NAMES } from '../../common/contracts/alerts.ts';
import { describeZodError } from '../../common/events.ts';
import { phoneNumberOf } from '../../common/phone.ts';
import { maskEmail, maskNumber } from './contacts-crypto.ts';
import { completeOrder, isTimeZone, minutesOf, NOTIFY_CHANNELS, NOTIFY_LANGUAGES, RULE_MODES, USE_CHANNELS, type NotifyPrefs } from './prefs.ts';
import type { NotifyStore } from './store.ts';

const time = z.string().refine((t) => minutesOf(t) !== undefined, 'a 24-hour time HH:MM, e.g. 22:00');
const prefsSchema = z
  .object({
    language: z.enum(NOTIFY_LANGUAGES, { errorMap: () => ({ message: `language must be one of ${NOTIFY_LANGUAGES.join(', ')}` }) }),
    timeZone: z.string().max(64).refine(isTimeZone, 'timeZone must be an IANA time zone such as Asia/Kolkata'),
    quietHours: z.object({ from: time, to: time }).strict().refine((q) => q.from !== q.to, 'quiet hours must end at another time than they start').nullable(),
    ruleModes: z.record(z.enum(ALERT_RULE_NAMES, { errorMap: () => ({ message: `ruleModes keys are rules: ${ALERT_RULE_NAMES.join(', ')}` }) }), z.enum(RULE_MODES, { errorMap: () => ({ message: 'each rule is "immediate" or "digest"' }) })),
    order: z.array(z.enum(NOTIFY_CHANNELS, { errorMap: () => ({ message: `order lists channels: ${NOTIFY_CHANNELS.join(', ')}` }) })).max(NOTIFY_CHANNELS.length),
    useChannels: z.enum(USE_CHANNELS, { errorMap: () => ({ message: 'useChannels is "all" (every channel set up) or "first" (the next only when one fails)' }) }),
    // Contacts are checked below, so that no error message ever repeats them.
    whatsapp: z.string().max(40, 'whatsapp is too long for a phone number').nullable(),
    email: z.string().max(254, 'email is too long for an address').nullable(),
  })
  .partial()
  .strict();

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

import type { NotifyAnswer } from '../../common/contracts/notify.ts';

export type { NotifyAnswer };

export type ChannelsOn = { telegram: boolean; whatsapp: boolean; email: boolean };

/** GET /api/v1/me/notify's answer. */
export async function settingsOf(store: NotifyStore, username: string, on: ChannelsOn): Promise<NotifyAnswer> {
  const [prefs, chat, contacts] = await Promise.all([store.prefs(username), store.telegramChat(username), store.contacts(username)]);
  return {
    ...prefs,
    channels: {
      telegram: { available: on.telegram, linked: chat !== undefined },
      whatsapp: { available: on.whatsapp, number: contacts.whatsapp ? maskNumber(contacts.whatsapp) : null },
      email: { available: on.email, address: contacts.email ? maskEmail(contacts.email) : null },
    },
  };
}

export type SettingsOutcome = { ok: true } | { ok: false; status: 400 | 503; error: string; field?: string };

/** Applies any subset of the settings (PUT /api/v1/me/notify's body); null clears a contact or the quiet hours. */
export async function changeSettings(store: NotifyStore, username: string, raw: unknown, defaultCountry: string): Promise<SettingsOutcome> {
  const parsed = prefsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const field = parsed.error.issues.find((issue) => issue.path.length > 0)?.path[0];
    return { ok: false, status: 400, error: describeZodError(parsed.error), ...(field === undefined ? {} : { field: String(field) }) };
  }
  const { whatsapp, email, ...rest } = parsed.data;
  const contactsGiven = whatsapp !== undefined || email !== undefined;
  if (contactsGiven && !store.contactsOn) return { ok: false, status: 503, error: 'contacts cannot be kept: set NOTIFY_CONTACTS_KEY on the server' };
  const number = whatsapp ? phoneNumberOf(whatsapp, defaultCountry) : undefined;
  if (whatsapp && !number) return { ok: false, status: 400, error: 'whatsapp is not a valid phone number: write it with its country code, e.g. +91 98765 43210', field: 'whatsapp' };
  const address = email?.trim();
  if (address && !EMAIL.test(address)) return { ok: false, status: 400, error: 'email is not a valid address: write it as name@example.org', field: 'email' };
  if (Object.keys(rest).length > 0) {
    const prefs = await store.prefs(username);
    await store.setPrefs(username, { ...prefs, ...rest, order: rest.order ? completeOrder(rest.order) : prefs.order });
  }
  if (contactsGiven) {
    const contacts = await store.contacts(username);
    await store.setContacts(username, {
      whatsapp: whatsapp === undefined ? contacts.whatsapp : (number ?? undefined),
      email: email === undefined ? contacts.email : address || undefined,
    });
  }
  return { ok: true };
}
