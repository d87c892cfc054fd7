/**
 * The email's one-click acknowledge link: {BOARD_PUBLIC_URL}/api/v1/alerts/ack-link/{token}, where the
 * token carries (alert id, username, expiry) and an HMAC-SHA256 over them with NOTIFY_LINK_SECRET. Opening
 * it shows a page that posts it back (api/notify/ack-link.ts); anyone holding the link acknowledges as that
 * user (it is in their mailbox only), until it expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const ACK_LINK_PATH = '/api/v1/alerts/ack-link/';

export interface AckClaim {
  alertId: string;
  username: string;
  expiresAt: number;
}

export type AckLinkCheck = { ok: true; claim: AckClaim } | { ok: false; reason: 'invalid' | 'expired' };

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(`ack-link\u0000${body}`).digest('base64url');
}

export function signAckLink(secret: string, claim: AckClaim): string {
  const body = [claim.alertId, Buffer.from(claim.username, 'utf8').toString('base64url'), claim.expiresAt.toString(36)].join('.');
  return `${body}.${mac(secret, body)}`;
}

/** Tampered or malformed → invalid; a good signature past its time → expired. */
export function checkAckLink(secret: string, token: string, now: number): AckLinkCheck {
  const parts = token.split('.');
  if (parts.length !== 4 || token.length > 512) return { ok: false, reason: 'invalid' };
  const [alertId, user, expires, signature] = parts as [string, string, string, string];
  const expected = Buffer.from(mac(secret, `${alertId}.${user}.${expires}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  const expiresAt = parseInt(expires, 36);
  if (!/^[A-Za-z0-9]{1,60}$/.test(alertId) || !Number.isFinite(expiresAt)) return { ok: false, reason: 'invalid' };
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claim: { alertId, username: Buffer.from(user, 'base64url').toString('utf8'), expiresAt } };
}
