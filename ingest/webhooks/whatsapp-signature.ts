/** Meta signs each WhatsApp webhook delivery with the app secret (docs/sources.md): checking it. Pure. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; status: 401 | 403; error: string };

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`, compared in constant time. */
export function checkWhatsAppSignature(rawBody: Buffer, header: string | undefined, appSecret: string): SignatureCheck {
  if (!header) return { ok: false, status: 401, error: 'missing X-Hub-Signature-256 header: deliveries must be signed with the app secret' };
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return { ok: false, status: 403, error: 'X-Hub-Signature-256 must be "sha256=" followed by 64 hex characters' };
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(match[1]!, 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, status: 403, error: 'X-Hub-Signature-256 does not match the body: wrong app secret, or the body was altered' };
  return { ok: true };
}
