/**
 * A short-lived cache for the per-group reads behind drill-down and coverage: a live board with
 * many viewers asks the same window many times a second, and at 100k groups each read streams
 * 100k rows. Callers within `ttlMs` of a read (or while it runs) share it. Keys are few (windows
 * rounded by the caller), and entries past their time are dropped on the next call.
 */
export interface ReadCache {
  get<T>(key: string, read: () => Promise<T>): Promise<T>;
}

export function createReadCache(ttlMs: number, now: () => number = Date.now): ReadCache {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  return {
    get<T>(key: string, read: () => Promise<T>): Promise<T> {
      const t = now();
      for (const [k, entry] of entries) if (t - entry.at > ttlMs) entries.delete(k);
      const hit = entries.get(key);
      if (hit) return hit.value as Promise<T>;
      const value = read();
      entries.set(key, { at: t, value });
      // A failed read is not kept: the next caller tries again.
      value.catch(() => entries.delete(key));
      return value;
    },
  };
}
