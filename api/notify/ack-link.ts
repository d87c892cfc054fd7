/**
 * GET /api/v1/alerts/ack-link/{token}: the email's one-click acknowledge link (alerts/notify/ack-link.ts).
 * The token is the credential: it acknowledges as the user it was made for, with the same check as the
 * other channels (alerts/notify/acknowledge.ts), and answers a small page in that user's language.
 * 403 for a link that is not ours or not theirs, 410 for one past its time. Off (404) without NOTIFY_LINK_SECRET.
 */
import express, { type Router } from 'express';
import { checkAckLink, ACK_LINK_PATH } from '../../alerts/notify/ack-link.ts';
import type { AcknowledgeAs } from '../../alerts/notify/acknowledge.ts';
import type { NotifyLanguage } from '../../alerts/notify/prefs.ts';
import { botText, type BotTextKey } from '../../alerts/notify/texts.ts';

export interface AckLinkDeps {
  /** NOTIFY_LINK_SECRET; undefined = the email channel is off. */
  secret: string | undefined;
  acknowledgeAs: AcknowledgeAs;
  language: (username: string) => Promise<NotifyLanguage>;
  now: () => number;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(languages: NotifyLanguage[], key: BotTextKey): string {
  const body = languages.map((l) => `<p lang="${l}">${escapeHtml(botText(l, key))}</p>`).join('');
  return `<!doctype html><html lang="${languages[0]}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>GroupPulse</title></head><body><h1>GroupPulse</h1>${body}</body></html>`;
}

export function createAckLinkRouter(deps: AckLinkDeps): Router {
  const router = express.Router();
  router.get(`${ACK_LINK_PATH}:token`, async function ackLink(req, res) {
    res.set('cache-control', 'no-store').set('referrer-policy', 'no-referrer');
    if (!deps.secret) {
      res.status(404).type('html').send(page(['en', 'hi'], 'linkInvalid'));
      return;
    }
    const check = checkAckLink(deps.secret, String(req.params.token), deps.now());
    if (!check.ok && check.reason === 'invalid') {
      res.status(403).type('html').send(page(['en', 'hi'], 'linkInvalid'));
      return;
    }
    if (!check.ok) {
      res.status(410).type('html').send(page(['en', 'hi'], 'linkExpired'));
      return;
    }
    const { alertId, username } = check.claim;
    const language = await deps.language(username);
    const outcome = await deps.acknowledgeAs(username, alertId, 'email');
    res.status(outcome === 'notYours' ? 403 : 200).type('html').send(page([language], outcome === 'notYours' ? 'linkNotYours' : outcome));
  });
  return router;
}
