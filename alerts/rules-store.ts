/**
 * The alert rules in effect, and where they come from. Three layers, the highest present wins whole
 * (no merging between layers, so what the screen shows is exactly what runs):
 *
 *   1. an edit saved on the admin screen (PUT /api/v1/admin/alert-rules), stored in ClickHouse
 *      (alert_rules_edits) so it survives restarts and reaches every process;
 *   2. ALERT_RULES_FILE, read once at start;
 *   3. the defaults (alerts/rules.ts).
 *
 * Withdrawing the screen's edit (DELETE …/alert-rules) brings the file (or the defaults) back. Every
 * process re-reads the store at most every `cacheMs`, so an edit takes effect within that on the
 * detector's next tick and on the api's next read.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { AlertRulesOrigin } from '../common/contracts/admin.ts';
import type { Logger } from '../common/logger.ts';
import { AlertRulesError, parseAlertRules, type AlertRules } from './rules.ts';

export type RulesOrigin = AlertRulesOrigin;

export interface RulesInEffect {
  rules: AlertRules;
  origin: RulesOrigin;
  /** What was saved on the screen, as saved (the keys the admin wrote), when the screen's edit is in effect. */
  edited?: unknown;
}

export type SaveOutcome = { ok: true; rules: AlertRules } | { ok: false; error: string };

export interface RulesBook {
  /** The rules as last read (synchronous; `refresh` keeps it current). */
  current(): AlertRules;
  /** Re-read the store when the last read is older than `cacheMs`; the rules and their origin. */
  refresh(): Promise<RulesInEffect>;
  /** Validate and store a whole rules object (every key optional, defaults below it); in effect at once in this process. */
  save(input: unknown, by: string, at: number): Promise<SaveOutcome>;
  /** Withdraw the screen's edit: the file's rules (or the defaults) are in effect again. */
  revert(by: string, at: number): Promise<RulesInEffect>;
}

export interface RulesBookOptions {
  /** Rules from ALERT_RULES_FILE or the defaults (alerts/rules.ts#loadAlertRules). */
  base: AlertRules;
  file?: string;
  cacheMs?: number;
  now?: () => number;
  /** Told where the rules in effect come from whenever that changes (at the first read too). */
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** The log line for rules now in effect from `origin`. */
function originLine(origin: RulesOrigin): string {
  if (origin.kind === 'screen') return `alert rules: the edit saved on the admin screen is in effect${origin.file ? `, over ALERT_RULES_FILE ${origin.file}` : ''}`;
  return origin.kind === 'file' ? `alert rules: from ALERT_RULES_FILE ${origin.file}` : 'alert rules: the defaults';
}

export function createRulesBook(client: ClickHouseClient | undefined, options: RulesBookOptions): RulesBook {
  const cacheMs = options.cacheMs ?? 10_000;
  const now = options.now ?? Date.now;
  const baseOrigin: RulesOrigin = options.file ? { kind: 'file', file: options.file } : { kind: 'defaults' };
  let inEffect: RulesInEffect = { rules: options.base, origin: baseOrigin };
  let readAt = -Infinity;
  let lastVersion = 0;
  let told = '';
  const screenOrigin = (editedBy: string, editedAt: number): RulesOrigin => ({ kind: 'screen', editedBy, editedAt, ...(options.file ? { file: options.file } : {}) });

  /** Log where the rules come from when that changed since last told. */
  function tell(effect: RulesInEffect, unreadable?: string): void {
    const key = JSON.stringify(effect.origin) + (unreadable ?? '');
    if (key === told) return;
    told = key;
    if (unreadable) options.logger?.warn({ reason: unreadable }, `alert rules: the edit saved on the admin screen no longer reads as rules; ${effect.origin.kind === 'file' ? 'the rules of ALERT_RULES_FILE' : 'the defaults'} hold until it is saved again or withdrawn`);
    else options.logger?.info({ origin: effect.origin }, originLine(effect.origin));
  }

  /** The rules in effect by the store, and why a stored edit was not taken (it no longer reads as rules). */
  async function read(): Promise<{ effect: RulesInEffect; unreadable?: string }> {
    if (!client) return { effect: inEffect };
    const result = await client.query({
      query: `SELECT rules, edited_by, toUnixTimestamp64Milli(edited_at) AS edited_at, toString(version) AS version
              FROM alert_rules_edits ORDER BY version DESC LIMIT 1`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rules: string; edited_by: string; edited_at: string | number; version: string }>();
    const base: RulesInEffect = { rules: options.base, origin: baseOrigin };
    if (!row || row.rules === '') return { effect: base };
    try {
      const edited = JSON.parse(row.rules) as unknown;
      return { effect: { rules: parseAlertRules(edited, 'the rules saved on the admin screen'), origin: screenOrigin(row.edited_by, Number(row.edited_at)), edited } };
    } catch (error) {
      // A stored edit that no longer parses (an older version's keys): the base rules hold, the screen shows the origin.
      return { effect: base, unreadable: (error as Error).message };
    }
  }

  /** Put `effect` in force as of now, and say so when its origin changed. */
  function settle(effect: RulesInEffect, unreadable?: string): RulesInEffect {
    inEffect = effect;
    readAt = now();
    tell(effect, unreadable);
    return effect;
  }

  async function write(rules: string, by: string, at: number): Promise<void> {
    // Versions strictly increase even when two saves fall in one millisecond.
    lastVersion = Math.max(lastVersion + 1, at * 1000);
    await client!.insert({ table: 'alert_rules_edits', values: [{ rules, edited_by: by, edited_at: at, version: lastVersion }], format: 'JSONEachRow' });
    readAt = -Infinity;
  }

  return {
    current: () => inEffect.rules,
    async refresh() {
      if (now() - readAt < cacheMs && now() >= readAt) return inEffect;
      const { effect, unreadable } = await read();
      return settle(effect, unreadable);
    },
    async save(input, by, at) {
      let rules: AlertRules;
      try {
        rules = parseAlertRules(input, 'rules');
      } catch (error) {
        if (error instanceof AlertRulesError) return { ok: false, error: error.message };
        throw error;
      }
      if (!client) return { ok: false, error: 'rules cannot be saved without the store' };
      await write(JSON.stringify(input ?? {}), by, at);
      settle({ rules, origin: screenOrigin(by, at), edited: input ?? {} });
      return { ok: true, rules };
    },
    async revert(by, at) {
      if (client) await write('', by, at);
      return settle({ rules: options.base, origin: baseOrigin });
    },
  };
}
