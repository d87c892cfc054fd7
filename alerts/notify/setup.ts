/** The notification channels from the config: each is off unless its settings are there (common/config.ts). */
import type { Config } from '../../common/config.ts';
import { DAY_MS, HOUR_MS } from '../../common/time.ts';
import { rateLimited, telegramChannel, withinDailyRecipients, type Channel } from './channels.ts';
import { createContactsCipher, type ContactsCipher } from './contacts-crypto.ts';
import { emailChannel } from './email.ts';
import { createBotApi, createRateLimit, type BotApi } from './telegram.ts';
import type { NotifyStore } from './store.ts';
import { whatsAppChannel } from './whatsapp.ts';

export type NotifyConfig = Pick<
  Config,
  | 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_BOT_USERNAME' | 'TELEGRAM_API_BASE'
  | 'WHATSAPP_ACCESS_TOKEN' | 'WHATSAPP_PHONE_NUMBER_ID' | 'WHATSAPP_API_BASE' | 'WHATSAPP_API_VERSION' | 'WHATSAPP_TEMPLATE_NAME' | 'WHATSAPP_TEMPLATE_LANGUAGES'
  | 'SMTP_URL' | 'NOTIFY_EMAIL_FROM' | 'BOARD_PUBLIC_URL' | 'NOTIFY_LINK_SECRET' | 'NOTIFY_LINK_TTL_HOURS' | 'NOTIFY_CONTACTS_KEY'
  | 'NOTIFY_DIGEST_HOUR' | 'NOTIFY_DIGEST_CAP' | 'NOTIFY_TICK_MS' | 'NOTIFY_PROCESSORS' | 'WHATSAPP_DAILY_RECIPIENTS'
>;

export function telegramBot(config: Pick<NotifyConfig, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_API_BASE'>): BotApi | undefined {
  return config.TELEGRAM_BOT_TOKEN ? createBotApi({ base: config.TELEGRAM_API_BASE, token: config.TELEGRAM_BOT_TOKEN }) : undefined;
}

/** Telegram allows a bot about 30 messages a second. */
export const TELEGRAM_MESSAGES_PER_SECOND = 30;
/** The Cloud API's default throughput per business number is 80 messages a second. */
export const WHATSAPP_MESSAGES_PER_SECOND = 80;
/** Gentle on an SMTP relay. */
export const EMAIL_MESSAGES_PER_SECOND = 10;

export function contactsCipher(config: Pick<NotifyConfig, 'NOTIFY_CONTACTS_KEY'>): ContactsCipher | undefined {
  return config.NOTIFY_CONTACTS_KEY ? createContactsCipher(config.NOTIFY_CONTACTS_KEY) : undefined;
}

/** Which channels this deployment can send on (GET /api/v1/me/notify#channels.*.available). */
export function channelsOn(config: Partial<NotifyConfig>): { telegram: boolean; whatsapp: boolean; email: boolean } {
  return {
    telegram: Boolean(config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_BOT_USERNAME),
    whatsapp: Boolean(config.WHATSAPP_ACCESS_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID && config.NOTIFY_CONTACTS_KEY),
    email: Boolean(config.SMTP_URL && config.NOTIFY_LINK_SECRET && config.NOTIFY_EMAIL_FROM && config.BOARD_PUBLIC_URL && config.NOTIFY_CONTACTS_KEY),
  };
}

/** This process's share of a provider's limit: the processors that send split it (NOTIFY_PROCESSORS), at least one a second. */
export function shareOf(perSecond: number, processors: number): number {
  return Math.max(1, Math.floor(perSecond / processors));
}

/** WhatsApp's recipients of the last 24 h, read from the ledger at most every 30 s (shared by every processor). */
function recentWhatsAppRecipients(store: Pick<NotifyStore, 'recipientsSince'>, now: () => number): () => Promise<{ count: number; has: (username: string) => boolean }> {
  let cached: { at: number; names: Set<string> } | undefined;
  return async () => {
    if (!cached || now() - cached.at > 30_000) cached = { at: now(), names: new Set(await store.recipientsSince('whatsapp', now() - DAY_MS)) };
    const names = cached.names;
    return { count: names.size, has: (username) => names.has(username) };
  };
}

export function notifyChannels(config: NotifyConfig, now: () => number, sleep: (ms: number) => Promise<void>, store: Pick<NotifyStore, 'recipientsSince'>): Channel[] {
  const channels: Channel[] = [];
  const limit = (perSecond: number) => createRateLimit(shareOf(perSecond, config.NOTIFY_PROCESSORS), now, sleep);
  const bot = telegramBot(config);
  if (bot) channels.push(rateLimited(telegramChannel(bot), limit(TELEGRAM_MESSAGES_PER_SECOND)));
  const on = channelsOn(config);
  if (on.whatsapp) {
    const whatsapp = whatsAppChannel({
      base: config.WHATSAPP_API_BASE, version: config.WHATSAPP_API_VERSION, phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID!, accessToken: config.WHATSAPP_ACCESS_TOKEN!,
      templateName: config.WHATSAPP_TEMPLATE_NAME, templateLanguages: config.WHATSAPP_TEMPLATE_LANGUAGES,
    });
    channels.push(rateLimited(withinDailyRecipients(whatsapp, config.WHATSAPP_DAILY_RECIPIENTS, recentWhatsAppRecipients(store, now)), limit(WHATSAPP_MESSAGES_PER_SECOND)));
  }
  if (on.email) {
    const email = emailChannel({ smtpUrl: config.SMTP_URL!, from: config.NOTIFY_EMAIL_FROM!, publicUrl: config.BOARD_PUBLIC_URL!, linkSecret: config.NOTIFY_LINK_SECRET!, linkTtlMs: config.NOTIFY_LINK_TTL_HOURS * HOUR_MS, now });
    channels.push(rateLimited(email, limit(EMAIL_MESSAGES_PER_SECOND)));
  }
  return channels;
}

/** The config's defaults, for callers that hand over only part of a config (tests). */
export const NOTIFY_DEFAULTS: Pick<NotifyConfig, 'TELEGRAM_API_BASE' | 'WHATSAPP_API_BASE' | 'WHATSAPP_API_VERSION' | 'WHATSAPP_TEMPLATE_NAME' | 'WHATSAPP_TEMPLATE_LANGUAGES' | 'NOTIFY_LINK_TTL_HOURS' | 'NOTIFY_DIGEST_HOUR' | 'NOTIFY_DIGEST_CAP' | 'NOTIFY_TICK_MS' | 'NOTIFY_PROCESSORS' | 'WHATSAPP_DAILY_RECIPIENTS'> = {
  TELEGRAM_API_BASE: 'https://api.telegram.org',
  WHATSAPP_API_BASE: 'https://graph.facebook.com',
  WHATSAPP_API_VERSION: 'v21.0',
  WHATSAPP_TEMPLATE_NAME: 'grouppulse_alert',
  WHATSAPP_TEMPLATE_LANGUAGES: { en: 'en', hi: 'hi' },
  NOTIFY_LINK_TTL_HOURS: 48,
  NOTIFY_DIGEST_HOUR: 8,
  NOTIFY_DIGEST_CAP: 20,
  NOTIFY_PROCESSORS: 1,
  WHATSAPP_DAILY_RECIPIENTS: 1000,
  NOTIFY_TICK_MS: 60_000,
};
