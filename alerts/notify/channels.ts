/**
 * One interface for every notification channel: the notifier (notifier.ts) loops over a user's channels
 * in their order and calls `send` with the user's address on that channel; each channel speaks its
 * provider's protocol (telegram.ts, whatsapp.ts, email.ts) and words the notice in the user's language.
 */
import type { Alert, ComplianceDigest } from '../../common/contracts/alerts.ts';
import type { NotifyChannel, NotifyLanguage } from './prefs.ts';
import type { BotApi } from './telegram.ts';
import { ackData, alertText, botText, complianceLines, digestLines, type AlertChange, type UnitNames } from './texts.ts';

/**
 * What to tell: one alert (with an acknowledge button or link), the day's digest of several, or a unit's daily
 * compliance. `units`: the names of the units the alerts name, by id (the directory's; an id it lacks is shown).
 */
export type Notice =
  | { kind: 'alert'; alert: Alert; change: AlertChange; units?: UnitNames }
  | { kind: 'digest'; alerts: Alert[]; day: string; cap: number; units?: UnitNames }
  | { kind: 'compliance'; id: string; compliance: ComplianceDigest };

export interface Recipient {
  username: string;
  /** The chat id, E.164 number or email address: never logged. */
  address: string;
  language: NotifyLanguage;
  /** Their IANA time zone, for the times in the message (UTC when not given). */
  timeZone?: string;
}

/** `final`: trying again now cannot help (a limit reached): the notifier gives up on the channel at once. */
export type SendResult = { ok: true; providerMessageId: string } | { ok: false; error: string; retryAfterSeconds?: number; final?: boolean };

export interface Channel {
  name: NotifyChannel;
  send(to: Recipient, notice: Notice): Promise<SendResult>;
}

/** The same channel, each send waiting its turn under the provider's rate limit first. */
export function rateLimited(channel: Channel, wait: () => Promise<void>): Channel {
  return {
    name: channel.name,
    async send(to, notice) {
      await wait();
      return channel.send(to, notice);
    },
  };
}

/**
 * WhatsApp's messaging limit: a business number may start conversations with so many different people in
 * a rolling 24 hours (Meta's tiers: 1,000, then 10,000, 100,000). Someone already written to in the window
 * costs nothing more; a new person past the limit is refused here (and the user's next channel takes over
 * when they use the first channel only) instead of by Meta.
 */
export function withinDailyRecipients(channel: Channel, limit: number, recentRecipients: () => Promise<{ count: number; has: (username: string) => boolean }>): Channel {
  return {
    name: channel.name,
    async send(to, notice) {
      const recent = await recentRecipients();
      if (recent.count >= limit && !recent.has(to.username)) {
        return { ok: false, final: true, error: `messaging limit reached: ${recent.count} people written to in 24 h (WHATSAPP_DAILY_RECIPIENTS ${limit})` };
      }
      return channel.send(to, notice);
    },
  };
}

/** The text of a notice, as Telegram and the email's plain part carry it. */
export function noticeText(language: NotifyLanguage, notice: Notice, timeZone?: string): string {
  if (notice.kind === 'alert') return alertText(language, notice.alert, notice.change, timeZone, notice.units);
  return (notice.kind === 'digest' ? digestLines(language, notice.alerts, notice.cap, notice.units) : complianceLines(language, notice.compliance)).join('\n');
}

/** Telegram: sendMessage to the linked chat, with an inline Acknowledge button for one alert. */
export function telegramChannel(bot: BotApi): Channel {
  return {
    name: 'telegram',
    async send(to, notice) {
      const keyboard = notice.kind === 'alert' ? [[{ text: botText(to.language, 'acknowledge'), callback_data: ackData(notice.alert.id) }]] : [];
      const answer = await bot.sendMessage(Number(to.address), noticeText(to.language, notice, to.timeZone), keyboard);
      return answer.ok ? { ok: true, providerMessageId: String(answer.result.message_id) } : { ok: false, error: answer.description, retryAfterSeconds: answer.retryAfterSeconds };
    },
  };
}
