/**
 * WhatsApp Cloud API webhook: GET /v1/webhooks/whatsapp (Meta's verification handshake) and
 * POST /v1/webhooks/whatsapp (signed deliveries). Delivery rules in docs/sources.md:
 * anything but exactly 200 makes Meta retry for up to 7 days, so a signed, readable delivery is
 * always answered 200 (rejections listed in the body — a retry would not make them better); only a
 * bus outage answers 503 so that Meta retries. Events are accepted as the source `whatsapp`. Statuses of
 * the alert notifications this deployment sent and their Acknowledge replies go to `notifyReplies` first.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from '../../common/logger.ts';
import type { EventAcceptor } from '../../ingest/accept-events.ts';
import { refuseCredentials } from './rate-limit.ts';
import { answerDelivery, readDeliveryJson } from './webhook-delivery.ts';
import { secretsEqual } from '../../common/http/credentials.ts';
import { acceptMapped } from '../../ingest/webhooks/accept-mapped.ts';
import type { IdDigest } from '../../ingest/webhooks/mapped.ts';
import { mapWhatsAppPayload } from '../../ingest/webhooks/whatsapp-map.ts';
import { checkWhatsAppSignature } from '../../ingest/webhooks/whatsapp-signature.ts';

export const WHATSAPP_SOURCE = 'whatsapp';

export interface WhatsAppWebhookDeps {
  appSecret?: string;
  verifyToken?: string;
  acceptEvents: EventAcceptor;
  digest: IdDigest;
  maxBodyBytes: number;
  rateLimit: RequestHandler;
  logger: Logger;
  /** The notifier's own traffic: statuses of the messages it sent, the Acknowledge quick replies (alerts/notify/whatsapp-replies.ts). */
  notifyReplies?: (payload: unknown) => Promise<unknown>;
}

export function createWhatsAppWebhookRouter(deps: WhatsAppWebhookDeps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: 'webhook-whatsapp' });

  router.get('/v1/webhooks/whatsapp', function verifyWebhook(req: Request, res: Response) {
    if (!deps.verifyToken) {
      res.status(404).json({ error: 'the WhatsApp webhook is off: set WHATSAPP_VERIFY_TOKEN and WHATSAPP_APP_SECRET' });
      return;
    }
    const mode = req.query['hub.mode'];
    const token = req.query['hub.verify_token'];
    const challenge = req.query['hub.challenge'];
    if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') {
      res.status(400).json({ error: 'verification needs hub.mode=subscribe, hub.verify_token and hub.challenge' });
      return;
    }
    if (!secretsEqual(token, deps.verifyToken)) {
      refuseCredentials(res, 403, 'hub.verify_token does not match WHATSAPP_VERIFY_TOKEN');
      return;
    }
    // Echo the challenge unchanged (Meta compares it); plain text so no markup is ever interpreted.
    res.status(200).type('text/plain').send(challenge);
  });

  router.post(
    '/v1/webhooks/whatsapp',
    function webhookConfigured(_req: Request, res: Response, next: NextFunction) {
      if (!deps.appSecret) {
        res.status(404).json({ error: 'the WhatsApp webhook is off: set WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN' });
        return;
      }
      next();
    },
    // The raw bytes as received: the signature covers them, not a re-serialisation.
    express.raw({ type: () => true, limit: deps.maxBodyBytes }),
    function verifySignature(req: Request, res: Response, next: NextFunction) {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = checkWhatsAppSignature(raw, req.get('x-hub-signature-256'), deps.appSecret!);
      if (!check.ok) {
        refuseCredentials(res, check.status, check.error);
        return;
      }
      res.locals.source = { name: WHATSAPP_SOURCE };
      next();
    },
    deps.rateLimit,
    async function receiveDelivery(req: Request, res: Response) {
      const payload = readDeliveryJson(res, (req.body as Buffer).toString('utf8'), 'JSON webhook payload');
      if (payload === undefined) return;
      if (deps.notifyReplies) {
        try {
          await deps.notifyReplies(payload);
        } catch (error) {
          // The store is out: Meta retries on anything but 200, and the replies are idempotent.
          log.warn({ err: error }, 'could not handle notification statuses or replies, answering 503');
          res.status(503).json({ error: 'notification replies cannot be recorded now; retry' });
          return;
        }
      }
      await answerDelivery(res, log, 'WhatsApp', () => acceptMapped(deps.acceptEvents, WHATSAPP_SOURCE, mapWhatsAppPayload(payload, deps.digest)));
    },
  );
  return router;
}
