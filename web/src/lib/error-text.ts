/**
 * The board's words for an api error: the message of its stable code (common/contracts/errors.ts) in
 * the viewer's language; for a form's field, the field named in that language; for SQL, that message
 * framing the server's words (they quote the query). A code the board does not know: the server's
 * English words as they came.
 */
import { ERROR_CODES, FRAMED_CODES, type ErrorCode } from '../../../common/contracts/errors.ts';
import { CATALOGUE, type MessageKey, type Translate } from './i18n/messages.ts';

/** An error answer's body as it arrived (anything may be missing). */
export interface ErrorBody {
  code?: unknown;
  field?: unknown;
}

export function errorCodeOf(value: unknown): ErrorCode | undefined {
  return (ERROR_CODES as readonly unknown[]).includes(value) ? (value as ErrorCode) : undefined;
}

/** The catalogue key of a code: every code has one (test/web/messages.test.ts checks). */
export function codeKey(code: ErrorCode): MessageKey {
  return `code.${code}` as MessageKey;
}

function fieldKey(field: unknown): MessageKey | undefined {
  const key = `field.${String(field)}`;
  return typeof field === 'string' && key in CATALOGUE.en ? (key as MessageKey) : undefined;
}

/** For a SQL code: its message, to show above the server's words (which quote the query). */
export function frameOf(t: Translate, body: ErrorBody | null | undefined): string | undefined {
  const code = errorCodeOf(body?.code);
  return code && FRAMED_CODES.includes(code) ? t(codeKey(code)) : undefined;
}

/** `serverWords`: the answer's English `error` (or the board's own words when it had none). */
export function errorText(t: Translate, body: ErrorBody | null | undefined, serverWords: string): string {
  const code = errorCodeOf(body?.code);
  if (!code) return serverWords;
  const frame = frameOf(t, body);
  if (frame) return `${frame} ${serverWords}`;
  const field = code === 'invalid-request' ? fieldKey(body?.field) : undefined;
  return field ? t('code.invalid-field', { field: t(field) }) : t(codeKey(code));
}
