/**
 * Retrying an operation that must eventually succeed (a batch write: the events are already
 * acknowledged) until it does or the caller gives up through the signal. Waits double from
 * `firstDelayMs` up to `maxDelayMs`; each failure is reported so it is never silent.
 */
export interface RetryOptions {
  signal: AbortSignal;
  firstDelayMs: number;
  maxDelayMs: number;
  /** Called after each failed attempt (1-based), before the wait. Throw to stop retrying. */
  onFailure(error: unknown, attempt: number, nextDelayMs: number): void;
}

export async function retryUntilDone<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    options.signal.throwIfAborted();
    try {
      return await operation();
    } catch (error) {
      if (options.signal.aborted) throw error;
      const delay = Math.min(options.maxDelayMs, options.firstDelayMs * 2 ** (attempt - 1));
      options.onFailure(error, attempt, delay);
      await abortableDelay(delay, options.signal);
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
