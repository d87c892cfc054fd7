/**
 * What the bot itself receives at the Telegram webhook (POST /v1/webhooks/telegram, secret token
 * already checked): `/start <code>` in a private chat links that chat to the code's user (codes are
 * single-use: the first chat to claim one gets it, and they expire), and a `callback_query` with
 * `ack:<alert id>` from the Acknowledge button acknowledges the alert as the chat's user — when the
 * alert is theirs (in their scope, or addressed to them) — and is answered with answerCallbackQuery.
 * Everything else is not the bot's: the group-activity mapping (ingest/webhooks/telegram-map.ts) handles it.
 */
import { z } from 'zod';
import type { AlertMessage } from '../../common/contracts/alerts.ts';
import type { Logger } from '../../common/logger.ts';
import type { UsersRepository } from '../../access/users-repository.ts';
import type { AlertRepository } from '../repository.ts';
import type { NotifyCounter } from './notifier.ts';
import type { NotifyStore } from './store.ts';
import type { BotApi } from './telegram.ts';
import { createAcknowledgeAs } from './acknowledge.ts';
import { ackIdOf, BOT_TEXTS, botText } from './texts.ts';

export interface BotUpdatesOptions {
  store: NotifyStore;
  bot: BotApi;
  alerts: AlertRepository;
  users: UsersRepository;
  /** Put the acknowledgement on the alerts topic (the board and every api instance see it). */
  publish: (messages: AlertMessage[]) => Promise<void>;
  now: () => number;
  counter: NotifyCounter;
  logger: Logger;
}

const chatId = z.number().int().safe();
const startSchema = z.object({
  message: z.object({ chat: z.object({ id: chatId, type: z.literal('private') }).passthrough(), text: z.string().max(4096) }).passthrough(),
});
const callbackSchema = z.object({
  callback_query: z
    .object({ id: z.string().min(1).max(256), from: z.object({ id: chatId }).passthrough(), message: z.object({ chat: z.object({ id: chatId }).passthrough() }).passthrough().optional(), data: z.string().max(64).optional() })
    .passthrough(),
});

/** Handles the update when it is the bot's; false when it is not (then it is group activity or ignored). */
export type BotUpdateHandler = (update: unknown) => Promise<boolean>;

export function createBotUpdateHandler(options: BotUpdatesOptions): BotUpdateHandler {
  const log = options.logger.child({ component: 'alerts-notify-bot' });
  const acknowledgeAs = createAcknowledgeAs(options);

  async function reply(chat: number, text: string): Promise<void> {
    const answer = await options.bot.sendMessage(chat, text, []);
    if (!answer.ok) log.warn({ error: answer.description }, 'could not answer in a private chat');
  }

  async function start(chat: number, text: string): Promise<void> {
    const code = /^\/start(?:@\w+)?\s+([A-Za-z0-9_-]{1,64})\s*$/.exec(text)?.[1];
    const now = options.now();
    const username = code ? await options.store.codeUser(code, now) : undefined;
    // The chat id owns the claim: the same chat sending the same code again (a retried update) still links.
    if (!username || !(await options.store.claim(`link\u0000${code}`, String(chat), now))) {
      await reply(chat, `${BOT_TEXTS.en.badCode}\n${BOT_TEXTS.hi.badCode}`);
      options.counter.inc({ channel: 'telegram', outcome: 'link_refused' });
      return;
    }
    await options.store.linkTelegram(username, chat, now);
    options.counter.inc({ channel: 'telegram', outcome: 'linked' });
    log.info({ user: username }, 'telegram chat linked');
    await reply(chat, botText(await options.store.language(username), 'linked', { user: username }));
  }

  async function acknowledge(query: z.infer<typeof callbackSchema>['callback_query']): Promise<void> {
    const chat = query.message?.chat.id ?? query.from.id;
    const username = await options.store.userOfChat(chat);
    const language = username ? await options.store.language(username) : 'en';
    const outcome = await acknowledgeAs(username, ackIdOf(query.data ?? ''), 'telegram');
    const answer = await options.bot.answerCallbackQuery(query.id, botText(language, outcome));
    if (!answer.ok) log.warn({ error: answer.description }, 'could not answer a callback query');
  }

  return async function handleBotUpdate(update) {
    const callback = callbackSchema.safeParse(update);
    if (callback.success) {
      await acknowledge(callback.data.callback_query);
      return true;
    }
    const message = startSchema.safeParse(update);
    if (message.success && message.data.message.text.startsWith('/start')) {
      await start(message.data.message.chat.id, message.data.message.text);
      return true;
    }
    return false;
  };
}
