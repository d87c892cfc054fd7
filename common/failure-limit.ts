/**
 * Counting failed attempts (a wrong password, token or signature) per key — an account, a client
 * address — in fixed windows. Only failures count: a caller who gets it right is never slowed by
 * what others got wrong. In memory and per process; at most `maxKeys` keys are kept (the oldest go
 * first), so a flood of made-up keys cannot grow it without bound.
 */

export interface FailureLimitOptions {
  /** Failures allowed per key in a window; the next attempt is refused until the window ends. */
  limit: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export interface FailureLimit {
  /** Whole seconds until `key` may try again; 0 when it may now. */
  blockedFor(key: string): number;
  /** Count one failure of `key`. */
  fail(key: string): void;
  /** Take back one failure of `key` (an attempt counted before it was checked turned out right). */
  forgive(key: string): void;
}

export function createFailureLimit(options: FailureLimitOptions): FailureLimit {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const windows = new Map<string, { failures: number; endsAt: number }>();

  function current(key: string): { failures: number; endsAt: number } | undefined {
    const window = windows.get(key);
    if (window && window.endsAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return window;
  }

  return {
    blockedFor(key) {
      const window = current(key);
      if (!window || window.failures < options.limit) return 0;
      return Math.max(1, Math.ceil((window.endsAt - now()) / 1000));
    },
    fail(key) {
      const window = current(key);
      if (window) {
        window.failures += 1;
        return;
      }
      if (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
      windows.set(key, { failures: 1, endsAt: now() + options.windowMs });
    },
    forgive(key) {
      const window = current(key);
      if (window && window.failures > 0) window.failures -= 1;
    },
  };
}
