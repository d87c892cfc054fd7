/**
 * Reads and writes against the api with the signed-in user's token. Outcomes are values: `ok` with
 * the parsed body, or the server's own error text (or why the server could not be reached).
 */
export type ApiOutcome<T> = { ok: true; data: T } | { ok: false; status: number; error: string };

export async function apiFetch<T>(token: string, path: string, init: RequestInit = {}): Promise<ApiOutcome<T>> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` } });
  } catch {
    return { ok: false, status: 0, error: 'could not reach the server; check the connection' };
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON
  }
  if (!response.ok) {
    const error = (body as { error?: unknown } | null)?.error;
    return { ok: false, status: response.status, error: typeof error === 'string' && error ? error : `HTTP ${response.status}` };
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
