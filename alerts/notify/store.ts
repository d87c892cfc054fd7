/**
 * Personal notifications in ClickHouse (migration 0150): users' Telegram chats and languages, one-time
 * link codes, claims and the delivery ledger. Chat ids are personal data: they stay in the store and
 * never go to logs or API answers.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { createVersionClock } from '../../common/store/row-version.ts';

export const NOTIFY_LANGUAGES = ['en', 'hi'] as const;
export type NotifyLanguage = (typeof NOTIFY_LANGUAGES)[number];
export const NOTIFY_CHANNELS = ['telegram'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];
export type DeliveryStatus = 'sent' | 'failed' | 'gave_up';

export interface LedgerEntry {
  alertId: string;
  username: string;
  channel: NotifyChannel;
  providerMessageId: string;
  status: DeliveryStatus;
  error: string;
  attempt: number;
  at: number;
}

export interface NotifyStore {
  language(username: string): Promise<NotifyLanguage>;
  setLanguage(username: string, language: NotifyLanguage): Promise<void>;
  /** The user's linked chat, if any. */
  telegramChat(username: string): Promise<number | undefined>;
  /** The user a chat is linked to (the newest link of that chat). */
  userOfChat(chatId: number): Promise<string | undefined>;
  linkTelegram(username: string, chatId: number, at: number): Promise<void>;
  addLinkCode(code: string, username: string, at: number, expiresAt: number): Promise<void>;
  /** The user of an unexpired code; undefined when unknown or expired. */
  codeUser(code: string, now: number): Promise<string | undefined>;
  /**
   * Claim `key` for `owner`: true when this owner holds it (its insert was the first, or it holds it
   * already). The first insert of a key wins: later ones are dropped by ClickHouse's insert deduplication.
   */
  claim(key: string, owner: string, at: number): Promise<boolean>;
  record(entries: LedgerEntry[]): Promise<void>;
  ledger(alertId: string): Promise<LedgerEntry[]>;
}

export function createNotifyStore(client: ClickHouseClient): NotifyStore {
  const nextVersion = createVersionClock();
  async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  return {
    async language(username) {
      const [row] = await rows<{ language: string }>('SELECT language FROM notify_prefs FINAL WHERE username = {username:String}', { username });
      return row?.language === 'hi' ? 'hi' : 'en';
    },
    async setLanguage(username, language) {
      await client.insert({ table: 'notify_prefs', values: [{ username, language, version: nextVersion() }], format: 'JSONEachRow' });
    },
    async telegramChat(username) {
      const [row] = await rows<{ chat_id: string }>('SELECT toString(chat_id) AS chat_id FROM notify_telegram_links FINAL WHERE username = {username:String} AND unlinked = 0', { username });
      return row ? Number(row.chat_id) : undefined;
    },
    async userOfChat(chatId) {
      const [row] = await rows<{ username: string }>(
        'SELECT username FROM notify_telegram_links FINAL WHERE chat_id = {chatId:Int64} AND unlinked = 0 ORDER BY version DESC LIMIT 1',
        { chatId },
      );
      return row?.username;
    },
    async linkTelegram(username, chatId, at) {
      await client.insert({ table: 'notify_telegram_links', values: [{ username, chat_id: chatId, linked_at: at, unlinked: 0, version: nextVersion() }], format: 'JSONEachRow' });
    },
    async addLinkCode(code, username, at, expiresAt) {
      await client.insert({ table: 'notify_link_codes', values: [{ code, username, created_at: at, expires_at: expiresAt }], format: 'JSONEachRow' });
    },
    async codeUser(code, now) {
      const [row] = await rows<{ username: string }>(
        'SELECT username FROM notify_link_codes WHERE code = {code:String} AND expires_at > fromUnixTimestamp64Milli({now:Int64}) LIMIT 1',
        { code, now },
      );
      return row?.username;
    },
    async claim(key, owner, at) {
      const held = async () => (await rows<{ owner: string }>('SELECT owner FROM notify_claims WHERE claim_key = {key:String} ORDER BY claimed_at, owner LIMIT 1', { key }))[0]?.owner;
      const before = await held();
      if (before !== undefined) return before === owner;
      await client.insert({
        table: 'notify_claims',
        values: [{ claim_key: key, owner, claimed_at: at }],
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplicate: 1, insert_deduplication_token: key },
      });
      return (await held()) === owner;
    },
    async record(entries) {
      if (entries.length === 0) return;
      await client.insert({
        table: 'notify_deliveries',
        values: entries.map((e) => ({ alert_id: e.alertId, username: e.username, channel: e.channel, provider_message_id: e.providerMessageId, status: e.status, error: e.error, attempt: e.attempt, at: e.at })),
        format: 'JSONEachRow',
      });
    },
    async ledger(alertId) {
      const found = await rows<{ alert_id: string; username: string; channel: NotifyChannel; provider_message_id: string; status: DeliveryStatus; error: string; attempt: number; at: string }>(
        `SELECT alert_id, username, channel, provider_message_id, status, error, attempt, toUnixTimestamp64Milli(at) AS at
         FROM notify_deliveries WHERE alert_id = {alertId:String} ORDER BY at, attempt`,
        { alertId },
      );
      return found.map((r) => ({ alertId: r.alert_id, username: r.username, channel: r.channel, providerMessageId: r.provider_message_id, status: r.status, error: r.error, attempt: Number(r.attempt), at: Number(r.at) }));
    },
  };
}
