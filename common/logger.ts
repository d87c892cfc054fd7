/** Structured JSON logs (pino). Secrets are redacted by path wherever they might appear. */
import { pino, type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.secret',
  // Accounts and sign-in (access/): passwords, hashes, tokens, signing keys.
  'req.body.password',
  '*.passwordHash',
  '*.password_hash',
  '*.generatedPassword',
  '*.AUTH_JWT_SECRET',
  '*.ADMIN_PASSWORD',
  '*.CLICKHOUSE_PASSWORD',
  '*.CLICKHOUSE_READONLY_PASSWORD',
  'handshake.auth.token',
  'handshake.headers.authorization',
];

export function createLogger(level: string, name = 'grouppulse'): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
