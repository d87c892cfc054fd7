/**
 * Personal notifications in ClickHouse (migrations 0150, 0160): users' Telegram chats, preferences and
 * contacts (encrypted: contacts-crypto.ts), one-time link codes, claims, deliveries waiting (quiet hours,
 * digests) and the delivery ledger. Chat ids, numbers and addresses are personal data: they stay in the
 * store and never go to logs; answers show them masked.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { createVersionClock } from '../../common/store/row-version.ts';
import type { ContactsCipher } from './contacts-crypto.ts';
import { completeOrder, DEFAULT_PREFS, NOTIFY_CHANNELS, RULE_MODES, type NotifyChannel, type NotifyLanguage, type NotifyPrefs, type RuleMode } from './prefs.ts';

export { NOTIFY_CHANNELS, NOTIFY_LANGUAGES, type NotifyChannel, type NotifyLanguage } from './prefs.ts';
import type { DeliveryStatus, DeliverySummary, FailedDelivery } from '../../common/contracts/notify.ts';

export { DELIVERY_STATUSES, type DeliveryStatus, type DeliverySummary, type FailedDelivery } from '../../common/contracts/notify.ts';

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

export interface Contacts {
  whatsapp?: string;
  email?: string;
}

export type PendingKind = 'held' | 'digest';

export interface Pending {
  kind: PendingKind;
  username: string;
  alertId: string;
  change: 'fired' | 'escalated';
  dueAt: number;
}


export interface NotifyStore {
  language(username: string): Promise<NotifyLanguage>;
  setLanguage(username: string, language: NotifyLanguage): Promise<void>;
  prefs(username: string): Promise<NotifyPrefs>;
  setPrefs(username: string, prefs: NotifyPrefs): Promise<void>;
  /** The user's contacts, decrypted (empty without a cipher). */
  contacts(username: string): Promise<Contacts>;
  /** Needs the cipher (NOTIFY_CONTACTS_KEY). */
  setContacts(username: string, contacts: Contacts): Promise<void>;
  /** The user whose WhatsApp number this is (E.164). */
  userOfWhatsApp(number: string): Promise<string | undefined>;
  /** Whether contacts can be kept here (a cipher is set). */
  readonly contactsOn: boolean;
  /** The user's linked chat, if any. */
  telegramChat(username: string): Promise<number | undefined>;
  /** The user a chat is linked to (the newest link of that chat). */
  userOfChat(chatId: number): Promise<string | undefined>;
  linkTelegram(username: string, chatId: number, at: number): Promise<void>;
  unlinkTelegram(username: string, at: number): Promise<void>;
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
  /** The delivery a provider's message id belongs to (WhatsApp statuses name only the message). */
  deliveryOf(channel: NotifyChannel, providerMessageId: string): Promise<{ alertId: string; username: string } | undefined>;
  /** Latest failed and gave_up rows, newest first. */
  failures(limit: number): Promise<FailedDelivery[]>;
  /** The users a channel sent to since `since` (epoch ms), each once. */
  recipientsSince(channel: NotifyChannel, since: number): Promise<string[]>;
  deliverySummaries(alertIds: string[]): Promise<Map<string, DeliverySummary>>;
  addPending(items: Pending[]): Promise<void>;
  /** Pending items of a kind due at `now`, not done. */
  duePending(kind: PendingKind, now: number): Promise<Pending[]>;
  donePending(items: Pending[]): Promise<void>;
}

interface PrefsRow {
  language: string;
  time_zone: string;
  quiet_hours: string;
  rule_modes: string;
  channel_order: string;
  use_channels: string;
}

function prefsOf(row: PrefsRow | undefined): NotifyPrefs {
  if (!row) return { ...DEFAULT_PREFS, order: [...DEFAULT_PREFS.order] };
  const [from, to] = row.quiet_hours.split('-');
  let modes: Record<string, RuleMode> = {};
  try {
    const parsed = JSON.parse(row.rule_modes || '{}') as Record<string, unknown>;
    modes = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, RuleMode] => (RULE_MODES as readonly unknown[]).includes(e[1])));
  } catch {
    modes = {};
  }
  const order = row.channel_order.split(',').filter((c): c is NotifyChannel => (NOTIFY_CHANNELS as readonly string[]).includes(c));
  return {
    language: row.language === 'hi' ? 'hi' : 'en',
    timeZone: row.time_zone || DEFAULT_PREFS.timeZone,
    quietHours: from && to ? { from, to } : null,
    ruleModes: modes,
    order: completeOrder(order),
    useChannels: row.use_channels === 'first' ? 'first' : 'all',
  };
}

/** Per (user, channel) the newest status decides; see DeliverySummary. */
export function summarise(entries: readonly LedgerEntry[], ack: DeliverySummary['acknowledged']): DeliverySummary {
  const users = (statuses: DeliveryStatus[]) => new Set(entries.filter((e) => statuses.includes(e.status)).map((e) => e.username)).size;
  const latest = new Map<string, LedgerEntry>();
  for (const e of [...entries].sort((a, b) => a.at - b.at)) latest.set(`${e.username}\u0000${e.channel}`, e);
  const byUser = new Map<string, DeliveryStatus[]>();
  for (const e of latest.values()) byUser.set(e.username, [...(byUser.get(e.username) ?? []), e.status]);
  const failed = [...byUser.values()].filter((statuses) => statuses.every((s) => s === 'failed' || s === 'gave_up')).length;
  return { sentTo: users(['sent']), deliveredTo: users(['delivered', 'read']), readBy: users(['read']), failed, acknowledged: ack };
}

const LEDGER_COLUMNS = 'alert_id, username, channel, provider_message_id, status, error, attempt, toUnixTimestamp64Milli(at) AS at';
interface LedgerRow {
  alert_id: string;
  username: string;
  channel: NotifyChannel;
  provider_message_id: string;
  status: DeliveryStatus;
  error: string;
  attempt: number;
  at: string;
}
const entryOf = (r: LedgerRow): LedgerEntry => ({ alertId: r.alert_id, username: r.username, channel: r.channel, providerMessageId: r.provider_message_id, status: r.status, error: r.error, attempt: Number(r.attempt), at: Number(r.at) });

export function createNotifyStore(client: ClickHouseClient, options: { cipher?: ContactsCipher } = {}): NotifyStore {
  const nextVersion = createVersionClock();
  const cipher = options.cipher;
  async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }
  const insert = (table: string, values: Record<string, unknown>[]) => client.insert({ table, values, format: 'JSONEachRow' });
  async function contactRow(username: string) {
    const [row] = await rows<{ whatsapp: string; email: string }>('SELECT whatsapp, email FROM notify_contacts FINAL WHERE username = {username:String}', { username });
    return row;
  }

  const store: NotifyStore = {
    contactsOn: cipher !== undefined,
    async language(username) {
      return (await store.prefs(username)).language;
    },
    async setLanguage(username, language) {
      await store.setPrefs(username, { ...(await store.prefs(username)), language });
    },
    async prefs(username) {
      const [row] = await rows<PrefsRow>('SELECT language, time_zone, quiet_hours, rule_modes, channel_order, use_channels FROM notify_prefs FINAL WHERE username = {username:String}', { username });
      return prefsOf(row);
    },
    async setPrefs(username, prefs) {
      await insert('notify_prefs', [{
        username, language: prefs.language, time_zone: prefs.timeZone, quiet_hours: prefs.quietHours ? `${prefs.quietHours.from}-${prefs.quietHours.to}` : '',
        rule_modes: JSON.stringify(prefs.ruleModes), channel_order: completeOrder(prefs.order).join(','), use_channels: prefs.useChannels, version: nextVersion(),
      }]);
    },
    async contacts(username) {
      const row = cipher ? await contactRow(username) : undefined;
      if (!row || !cipher) return {};
      const whatsapp = row.whatsapp ? cipher.decrypt(row.whatsapp) : undefined;
      const email = row.email ? cipher.decrypt(row.email) : undefined;
      return { ...(whatsapp ? { whatsapp } : {}), ...(email ? { email } : {}) };
    },
    async setContacts(username, contacts) {
      if (!cipher) throw new Error('contacts need NOTIFY_CONTACTS_KEY');
      await insert('notify_contacts', [{
        username,
        whatsapp: contacts.whatsapp ? cipher.encrypt(contacts.whatsapp) : '',
        whatsapp_digest: contacts.whatsapp ? cipher.digest(contacts.whatsapp) : '',
        email: contacts.email ? cipher.encrypt(contacts.email) : '',
        version: nextVersion(),
      }]);
    },
    async userOfWhatsApp(number) {
      if (!cipher) return undefined;
      const [row] = await rows<{ username: string }>(
        'SELECT username FROM notify_contacts FINAL WHERE whatsapp_digest = {digest:String} ORDER BY version DESC LIMIT 1',
        { digest: cipher.digest(number) },
      );
      return row?.username;
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
      await insert('notify_telegram_links', [{ username, chat_id: chatId, linked_at: at, unlinked: 0, version: nextVersion() }]);
    },
    async unlinkTelegram(username, at) {
      await insert('notify_telegram_links', [{ username, chat_id: 0, linked_at: at, unlinked: 1, version: nextVersion() }]);
    },
    async addLinkCode(code, username, at, expiresAt) {
      await insert('notify_link_codes', [{ code, username, created_at: at, expires_at: expiresAt }]);
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
      await insert('notify_deliveries', entries.map((e) => ({ alert_id: e.alertId, username: e.username, channel: e.channel, provider_message_id: e.providerMessageId, status: e.status, error: e.error, attempt: e.attempt, at: e.at })));
    },
    async ledger(alertId) {
      return (await rows<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM notify_deliveries WHERE alert_id = {alertId:String} ORDER BY at, attempt`, { alertId })).map(entryOf);
    },
    async deliveryOf(channel, providerMessageId) {
      if (providerMessageId === '') return undefined;
      const [row] = await rows<{ alert_id: string; username: string }>(
        "SELECT alert_id, username FROM notify_deliveries WHERE channel = {channel:String} AND provider_message_id = {id:String} AND status = 'sent' LIMIT 1",
        { channel, id: providerMessageId },
      );
      return row ? { alertId: row.alert_id, username: row.username } : undefined;
    },
    async recipientsSince(channel, since) {
      const found = await rows<{ username: string }>(
        "SELECT DISTINCT username FROM notify_deliveries WHERE channel = {channel:String} AND status = 'sent' AND at >= fromUnixTimestamp64Milli({since:Int64})",
        { channel, since },
      );
      return found.map((r) => r.username);
    },
    async failures(limit) {
      const found = await rows<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM notify_deliveries WHERE status IN ('failed', 'gave_up') ORDER BY at DESC LIMIT {limit:UInt32}`, { limit });
      return found.map(entryOf).map((e) => ({ alertId: e.alertId, username: e.username, channel: e.channel, status: e.status as 'failed' | 'gave_up', error: e.error, at: e.at }));
    },
    async deliverySummaries(alertIds) {
      const summaries = new Map<string, DeliverySummary>();
      if (alertIds.length === 0) return summaries;
      const [entries, acks] = await Promise.all([
        rows<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM notify_deliveries WHERE alert_id IN {ids:Array(String)}`, { ids: alertIds }),
        rows<{ alert_id: string; by: string; via: string; at: string }>(
          `SELECT alert_id, argMin(acknowledged_by, acknowledged_at) AS by, argMin(via, acknowledged_at) AS via, toUnixTimestamp64Milli(min(acknowledged_at)) AS at
           FROM alert_acks WHERE alert_id IN {ids:Array(String)} GROUP BY alert_id`,
          { ids: alertIds },
        ),
      ]);
      const ackOf = new Map(acks.map((a) => [a.alert_id, { by: a.by, via: a.via, at: Number(a.at) }]));
      const byAlert = new Map<string, LedgerEntry[]>();
      for (const e of entries.map(entryOf)) byAlert.set(e.alertId, [...(byAlert.get(e.alertId) ?? []), e]);
      for (const id of alertIds) summaries.set(id, summarise(byAlert.get(id) ?? [], ackOf.get(id) ?? null));
      return summaries;
    },
    async addPending(items) {
      if (items.length === 0) return;
      await insert('notify_pending', items.map((p) => ({ kind: p.kind, username: p.username, alert_id: p.alertId, change: p.change, due_at: p.dueAt, done: 0, version: nextVersion() })));
    },
    async duePending(kind, now) {
      // The alias must not be `due_at`: ClickHouse would read it in WHERE too.
      const found = await rows<{ username: string; alert_id: string; change: 'fired' | 'escalated'; due_ms: string }>(
        `SELECT username, alert_id, change, toUnixTimestamp64Milli(due_at) AS due_ms FROM notify_pending FINAL
         WHERE kind = {kind:String} AND done = 0 AND due_at <= fromUnixTimestamp64Milli({now:Int64}) ORDER BY username, due_at, alert_id`,
        { kind, now },
      );
      return found.map((r) => ({ kind, username: r.username, alertId: r.alert_id, change: r.change, dueAt: Number(r.due_ms) }));
    },
    async donePending(items) {
      if (items.length === 0) return;
      await insert('notify_pending', items.map((p) => ({ kind: p.kind, username: p.username, alert_id: p.alertId, change: p.change, due_at: p.dueAt, done: 1, version: nextVersion() })));
    },
  };
  return store;
}
