/**
 * The email's one-click acknowledge link (alerts/notify/ack-link.ts): GET /api/v1/alerts/ack-link/{token}
 * checks the link and answers a small page in the user's language whose form POSTs it back at once (its
 * script, served from here for the CSP) — with the button for a browser without scripts. Only the POST
 * acknowledges: mail scanners and link previews that open every link in a mail (GET, no script) cannot
 * acknowledge an alert nobody read, which would also stop its escalation.
 * The token is the credential: the POST acknowledges as the user it was made for, with the same check as
 * the other channels (alerts/notify/acknowledge.ts). 403 for a link that is not ours or not theirs, 410 for
 * one past its time. Off (404) without NOTIFY_LINK_SECRET.
 */
import express, { type Request, type Response, type Router } from 'express';
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

/** Submits the page's form as soon as it loads: the link stays one click for a person. */
export const AUTO_SUBMIT_PATH = `${ACK_LINK_PATH}submit.js`;
const AUTO_SUBMIT = "document.getElementById('ack').submit();\n";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function html(language: NotifyLanguage, body: string): string {
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>GroupPulse</title></head><body><h1>GroupPulse</h1>${body}</body></html>`;
}

function page(languages: NotifyLanguage[], key: BotTextKey): string {
  return html(languages[0]!, languages.map((l) => `<p lang="${l}">${escapeHtml(botText(l, key))}</p>`).join(''));
}

export function createAckLinkRouter(deps: AckLinkDeps): Router {
  const router = express.Router();

  router.get(AUTO_SUBMIT_PATH, function autoSubmit(_req, res) {
    res.set('cache-control', 'public, max-age=86400').type('application/javascript').send(AUTO_SUBMIT);
  });

  /** The link's user and alert; undefined once the refusal is answered. */
  function checked(req: Request, res: Response): { alertId: string; username: string } | undefined {
    res.set('cache-control', 'no-store').set('referrer-policy', 'no-referrer');
    if (!deps.secret) {
      res.status(404).type('html').send(page(['en', 'hi'], 'linkInvalid'));
      return undefined;
    }
    const check = checkAckLink(deps.secret, String(req.params.token), deps.now());
    if (check.ok) return check.claim;
    res.status(check.reason === 'invalid' ? 403 : 410).type('html').send(page(['en', 'hi'], check.reason === 'invalid' ? 'linkInvalid' : 'linkExpired'));
    return undefined;
  }

  router.get(`${ACK_LINK_PATH}:token`, async function confirmPage(req, res) {
    const claim = checked(req, res);
    if (!claim) return;
    const language = await deps.language(claim.username);
    const form = `<form id="ack" method="post"><p>${escapeHtml(botText(language, 'linkConfirm', { user: claim.username }))}</p><button type="submit">${escapeHtml(botText(language, 'acknowledge'))}</button></form><script src="${AUTO_SUBMIT_PATH}"></script>`;
    res.status(200).type('html').send(html(language, form));
  });

  router.post(`${ACK_LINK_PATH}:token`, async function acknowledge(req, res) {
    const claim = checked(req, res);
    if (!claim) return;
    const language = await deps.language(claim.username);
    const outcome = await deps.acknowledgeAs(claim.username, claim.alertId, 'email');
    res.status(outcome === 'notYours' ? 403 : 200).type('html').send(page([language], outcome === 'notYours' ? 'linkNotYours' : outcome));
  });
  return router;
}
