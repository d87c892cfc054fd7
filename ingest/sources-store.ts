/**
 * Registered sources in ClickHouse (table `sources`, migration 0010): name, SHA-256 digest of the
 * token (never the token), created, revoked. The CLI adds, lists and revokes; ingest authenticates.
 *
 * Revocation bound: with `cacheMs = 0` (the default, INGEST_SOURCES_CACHE_MS) every request reads
 * the table, so a revocation written by the CLI or any instance stops the token on every ingest
 * instance at the next request. With `cacheMs > 0` an instance trusts a token it has seen for up
 * to `cacheMs`; a revocation through this same registry object drops it from the cache at once,
 * one made elsewhere (CLI, another instance) takes effect within `cacheMs`.
 */
import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { digestToken } from '../common/http/credentials.ts';
import type { Source, SourceRegistry } from './sources.ts';

/** Names the process uses itself: the INGEST_TOKEN source and the webhook adapters. */
export const RESERVED_SOURCE_NAMES: ReadonlySet<string> = new Set(['default', 'whatsapp', 'telegram']);

const SOURCE_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export interface StoredSource {
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export type SourceOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

export interface SourcesStore extends SourceRegistry {
  /** Register a source; the token is returned once and never stored. */
  add(name: string): Promise<SourceOutcome<{ name: string; token: string }>>;
  list(): Promise<StoredSource[]>;
  revoke(name: string): Promise<SourceOutcome<StoredSource>>;
}

interface SourceRow {
  name: string;
  token_sha256: string;
  created_at: string;
  revoked_at: string | null;
}

function toDate(value: string): Date {
  return new Date(value.replace(' ', 'T') + 'Z');
}

export function newSourceToken(): string {
  return `gps_${randomBytes(24).toString('base64url')}`;
}

export function createSourcesStore(client: ClickHouseClient, options: { cacheMs?: number; now?: () => number } = {}): SourcesStore {
  const cacheMs = options.cacheMs ?? 0;
  const now = options.now ?? Date.now;
  const trusted = new Map<string, { source: Source; until: number }>();

  async function rowsWhere(condition: string, params: Record<string, string>): Promise<SourceRow[]> {
    const result = await client.query({
      query: `SELECT name, token_sha256, toString(created_at) AS created_at, if(isNull(revoked_at), NULL, toString(revoked_at)) AS revoked_at
              FROM sources FINAL WHERE ${condition} ORDER BY name`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return result.json<SourceRow>();
  }

  function stored(row: SourceRow): StoredSource {
    return { name: row.name, createdAt: toDate(row.created_at), revokedAt: row.revoked_at ? toDate(row.revoked_at) : null };
  }

  async function write(row: { name: string; token_sha256: string; created_at: number; revoked_at: number | null }): Promise<void> {
    await client.insert({ table: 'sources', format: 'JSONEachRow', values: [{ ...row, version: now() * 1000 + (row.revoked_at === null ? 0 : 1) }] });
  }

  return {
    async authenticate(token) {
      const digest = digestToken(token).toString('hex');
      const cached = trusted.get(digest);
      if (cached && cached.until > now()) return cached.source;
      trusted.delete(digest);
      const [row] = await rowsWhere('token_sha256 = {digest:String}', { digest });
      if (!row || row.revoked_at !== null) return undefined;
      const source = { name: row.name };
      if (cacheMs > 0) trusted.set(digest, { source, until: now() + cacheMs });
      return source;
    },
    async add(name) {
      if (!SOURCE_NAME.test(name)) return { ok: false, error: `source name "${name.slice(0, 80)}" is not valid: 1–64 characters, lower-case letters, digits, . _ - (starting with a letter or digit)` };
      if (RESERVED_SOURCE_NAMES.has(name)) return { ok: false, error: `source name "${name}" is reserved (${[...RESERVED_SOURCE_NAMES].join(', ')} are used by the process itself)` };
      const [existing] = await rowsWhere('name = {name:String}', { name });
      if (existing) return { ok: false, error: `a source named "${name}" already exists${existing.revoked_at ? ' (revoked; names are not reused so old events stay attributable)' : ''}` };
      const token = newSourceToken();
      await write({ name, token_sha256: digestToken(token).toString('hex'), created_at: now(), revoked_at: null });
      return { ok: true, value: { name, token } };
    },
    async list() {
      return (await rowsWhere('1', {})).map(stored);
    },
    async revoke(name) {
      const [existing] = await rowsWhere('name = {name:String}', { name });
      if (!existing) return { ok: false, error: `no source named "${name}"` };
      if (existing.revoked_at) return { ok: false, error: `source "${name}" was already revoked at ${toDate(existing.revoked_at).toISOString()}` };
      const revokedAt = now();
      trusted.delete(existing.token_sha256);
      await write({ name, token_sha256: existing.token_sha256, created_at: toDate(existing.created_at).getTime(), revoked_at: revokedAt });
      trusted.delete(existing.token_sha256);
      return { ok: true, value: { ...stored(existing), revokedAt: new Date(revokedAt) } };
    },
  };
}

/** Try each registry in turn: INGEST_TOKEN's `default` first, then the stored sources. */
export function combineSourceRegistries(...registries: SourceRegistry[]): SourceRegistry {
  return {
    async authenticate(token) {
      for (const registry of registries) {
        const source = await registry.authenticate(token);
        if (source) return source;
      }
      return undefined;
    },
  };
}
