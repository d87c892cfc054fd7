/**
 * A user's personal notifications (docs/openapi.yaml, alerts/notify/): language, time zone, quiet hours,
 * digest or immediate per rule, the order of channels and their contacts — their own (/api/v1/me/notify)
 * or, for an admin, anyone's (/api/v1/users/{username}/notify) — the Telegram link (a one-time code and
 * the bot's deep link; the bot's webhook links the chat: alerts/notify/bot-updates.ts), and the delivery
 * ledger of an alert. Numbers and addresses are answered masked, never echoed in errors, never logged;
 * chat ids are never answered.
 */
import { randomBytes } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { RequireUser } from '../access/require-user.ts';
import { userLocals } from '../access/require-user.ts';
import type { UsersRepository } from '../../access/users-repository.ts';
import { changeSettings, settingsOf } from '../../alerts/notify/settings.ts';
import type { NotifyStore } from '../../alerts/notify/store.ts';
import { summarise } from '../../alerts/notify/store.ts';
import type { AlertRepository } from '../../alerts/repository.ts';
import { mayReadAlert } from '../../common/contracts/alerts.ts';
import { MINUTE_MS } from '../../common/time.ts';
import { answerError, answerInvalid } from '../errors.ts';

export const LINK_CODE_TTL_MS = 15 * MINUTE_MS;

export interface NotifyRouterDeps {
  store: NotifyStore;
  users: UsersRepository;
  alerts: Pick<AlertRepository, 'get'>;
  requireUser: RequireUser;
  /** TELEGRAM_BOT_USERNAME; undefined = the Telegram channel is not set up. */
  botUsername: string | undefined;
  /** Which channels this deployment sends on (alerts/notify/setup.ts#channelsOn). */
  channelsOn: { telegram: boolean; whatsapp: boolean; email: boolean };
  /** PHONE_DEFAULT_COUNTRY: a number without a country code is read as one of this country. */
  defaultCountry: string;
  now: () => number;
}

const linkSchema = z.object({ username: z.string().trim().min(1).max(200).optional() }).strict();
export function createNotifyRouter(deps: NotifyRouterDeps): Router {
  const router = express.Router();
  const people = deps.requireUser('admin', 'monitor', 'lead', 'analyst');
  const admins = deps.requireUser('admin');
  const body = express.json({ limit: '8kb' });

  /** Applies a PUT body; false when it answered the refusal. */
  async function update(res: Response, username: string, body: unknown): Promise<boolean> {
    const outcome = await changeSettings(deps.store, username, body, deps.defaultCountry);
    if (outcome.ok) return true;
    answerError(res, outcome.status, outcome.status === 503 ? 'unavailable' : 'invalid-request', outcome.error, outcome.field ? { field: outcome.field } : {});
    return false;
  }

  /** The user an admin names; undefined (answered 404) when there is none. */
  async function named(res: Response, username: string): Promise<string | undefined> {
    const user = await deps.users.get(username);
    if (!user) answerError(res, 404, 'not-found', `no user "${username.slice(0, 200)}"`);
    return user?.username;
  }

  router.get('/api/v1/me/notify', people, async function readPrefs(_req, res) {
    res.json(await settingsOf(deps.store, userLocals(res).user.username, deps.channelsOn));
  });

  router.put('/api/v1/me/notify', people, body, async function writePrefs(req, res) {
    const { username } = userLocals(res).user;
    if (await update(res, username, req.body)) res.json(await settingsOf(deps.store, username, deps.channelsOn));
  });

  router.get('/api/v1/users/:username/notify', admins, async function readUserPrefs(req, res) {
    const username = await named(res, String(req.params.username));
    if (username) res.json(await settingsOf(deps.store, username, deps.channelsOn));
  });

  router.put('/api/v1/users/:username/notify', admins, body, async function writeUserPrefs(req, res) {
    const username = await named(res, String(req.params.username));
    if (username && (await update(res, username, req.body))) res.json(await settingsOf(deps.store, username, deps.channelsOn));
  });

  router.delete('/api/v1/me/telegram', people, async function unlinkTelegram(_req, res) {
    await deps.store.unlinkTelegram(userLocals(res).user.username, deps.now());
    res.status(204).end();
  });

  router.delete('/api/v1/users/:username/telegram', admins, async function unlinkUserTelegram(req, res) {
    const username = await named(res, String(req.params.username));
    if (!username) return;
    await deps.store.unlinkTelegram(username, deps.now());
    res.status(204).end();
  });

  router.post('/api/v1/me/telegram/link', people, body, async function linkCode(req, res) {
    const parsed = linkSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      answerInvalid(res, parsed.error);
      return;
    }
    if (!deps.channelsOn.telegram || !deps.botUsername) {
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

  router.get('/api/v1/alerts/:id/deliveries', people, async function alertDeliveries(req, res) {
    const { user, scope } = userLocals(res);
    const alert = await deps.alerts.get(String(req.params.id));
    if (!alert || !mayReadAlert(scope, alert)) {
      answerError(res, 404, 'not-found', `no alert "${String(req.params.id).slice(0, 80)}"`);
      return;
    }
    const entries = await deps.store.ledger(alert.id);
    const admin = user.roles.includes('admin');
    const ack = alert.acknowledgedAt !== null && alert.acknowledgedBy ? { by: alert.acknowledgedBy, via: alert.acknowledgedVia ?? 'board', at: alert.acknowledgedAt } : null;
    res.json({
      deliveries: entries.map((e) => ({ username: e.username, channel: e.channel, status: e.status, attempt: e.attempt, at: e.at, ...(admin && e.error ? { error: e.error } : {}) })),
      summary: summarise(entries, ack),
    });
  });

  router.get('/api/v1/notify/failures', admins, async function failures(req, res) {
    const limit = Number(req.query.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      answerError(res, 400, 'invalid-request', 'limit must be a whole number from 1 to 500', { field: 'limit' });
      return;
    }
    res.json({ failures: await deps.store.failures(limit) });
  });

  return router;
}
