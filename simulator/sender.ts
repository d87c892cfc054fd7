/**
 * Posts events to the real ingest API (POST /v1/events, bearer token) in batches, a few requests
 * in flight at once. 503/429 are retried after Retry-After; network errors with a growing pause.
 * Counts what the server accepted and rejected.
 */
export interface SenderStats {
  requests: number;
  accepted: number;
  rejected: number;
  retries: number;
  failedRequests: number;
  /** Requests the server refused the token of (401): the simulator stops at the first. */
  unauthorized: number;
  /** First few rejection reasons, for the summary. */
  reasons: string[];
}

export interface Sender {
  send(events: unknown[]): Promise<void>;
  /** Wait for every request in flight. */
  drain(): Promise<void>;
  readonly inFlight: number;
  readonly stats: SenderStats;
}

export interface SenderOptions {
  url: string;
  token: string;
  batchSize?: number;
  concurrency?: number;
  maxAttempts?: number;
}

export function createSender(options: SenderOptions): Sender {
  const batchSize = options.batchSize ?? 2000;
  const concurrency = options.concurrency ?? 4;
  const maxAttempts = options.maxAttempts ?? 8;
  const endpoint = new URL('/v1/events', options.url).toString();
  const stats: SenderStats = { requests: 0, accepted: 0, rejected: 0, retries: 0, failedRequests: 0, unauthorized: 0, reasons: [] };
  const running = new Set<Promise<void>>();

  async function post(batch: unknown[]): Promise<void> {
    const body = batch.map((e) => JSON.stringify(e)).join('\n');
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let wait = Math.min(10_000, 250 * 2 ** attempt);
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/x-ndjson' },
          body,
        });
        stats.requests += 1;
        if (response.status === 202) {
          const result = (await response.json()) as { accepted: number; rejected: { error: string }[] };
          stats.accepted += result.accepted;
          stats.rejected += result.rejected.length;
          for (const r of result.rejected) if (stats.reasons.length < 5) stats.reasons.push(r.error);
          return;
        }
        const text = await response.text();
        if (response.status !== 503 && response.status !== 429) {
          stats.failedRequests += 1;
          if (response.status === 401) stats.unauthorized += 1;
          if (stats.reasons.length < 5) stats.reasons.push(`HTTP ${response.status}: ${text.slice(0, 200)}`);
          return;
        }
        wait = Math.max(wait, Number(response.headers.get('retry-after') ?? 1) * 1000);
      } catch {
        // Server not reachable (yet): retry after the pause.
      }
      stats.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    stats.failedRequests += 1;
  }

  async function launch(batch: unknown[]): Promise<void> {
    while (running.size >= concurrency) await Promise.race(running);
    const task = post(batch).finally(() => running.delete(task));
    running.add(task);
  }

  return {
    stats,
    get inFlight() {
      return running.size;
    },
    async send(events) {
      for (let start = 0; start < events.length; start += batchSize) await launch(events.slice(start, start + batchSize));
    },
    async drain() {
      await Promise.all(running);
    },
  };
}
