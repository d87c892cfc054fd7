/**
 * Telegram Bot API webhook: POST /v1/webhooks/telegram, one Update per request, authenticated by
 * `X-Telegram-Bot-Api-Secret-Token` (there is no body signature). Telegram retries on anything but
 * 2xx, so a readable update is answered 200 even when nothing in it counts; a bus outage answers
 * 503 so that Telegram retries. Group migrations are linked and applied before acceptance, so a
 * supergroup's events land under the group's first id. Events are accepted as the source `telegram`.
 * The same bot's private `/start <code>` messages and Acknowledge buttons go to `botUpdates` instead.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from '../../common/logger.ts';
import type { EventAcceptor } from '../../ingest/accept-events.ts';
import type { GroupAliases } from '../../ingest/group-aliases.ts';
import { refuseCredentials } from './rate-limit.ts';
import { answerDelivery, readDeliveryJson } from './webhook-delivery.ts';
import { secretsEqual } from '../../common/http/credentials.ts';
import { acceptMapped } from '../../ingest/webhooks/accept-mapped.ts';
import type { IdDigest } from '../../ingest/webhooks/mapped.ts';
import { mapTelegramUpdate } from '../../ingest/webhooks/telegram-map.ts';
import type { BotUpdateHandler } from '../../alerts/notify/bot-updates.ts';

export const TELEGRAM_SOURCE = 'telegram';

export interface TelegramWebhookDeps {
  secretToken?: string;
  acceptEvents: EventAcceptor;
  aliases: GroupAliases;
  digest: IdDigest;
  maxBodyBytes: number;
  rateLimit: RequestHandler;
  logger: Logger;
  /**
   * The notification bot's own updates (alerts/notify/bot-updates.ts): `/start <code>` in a private chat
   * and the Acknowledge button's callback_query. Absent = the bot does not notify (TELEGRAM_BOT_TOKEN unset).
   */
  botUpdates?: BotUpdateHandler;
}

export function createTelegramWebhookRouter(deps: TelegramWebhookDeps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'webhook-telegram' });

  router.post(
    '/v1/webhooks/telegram',
    function checkSecretToken(req: Request, res: Response, next: NextFunction) {
      if (!deps.secretToken) {
        res.status(404).json({ error: 'the Telegram webhook is off: set TELEGRAM_SECRET_TOKEN (and pass it as secret_token to setWebhook)' });
        return;
      }
      const given = req.get('x-telegram-bot-api-secret-token');
      if (!given) {
        refuseCredentials(res, 401, 'missing X-Telegram-Bot-Api-Secret-Token header: set secret_token in setWebhook');
        return;
      }
      if (!secretsEqual(given, deps.secretToken)) {
        refuseCredentials(res, 403, 'X-Telegram-Bot-Api-Secret-Token does not match TELEGRAM_SECRET_TOKEN');
        return;
      }
      res.locals.source = { name: TELEGRAM_SOURCE };
      next();
    },
    deps.rateLimit,
    express.text({ type: () => true, limit: deps.maxBodyBytes }),
    async function receiveUpdate(req: Request, res: Response) {
      const update = readDeliveryJson(res, typeof req.body === 'string' ? req.body : '', 'JSON Update');
      if (update === undefined) return;
      await answerDelivery(res, log, 'Telegram', async () => {
        // A failure here answers 500 and Telegram retries: linking and acknowledging are safe to repeat.
        if (deps.botUpdates && (await deps.botUpdates(update))) return { accepted: 0, ignored: 0, rejected: [] };
        const mapped = mapTelegramUpdate(update, deps.digest);
        for (const { alias, canonical } of mapped.aliases) await deps.aliases.link(alias, canonical);
        for (const item of mapped.events) item.event.group = await deps.aliases.resolve(String(item.event.group));
        return acceptMapped(deps.acceptEvents, TELEGRAM_SOURCE, mapped);
      });
    },
  );
  return router;
}
