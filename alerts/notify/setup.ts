/** The Telegram channel from the config: off (undefined) unless TELEGRAM_BOT_TOKEN is set. */
import type { Config } from '../../common/config.ts';
import { createBotApi, type BotApi } from './telegram.ts';

export type NotifyConfig = Pick<Config, 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_BOT_USERNAME' | 'TELEGRAM_API_BASE'>;

export function telegramBot(config: NotifyConfig): BotApi | undefined {
  return config.TELEGRAM_BOT_TOKEN ? createBotApi({ base: config.TELEGRAM_API_BASE, token: config.TELEGRAM_BOT_TOKEN }) : undefined;
}

/** Telegram allows a bot about 30 messages a second. */
export const TELEGRAM_MESSAGES_PER_SECOND = 30;
