/**
 * Reads and writes against the api with the signed-in user's token. Outcomes are values: `ok` with
 * the parsed body, or the server's own error text (or why the server could not be reached, in the
 * viewer's language once App has called `speakWith`).
 */
import { translate, type Translate } from './i18n/messages.ts';

export type ApiOutcome<T> = { ok: true; data: T } | { ok: false; status: number; error: string };

let t: Translate = (key, values) => translate('en', key, values);

/** Write the board's own failure texts with `translator` (the viewer's preferences). */
export function speakWith(translator: Translate): void {
  t = translator;
}

export async function apiFetch<T>(token: string, path: string, init: RequestInit = {}): Promise<ApiOutcome<T>> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` } });
  } catch {
    return { ok: false, status: 0, error: t('error.unreachable') };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON
  }
  if (!response.ok) {
    const error = (body as { error?: unknown } | null)?.error;
    return { ok: false, status: response.status, error: typeof error === 'string' && error ? error : t('error.status', { status: response.status }) };
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
