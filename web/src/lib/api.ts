/**
 * Reads and writes against the api with the signed-in user's token. Outcomes are values: `ok` with
 * the parsed body, or the error in the viewer's language once App has called `speakWith` (the message
 * of the answer's code; the server's English words for a code the board does not know).
 */
import { errorText, frameOf } from './error-text.ts';
import { translate, type Translate } from './i18n/messages.ts';

/**
 * A failure's `error` is its text now; `say` writes it again in whatever language is chosen when it is
 * read (keep `say` where the text stays on screen). For a SQL code also `frame` (the code's message,
 * again as `sayFrame`) and `detail` (the server's words it frames), to show apart.
 */
export type ApiOutcome<T> =
  | { ok: true; data: T }
  | {
      ok: false;
      status: number;
      error: string;
      say: () => string;
      frame?: string;
      sayFrame?: () => string;
      detail?: string;
      /** The server's own words (English; names the field or key at fault), or the board's when it had none. */
      words: string;
      /** The error's JSON body as it came. */
      body?: unknown;
    };

/** What a failure says when there is none. */
export const noError = (): string => '';

/** The signed-in user's current token: read at each call, so a renewed one is used from then on. */
export type Bearer = () => string;

let t: Translate = (key, values) => translate('en', key, values);

let refused: (reason: string, code: unknown, token: string) => void = () => undefined;

/** Write the board's own failure texts with `translator` (the viewer's preferences). */
export function speakWith(translator: Translate): void {
  t = translator;
}

/** `handler` hears of every 401 and the token refused: it expired or the session ended (the session decides). */
export function whenRefused(handler: (reason: string, code: unknown, token: string) => void): void {
  refused = handler;
}

export async function apiFetch<T>(bearer: Bearer, path: string, init: RequestInit = {}): Promise<ApiOutcome<T>> {
  const token = bearer();
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` } });
  } catch {
    return { ok: false, status: 0, error: t('error.unreachable'), say: () => t('error.unreachable'), words: t('error.unreachable') };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON
  }
  if (!response.ok) {
    const answer = (body ?? {}) as { error?: unknown; code?: unknown; field?: unknown };
    const words = typeof answer.error === 'string' && answer.error ? answer.error : t('error.status', { status: response.status });
    if (response.status === 401) refused(words, answer.code, token);
    const say = () => errorText(t, answer, words);
    const sayFrame = () => frameOf(t, answer) ?? '';
    const framed = frameOf(t, answer) !== undefined;
    return { ok: false, status: response.status, error: say(), say, words, body, ...(framed ? { frame: sayFrame(), sayFrame, detail: words } : {}) };
  }
  return { ok: true, data: body as T };
}

/** Query string from defined values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
