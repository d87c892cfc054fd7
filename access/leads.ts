/**
 * Who leads a unit: users with the lead role whose scope (roles.ts#allowedDivisions) covers the
 * unit — the alerts' recipients. Read from the users table, cached briefly so a tick with thousands of
 * alerts costs one read.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { toAuthUser } from './auth-service.ts';
import { allowedDivisions } from './roles.ts';
import { createUsersRepository } from './users-repository.ts';

export interface LeadLookup {
  /** Usernames of the active leads responsible for a unit (a division, or the unit above it). */
  leadsOf(unitId: string): Promise<string[]>;
  /** The leads of any of these units, each once (a source-down alert: the leads of every division it feeds). */
  leadsOfAny(unitIds: readonly string[]): Promise<string[]>;
  /** Every unit that has leads, with them (the daily compliance digest goes to each). */
  ledUnits(): Promise<Map<string, string[]>>;
  /** Drop what is cached: the next lookup reads the users again (the detector does at each tick, so a new lead's alerts reach them). */
  forget(): void;
}

export function createLeadLookup(client: ClickHouseClient, options: { cacheMs?: number; now?: () => number } = {}): LeadLookup {
  const users = createUsersRepository(client, { cacheMs: 0 });
  const cacheMs = options.cacheMs ?? 30_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; byUnit: Map<string, string[]> } | undefined;

  async function byUnit(): Promise<Map<string, string[]>> {
    if (cached && now() - cached.at < cacheMs && now() >= cached.at) return cached.byUnit;
    const map = new Map<string, string[]>();
    for (const stored of await users.list()) {
      if (stored.disabled || !stored.roles.includes('lead')) continue;
      for (const unit of allowedDivisions(toAuthUser(stored))) {
        const list = map.get(unit);
        if (list) list.push(stored.username);
        else map.set(unit, [stored.username]);
      }
    }
    cached = { at: now(), byUnit: map };
    return map;
  }

  return {
    async leadsOf(unitId) {
      return [...((await byUnit()).get(unitId) ?? [])].sort();
    },
    async leadsOfAny(unitIds) {
      const map = await byUnit();
      return [...new Set(unitIds.flatMap((id) => map.get(id) ?? []))].sort();
    },
    forget() {
      cached = undefined;
    },
    async ledUnits() {
      return new Map([...(await byUnit())].map(([unit, leads]) => [unit, [...leads].sort()]));
    },
  };
}
