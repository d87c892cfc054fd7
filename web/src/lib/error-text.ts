/**
 * The board's words for an api error: the message of its stable code (common/contracts/errors.ts) in
 * the viewer's language, or the server's own English words for a code the board does not know.
 */
import { ERROR_CODES, type ErrorCode } from '../../../common/contracts/errors.ts';
import type { MessageKey, Translate } from './i18n/messages.ts';

export function errorCodeOf(value: unknown): ErrorCode | undefined {
  return (ERROR_CODES as readonly unknown[]).includes(value) ? (value as ErrorCode) : undefined;
}

/** The catalogue key of a code: every code has one (test/web/messages.test.ts checks). */
export function codeKey(code: ErrorCode): MessageKey {
  return `code.${code}` as MessageKey;
}

export function errorText(t: Translate, code: unknown, fallback: string): string {
  const known = errorCodeOf(code);
  return known ? t(codeKey(known)) : fallback;
}
