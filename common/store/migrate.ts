/**
 * Versioned migrations: numbered SQL files in ./migrations (`0001_name.sql`), applied in order on start and
 * recorded in `schema_migrations`. Never edit a file after it landed: add a new one.
 *
 * One migrator at a time. Several services start at once against one ClickHouse server (docker compose
 * starts them together); checking what is applied and then applying the rest, each on its own, let two of
 * them run the same migration at once: a view detached by one while another attached it, a view altered
 * again after the migration that reloads it. So applying takes the migration lock (below); a service whose
 * migrations are all recorded takes nothing, and one that finds another migrator at work waits, until the
 * versions it needs are recorded or the lock is free, for at most `waitMs`, then fails saying who holds it.
 *
 * Every statement of a migration is safe to run again (IF [NOT] EXISTS, a copy guarded by its target being
 * empty, …): a migrator that dies half-way leaves its migration unrecorded, and the next one runs all of it.
 *
 * The lock (ClickHouse has no Keeper here, and no row-level compare-and-set): a lock is a table
 * `schema_migrations_lock_<n>`, and the one with the highest n is the current one. Taking the lock is
 * `CREATE TABLE IF NOT EXISTS schema_migrations_lock_<n+1> … COMMENT '<owner>'`, tried only when lock n is
 * released or its lease ran out: ClickHouse creates a table name under a per-name DDL guard, so of any number
 * of callers exactly one creates it and the others find it there; the creator is the one whose name is the
 * table's comment, set by the CREATE itself. Its holder writes lease rows into its own
 * table (a heartbeat every leaseMs / 6, on the server's clock) and, when done, a released row. Nobody but the
 * holder writes to a lock table, and a holder's authority is "my n is the highest": before each statement it
 * checks that, so a holder that stalled past its lease while another took over stops instead of going on
 * (the window left is the one statement between that check and its execution). Lock tables older than the
 * holder's are dropped when it is done; should a caller with an outdated view create one of those names
 * again, it sees a higher n right after and drops its table without having run anything.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_PREFIX = 'schema_migrations_lock_';
const UNKNOWN_TABLE = '60';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export interface MigrateOptions {
  /** How long to wait for another migrator before failing (ms). */
  waitMs?: number;
  /** A lock not renewed for this long is taken over: its holder died (ms). */
  leaseMs?: number;
  /** Who this migrator is, in the lock and in messages; default host:pid:random. */
  owner?: string;
  /** Told when this migrator starts waiting for another one (once per holder). */
  onWait?: (holder: LockHolder) => void;
}

/** The migrator holding the lock, as a waiter sees it. */
export interface LockHolder {
  generation: number;
  owner: string;
  /** When its lease runs out unless renewed (server clock, ISO). */
  leaseEnd: string;
}

export const MIGRATION_DEFAULTS = { waitMs: 600_000, leaseMs: 30_000 } as const;

/** Split a migration file into statements: `;` at the end of a line ends one; `--` lines are comments. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      statements: splitStatements(readFileSync(path.join(dir, file), 'utf8')),
    }));
}

/**
 * Apply every migration not yet recorded, one migrator at a time (see above); returns the names this call
 * applied (none when another migrator applied them, or they were applied already).
 */
export async function migrate(client: ClickHouseClient, migrations = listMigrations(), options: MigrateOptions = {}): Promise<string[]> {
  const waitMs = options.waitMs ?? MIGRATION_DEFAULTS.waitMs;
  const leaseMs = options.leaseMs ?? MIGRATION_DEFAULTS.leaseMs;
  // It goes into a table comment as it is: letters, digits and . : _ - only.
  const owner = (options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`).replace(/[^\w.:-]/g, '_');
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
            (version UInt32, name String, applied_at DateTime DEFAULT now())
            ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const deadline = Date.now() + waitMs;
  const emptySince = new Map<number, number>();
  let toldAbout = '';
  for (;;) {
    if ((await missing(client, migrations)).length === 0) return [];
    const attempt = await tryLock(client, owner, leaseMs, emptySince);
    if ('lease' in attempt) {
      try {
        return await applyHolding(client, migrations, attempt.lease);
      } finally {
        await attempt.lease.release();
      }
    }
    const holder = attempt.holder;
    if (Date.now() >= deadline) {
      const still = (await missing(client, migrations)).map((m) => m.name);
      if (still.length === 0) return [];
      const who = holder ? `migrator ${holder.owner} holds the lock (${LOCK_PREFIX}${holder.generation}, lease until ${holder.leaseEnd})` : 'the lock changed hands all along';
      throw new Error(`gave up after ${Number((waitMs / 1000).toFixed(1))} s waiting for the schema migrations: ${who}; not yet applied: ${still.join(', ')}`);
    }
    if (holder && `${holder.generation}:${holder.owner}` !== toldAbout) {
      toldAbout = `${holder.generation}:${holder.owner}`;
      options.onWait?.(holder);
    }
    await sleep(150 + Math.random() * 350);
  }
}

async function missing(client: ClickHouseClient, migrations: Migration[]): Promise<Migration[]> {
  const result = await client.query({ query: 'SELECT DISTINCT version FROM schema_migrations', format: 'JSONEachRow' });
  const applied = new Set((await result.json<{ version: number }>()).map((r) => Number(r.version)));
  return migrations.filter((m) => !applied.has(m.version));
}

async function applyHolding(client: ClickHouseClient, migrations: Migration[], lease: Lease): Promise<string[]> {
  // Read again under the lock: the previous holder may have applied some while this one waited.
  const todo = await missing(client, migrations);
  const done: string[] = [];
  for (const migration of todo) {
    for (const statement of migration.statements) {
      await lease.check();
      await client.command({ query: statement });
    }
    await lease.check();
    await client.insert({ table: 'schema_migrations', values: [{ version: migration.version, name: migration.name }], format: 'JSONEachRow' });
    done.push(migration.name);
  }
  return done;
}

// ---------------------------------------------------------------- the lock

interface Lease {
  /** Throws unless this lease is still the current lock (the highest generation). */
  check(): Promise<void>;
  /** Stop renewing, mark released, drop older lock tables. */
  release(): Promise<void>;
}

interface LockState {
  generation: number;
  owner: string;
  leaseEnd: string;
  free: boolean;
}

const lockTable = (generation: number) => `${LOCK_PREFIX}${generation}`;

async function latestGeneration(client: ClickHouseClient): Promise<number> {
  const result = await client.query({
    query: `SELECT max(toUInt64OrZero(substring(name, {from:UInt32}))) AS generation FROM system.tables
            WHERE database = currentDatabase() AND startsWith(name, {prefix:String})`,
    query_params: { prefix: LOCK_PREFIX, from: LOCK_PREFIX.length + 1 },
    format: 'JSONEachRow',
  });
  return Number((await result.json<{ generation: string | number }>())[0]?.generation ?? 0);
}

/**
 * The current lock and whether it may be taken (released, or its lease ran out); undefined when none exists.
 * A lock table without lease rows yet (its holder just created it) holds for leaseMs from when this migrator
 * first saw it so (`emptySince`, this process's clock): the engines do not all tell when a table was created.
 */
async function lockState(client: ClickHouseClient, leaseMs: number, emptySince: Map<number, number>): Promise<LockState | undefined> {
  const generation = await latestGeneration(client);
  if (generation === 0) return undefined;
  let row: { owner: string; released: number; rows: string; lease_end: string; expired: number };
  try {
    const result = await client.query({
      query: `SELECT argMax(owner, expires_at) AS owner, max(released) AS released, count() AS rows,
                     max(expires_at) AS lease_end, lease_end < now64(3, 'UTC') AS expired
              FROM {table:Identifier}`,
      query_params: { table: lockTable(generation) },
      format: 'JSONEachRow',
    });
    row = (await result.json<typeof row>())[0]!;
  } catch (error) {
    // Dropped between the two reads (an old generation cleaned up): look again.
    if (clickhouseCode(error) === UNKNOWN_TABLE) return lockState(client, leaseMs, emptySince);
    throw error;
  }
  if (Number(row.rows) === 0) {
    const since = emptySince.get(generation) ?? Date.now();
    emptySince.set(generation, since);
    return { generation, owner: '(taking the lock)', leaseEnd: new Date(since + leaseMs).toISOString(), free: Date.now() - since > leaseMs };
  }
  return { generation, owner: row.owner, leaseEnd: row.lease_end, free: Number(row.released) === 1 || Number(row.expired) === 1 };
}

async function tryLock(client: ClickHouseClient, owner: string, leaseMs: number, emptySince: Map<number, number>): Promise<{ lease: Lease } | { holder: LockHolder | undefined }> {
  const state = await lockState(client, leaseMs, emptySince);
  if (state && !state.free) return { holder: state };
  const generation = (state?.generation ?? 0) + 1;
  const table = lockTable(generation);
  // IF NOT EXISTS: of all callers one creates the table, with its own name as the comment; the others find it.
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${table} (owner String, expires_at DateTime64(3, 'UTC'), released UInt8) ENGINE = MergeTree ORDER BY tuple() COMMENT '${owner}'`,
  });
  const creator = await rows<{ comment: string }>(client, 'SELECT comment FROM system.tables WHERE database = currentDatabase() AND name = {table:String}', { table });
  if (creator[0]?.comment !== owner) return { holder: state };
  // Created from an outdated view (a higher generation exists): not ours to hold.
  if ((await latestGeneration(client)) !== generation) {
    await client.command({ query: `DROP TABLE IF EXISTS ${table}` });
    return { holder: undefined };
  }
  return { lease: await holdLease(client, owner, generation, leaseMs) };
}

async function holdLease(client: ClickHouseClient, owner: string, generation: number, leaseMs: number): Promise<Lease> {
  const table = lockTable(generation);
  const renew = (released: 0 | 1) =>
    client.command({
      query: `INSERT INTO ${table} SELECT {owner:String}, now64(3, 'UTC') + toIntervalMillisecond({lease:UInt32}), {released:UInt8}`,
      query_params: { owner, lease: leaseMs, released },
    });
  await renew(0);
  let renewal: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // A renewal that fails is harmless: if the lease runs out and another migrator takes over, check() says so.
    renewal = renewal.then(() => renew(0)).catch(() => undefined);
  }, Math.max(100, Math.floor(leaseMs / 6)));
  timer.unref();
  return {
    async check() {
      const latest = await latestGeneration(client);
      if (latest !== generation) {
        throw new Error(`lost the schema migrations lock (${table}) to ${lockTable(latest)}: this migrator did not renew its lease for ${leaseMs} ms (stalled?) and another took over; stopping before the next statement`);
      }
    },
    async release() {
      clearInterval(timer);
      await renewal;
      if ((await latestGeneration(client)) !== generation) return;
      await renew(1);
      const older = await client.query({
        query: `SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, {prefix:String})
                AND toUInt64OrZero(substring(name, {from:UInt32})) < {generation:UInt64}`,
        query_params: { prefix: LOCK_PREFIX, from: LOCK_PREFIX.length + 1, generation },
        format: 'JSONEachRow',
      });
      for (const { name } of await older.json<{ name: string }>()) await client.command({ query: `DROP TABLE IF EXISTS ${name}` });
    },
  };
}

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  return (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

function clickhouseCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
