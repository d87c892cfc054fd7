/**
 * Group aliases (table `group_aliases`, migration 0011): a Telegram group migrated to a supergroup
 * gets a new chat id; ingest rewrites events of the new id to the first known id, so the group keeps
 * one history and one directory entry.
 *
 * Held in memory; a link learnt here applies at once in this instance and is written to ClickHouse.
 * Other ingest instances re-read the table every `refreshMs`, so there a link applies within that
 * bound (Telegram sends the migration service message before the supergroup's first messages, so
 * in practice the window is rarely hit).
 */
import type { ClickHouseClient } from '@clickhouse/client';

export interface GroupAliases {
  /** The canonical id for a group id (itself when it is no alias). */
  resolve(group: string): Promise<string>;
  /** Record that `alias` names the same group as `canonical`. */
  link(alias: string, canonical: string): Promise<void>;
}

/** Follow alias chains (a → b → c) to the end; stops on a cycle. */
export function resolveAlias(links: ReadonlyMap<string, string>, group: string): string {
  let current = group;
  const seen = new Set<string>([current]);
  for (let next = links.get(current); next !== undefined && !seen.has(next); next = links.get(current)) {
    seen.add(next);
    current = next;
  }
  return current;
}

/** In memory only: for tests and for processes without a store. */
export function createMemoryGroupAliases(): GroupAliases {
  const links = new Map<string, string>();
  return {
    async resolve(group) {
      return resolveAlias(links, group);
    },
    async link(alias, canonical) {
      const target = resolveAlias(links, canonical);
      if (target !== alias) links.set(alias, target);
    },
  };
}

export function createStoredGroupAliases(client: ClickHouseClient, options: { refreshMs?: number; now?: () => number } = {}): GroupAliases {
  const refreshMs = options.refreshMs ?? 10_000;
  const now = options.now ?? Date.now;
  let links = new Map<string, string>();
  let readAt = -Infinity;
  let reading: Promise<void> | undefined;

  async function reread(): Promise<void> {
    const startedAt = now();
    const result = await client.query({ query: 'SELECT alias, canonical FROM group_aliases FINAL', format: 'JSONEachRow' });
    const fresh = new Map((await result.json<{ alias: string; canonical: string }>()).map((r) => [r.alias, r.canonical] as const));
    for (const [alias, canonical] of links) if (!fresh.has(alias)) fresh.set(alias, canonical);
    links = fresh;
    readAt = startedAt;
  }

  async function current(): Promise<Map<string, string>> {
    if (now() - readAt >= refreshMs) {
      reading ??= reread().finally(() => {
        reading = undefined;
      });
      await reading;
    }
    return links;
  }

  return {
    async resolve(group) {
      return resolveAlias(await current(), group);
    },
    async link(alias, canonical) {
      const target = resolveAlias(await current(), canonical);
      if (target === alias || links.get(alias) === target) return;
      links.set(alias, target);
      await client.insert({ table: 'group_aliases', format: 'JSONEachRow', values: [{ alias, canonical: target, created_at: now() }] });
    },
  };
}
