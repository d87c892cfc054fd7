/**
 * Every api error answers `{ error, code }`: `error` is English for API users, `code` is stable, and
 * the board says it in the viewer's language (web/src/lib/i18n/messages.ts, `code.<code>`). Pure.
 */
export const ERROR_CODES = [
  // Signing in and staying signed in.
  'sign-in-required',
  'wrong-credentials',
  'too-many-sign-ins',
  'token-expired',
  'token-invalid',
  'signed-out',
  'session-ended',
  'account-disabled',
  'display-token-invalid',
  // Any request.
  'forbidden',
  'invalid-request',
  'bad-range',
  'not-found',
  'conflict',
  'unknown-unit',
  'too-many-requests',
  'unavailable',
  'internal',
  // Analysts' SQL: the board frames the server's words (they quote the query) in the viewer's language.
  'sql-mistake',
  'sql-refused',
  'sql-limit',
  'sql-failed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorAnswer {
  error: string;
  code?: ErrorCode;
  /** invalid-request: the first field or parameter at fault (the board names it in the viewer's language). */
  field?: string;
}

/** The SQL codes: the board shows their message, then the server's words. */
export const FRAMED_CODES: readonly ErrorCode[] = ['sql-mistake', 'sql-refused', 'sql-limit', 'sql-failed'];
