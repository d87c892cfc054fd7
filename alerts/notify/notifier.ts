/**
 * Personal notifications of alerts, first channel Telegram. For each alert change on the alerts topic
 * that concerns people (fired: the leads of its units; escalated: the leads one level up) and each such
 * user with a linked chat, one `sendMessage` in the user's language with an Acknowledge button.
 *
 * No duplicates: before sending, the (alert, user, channel) delivery is claimed in ClickHouse
 * (store.ts#claim: the first insert of the key wins, later ones — another process, this one after a
 * restart, a redelivered bus record — are dropped by the engine's insert deduplication). Only the claim's
 * owner sends. The window that remains: a process that dies after its claim and before Telegram's answer
 * leaves that delivery claimed and never retried (at most once: the alert is still on the board and in
 * the webhooks); the ledger then shows no `sent` row for it.
 *
 * Every attempt goes to the ledger (notify_deliveries): sent, failed (retried with doubling backoff; on
 * HTTP 429 after `parameters.retry_after` seconds) or gave_up after the policy's attempts.
 */
import { randomUUID } from 'node:crypto';
import type { AlertMessage } from '../../common/contracts/alerts.ts';
import type { Logger } from '../../common/logger.ts';
import type { BotApi } from './telegram.ts';
import type { LedgerEntry, NotifyStore } from './store.ts';
import { ackData, alertText, botText } from './texts.ts';

export interface NotifyPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface NotifyCounter {
  inc(labels: { channel: string; outcome: string }): void;
}

export interface NotifierOptions {
  store: NotifyStore;
  bot: BotApi;
  policy: NotifyPolicy;
  /** Waits before each send so the bot stays within Telegram's limit (telegram.ts#createRateLimit). */
  rateLimit: () => Promise<void>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  counter: NotifyCounter;
  logger: Logger;
  /** This process's name in claims (default: a random id per notifier). */
  owner?: string;
}

export interface Notifier {
  notify(message: AlertMessage): Promise<void>;
}

export function recipientsOf(message: AlertMessage): string[] {
  if (message.kind !== 'alert') return [];
  if (message.change === 'fired') return [...new Set(message.alert.recipients)];
  if (message.change === 'escalated') return [...new Set(message.alert.escalatedTo)];
  return [];
}

export function claimKey(alertId: string, username: string, channel: string): string {
  return `delivery\u0000${alertId}\u0000${username}\u0000${channel}`;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const log = options.logger.child({ component: 'alerts-notify' });
  const owner = options.owner ?? randomUUID();
  const channel = 'telegram' as const;

  async function sendTo(message: Extract<AlertMessage, { kind: 'alert' }>, username: string): Promise<void> {
    const alert = message.alert;
    const chatId = await options.store.telegramChat(username);
    if (chatId === undefined) return;
    if (!(await options.store.claim(claimKey(alert.id, username, channel), owner, options.now()))) {
      options.counter.inc({ channel, outcome: 'duplicate' });
      return;
    }
    const language = await options.store.language(username);
    const change = message.change === 'escalated' ? 'escalated' : 'fired';
    const text = alertText(language, alert, change);
    const keyboard = [[{ text: botText(language, 'acknowledge'), callback_data: ackData(alert.id) }]];
    for (let attempt = 1; attempt <= options.policy.maxAttempts; attempt++) {
      await options.rateLimit();
      const answer = await options.bot.sendMessage(chatId, text, keyboard);
      const last = attempt === options.policy.maxAttempts;
      const entry: LedgerEntry = answer.ok
        ? { alertId: alert.id, username, channel, providerMessageId: String(answer.result.message_id), status: 'sent', error: '', attempt, at: options.now() }
        : { alertId: alert.id, username, channel, providerMessageId: '', status: last ? 'gave_up' : 'failed', error: answer.description, attempt, at: options.now() };
      await options.store.record([entry]).catch((error: unknown) => log.warn({ err: error, alert: alert.id }, 'could not record a notification attempt'));
      options.counter.inc({ channel, outcome: entry.status });
      if (answer.ok) return;
      if (last) {
        log.warn({ alert: alert.id, user: username, attempts: attempt, error: answer.description }, 'telegram notification gave up');
        return;
      }
      const wait = answer.retryAfterSeconds !== undefined ? answer.retryAfterSeconds * 1000 : Math.min(options.policy.maxBackoffMs, options.policy.backoffMs * 2 ** (attempt - 1));
      await options.sleep(wait);
    }
  }

  return {
    async notify(message) {
      if (message.kind !== 'alert') return;
      for (const username of recipientsOf(message)) await sendTo(message, username);
    },
  };
}
