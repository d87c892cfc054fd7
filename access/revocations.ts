/**
 * Signed-out tokens (table `revoked_tokens`, migration 0021), by jti. Checked on every request
 * from an in-memory set: a sign-out here takes effect at once; the set is re-read from ClickHouse
 * at most every `refreshMs`, so a sign-out through another api instance takes effect within it.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export interface Revocations {
  revoke(jti: string, username: string, expiresAt: Date): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

export function createRevocations(client: ClickHouseClient, options: { refreshMs?: number; now?: () => number } = {}): Revocations {
  const refreshMs = options.refreshMs ?? 5_000;
  const now = options.now ?? Date.now;
  let revoked = new Set<string>();
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;

  async function reread(): Promise<void> {
    const startedAt = now();
    const result = await client.query({
      query: 'SELECT DISTINCT jti FROM revoked_tokens WHERE expires_at > {now:DateTime64(3, \'UTC\')}',
      query_params: { now: startedAt / 1000 },
      format: 'JSONEachRow',
    });
    const fresh = new Set((await result.json<{ jti: string }>()).map((r) => r.jti));
    for (const jti of revoked) fresh.add(jti);
    revoked = fresh;
    readAt = startedAt;
  }

  return {
    async revoke(jti, username, expiresAt) {
      revoked.add(jti);
      await client.insert({
        table: 'revoked_tokens',
        format: 'JSONEachRow',
        values: [{ jti, username, expires_at: expiresAt.getTime(), revoked_at: now() }],
      });
    },
    async isRevoked(jti) {
      if (revoked.has(jti)) return true;
      if (now() - readAt >= refreshMs) {
        reading ??= reread().finally(() => {
          reading = undefined;
        });
        await reading;
      }
      return revoked.has(jti);
    },
  };
}
