/**
 * Every api error answers `{ error, code }`: `error` is English for API users, `code` is stable, and
 * the board says it in the viewer's language (web/src/lib/i18n/messages.ts, `code.<code>`). Pure.
 */
export const ERROR_CODES = [
  'sign-in-required',
  'wrong-credentials',
  'too-many-sign-ins',
  'token-expired',
  'token-invalid',
  'signed-out',
  'session-ended',
  'account-disabled',
  'display-token-invalid',
  'forbidden',
  'invalid-request',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorAnswer {
  error: string;
  code?: ErrorCode;
}
