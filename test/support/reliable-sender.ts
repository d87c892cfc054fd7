/**
 * Posts events the way a well-behaved source does: each batch until it is acknowledged (202),
 * backing off on 503 and on connection errors. Tracks what was acknowledged, for exact
 * reconciliation against what ClickHouse holds.
 */
export interface SendStats {
  acknowledged: number;
  retries: number;
  unavailable: number;
}

export interface ReliableSenderOptions {
  url: () => string;
  token: string;
  batchSize?: number;
  pauseMs?: number;
  /** Give up on one batch after this long. */
  batchDeadlineMs?: number;
  onProgress?(sent: number): void;
}

export async function sendReliably(events: object[], options: ReliableSenderOptions): Promise<SendStats> {
  const stats: SendStats = { acknowledged: 0, retries: 0, unavailable: 0 };
  const batchSize = options.batchSize ?? 100;
  for (let start = 0; start < events.length; start += batchSize) {
    const batch = events.slice(start, start + batchSize);
    const deadline = Date.now() + (options.batchDeadlineMs ?? 120_000);
    for (;;) {
      const response = await fetch(`${options.url()}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(30_000),
      }).catch(() => undefined);
      if (response?.status === 202) {
        const body = (await response.json()) as { accepted: number; rejected: unknown[] };
        if (body.rejected.length > 0) throw new Error(`events rejected: ${JSON.stringify(body.rejected.slice(0, 3))}`);
        stats.acknowledged += body.accepted;
        break;
      }
      if (response && response.status !== 503) throw new Error(`unexpected ${response.status}: ${await response.text()}`);
      if (response?.status === 503) stats.unavailable += 1;
      stats.retries += 1;
      if (Date.now() > deadline) throw new Error(`batch at ${start} not acknowledged before the deadline`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    options.onProgress?.(start + batch.length);
    if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  return stats;
}
