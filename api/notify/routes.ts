/**
 * A user's personal notifications (docs/openapi.yaml, alerts/notify/): their language and their Telegram
 * chat. POST /api/v1/me/telegram/link gives a one-time code and the bot's deep link; the user opens it and
 * presses Start, and the bot's webhook links the chat (alerts/notify/bot-updates.ts). An admin may ask for a
 * code for someone else (`{"username": …}`): the code links that user's chat. Chat ids are never answered.
 */
import { randomBytes } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { RequireUser } from '../access/require-user.ts';
import { userLocals } from '../access/require-user.ts';
import type { UsersRepository } from '../../access/users-repository.ts';
import { NOTIFY_LANGUAGES, type NotifyStore } from '../../alerts/notify/store.ts';
import { MINUTE_MS } from '../../common/time.ts';
import { answerError, answerInvalid } from '../errors.ts';

export const LINK_CODE_TTL_MS = 15 * MINUTE_MS;

export interface NotifyRouterDeps {
  store: NotifyStore;
  users: UsersRepository;
  requireUser: RequireUser;
  /** TELEGRAM_BOT_USERNAME; undefined = the Telegram channel is not set up. */
  botUsername: string | undefined;
  /** Whether this deployment sends Telegram messages (TELEGRAM_BOT_TOKEN set). */
  telegramOn: boolean;
  now: () => number;
}

const linkSchema = z.object({ username: z.string().trim().min(1).max(200).optional() }).strict();
const prefsSchema = z.object({ language: z.enum(NOTIFY_LANGUAGES, { errorMap: () => ({ message: `language must be one of ${NOTIFY_LANGUAGES.join(', ')}` }) }) }).strict();

export function createNotifyRouter(deps: NotifyRouterDeps): Router {
  const router = express.Router();
  const people = deps.requireUser('admin', 'monitor', 'lead', 'analyst');

  router.get('/api/v1/me/notify', people, async function readPrefs(_req, res) {
    const { user } = userLocals(res);
    const [language, chat] = await Promise.all([deps.store.language(user.username), deps.store.telegramChat(user.username)]);
    res.json({ language, telegram: { available: deps.telegramOn && deps.botUsername !== undefined, linked: chat !== undefined } });
  });

  router.put('/api/v1/me/notify', people, express.json({ limit: '4kb' }), async function writePrefs(req, res) {
    const parsed = prefsSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      answerInvalid(res, parsed.error);
      return;
    }
    const { user } = userLocals(res);
    await deps.store.setLanguage(user.username, parsed.data.language);
    const chat = await deps.store.telegramChat(user.username);
    res.json({ language: parsed.data.language, telegram: { available: deps.telegramOn && deps.botUsername !== undefined, linked: chat !== undefined } });
  });

  router.post('/api/v1/me/telegram/link', people, express.json({ limit: '4kb' }), async function linkCode(req, res) {
    const parsed = linkSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      answerInvalid(res, parsed.error);
      return;
    }
    if (!deps.telegramOn || !deps.botUsername) {
      answerError(res, 503, 'unavailable', 'Telegram notifications are not set up: set TELEGRAM_BOT_TOKEN and TELEGRAM_BOT_USERNAME');
      return;
    }
    const { user } = userLocals(res);
    let username = user.username;
    if (parsed.data.username && parsed.data.username !== user.username) {
      if (!user.roles.includes('admin')) {
        answerError(res, 403, 'forbidden', 'only an admin may ask for a link code for someone else');
        return;
      }
      const other = await deps.users.get(parsed.data.username);
      if (!other || other.disabled) {
        answerError(res, 404, 'not-found', `no active user "${parsed.data.username}"`);
        return;
      }
      username = other.username;
    }
    const now = deps.now();
    const code = randomBytes(16).toString('base64url');
    const expiresAt = now + LINK_CODE_TTL_MS;
    await deps.store.addLinkCode(code, username, now, expiresAt);
    res.status(201).json({ code, deepLink: `https://t.me/${deps.botUsername}?start=${code}`, expiresAt: new Date(expiresAt).toISOString(), username });
  });

  return router;
}
