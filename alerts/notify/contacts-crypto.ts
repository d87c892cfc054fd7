/**
 * Contacts at rest and on screen. A user's WhatsApp number and email are stored encrypted with
 * AES-256-GCM under a key derived by HKDF-SHA256 from NOTIFY_CONTACTS_KEY (its own secret, so a leaked
 * pseudonym key does not open them, and rotating one does not touch the other); a keyed digest of the
 * number finds the user a WhatsApp reply comes from. Answers show contacts masked only.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export interface ContactsCipher {
  encrypt(plain: string): string;
  /** undefined when the text was not made with this key (another key, tampered). */
  decrypt(sealed: string): string | undefined;
  /** The same digest for the same number: a lookup key that does not reveal the number. */
  digest(plain: string): string;
}

const VERSION = 'v1';

export function createContactsCipher(secret: string): ContactsCipher {
  if (secret.length < 16) throw new Error('NOTIFY_CONTACTS_KEY must be at least 16 characters');
  const key = Buffer.from(hkdfSync('sha256', secret, 'grouppulse', 'notify-contacts/aes-256-gcm', 32));
  const digestKey = Buffer.from(hkdfSync('sha256', secret, 'grouppulse', 'notify-contacts/digest', 32));
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    decrypt(sealed) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== VERSION || !iv || body === undefined || !tag) return undefined;
      try {
        // A full 16-byte tag only: GCM would take a truncated one, which is far easier to forge.
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
    digest(plain) {
      return createHmac('sha256', digestKey).update(plain).digest('hex');
    },
  };
}

const DOT = '\u2022';

/** `+919876543210` → `+91••••••3210`: the country code and the last four digits. */
export function maskNumber(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  if (digits.length <= 6) return `+${DOT.repeat(digits.length)}`;
  return `+${digits.slice(0, 2)}${DOT.repeat(digits.length - 6)}${digits.slice(-4)}`;
}

/** `ravi@example.org` → `r•••@example.org`: the first letter and the domain. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return DOT.repeat(3);
  return `${address[0]}${DOT.repeat(3)}${address.slice(at)}`;
}
