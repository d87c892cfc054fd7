/**
 * Migrations with several migrators at once, on the engine of the project (embedded, or a ClickHouse server):
 * five services that start at the same moment must end with the schema exactly right, every time. Before the
 * migration lock, each checked what was applied and then applied the rest on its own: on a server, views were
 * left detached, migrations recorded twice, and a late racer altering rollup_minute_mv again after 0071 had
 * reloaded it made a batch replayed after a restart count twice in rollup_minute.
 *
 * On a server this file runs a server of its own (scripts/clickhouse-local), because it restarts it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNASSIGNED_PLACEMENT } from '../placement.ts';
import { toEventRow } from '../../processor/rows.ts';
import { writeEventRows } from '../../processor/write-batch.ts';
import { startLocalClickHouse, type LocalClickHouse } from '../../test/support/clickhouse-server.ts';
import { BATCH_OF_EVERY_KIND, batchOfEveryKind, messagesPerTable, openEmbeddedStore, testDatabase, testEngine } from '../../test/support/store.ts';
import { listMigrations, migrate, type Migration } from './migrate.ts';
import { createStore, type Store } from './store.ts';

const engine = testEngine();
const RACERS = 5;
/** Races per run: each a fresh database (server) or data dir (embedded) that five migrators start on at once. */
const TRIALS = engine === 'server' ? 10 : 5;
const MIGRATIONS = listMigrations();

/** A deployment: where its data is, and how to open one more store on it. */
interface Place {
  name: string;
  open(): Promise<Store>;
}

let server: LocalClickHouse | undefined;

function newPlace(): Place {
  const dir = mkdtempSync(path.join(tmpdir(), 'grouppulse-migrate-'));
  if (engine === 'embedded') return { name: dir, open: () => openEmbeddedStore(dir) };
  const database = testDatabase();
  return {
    name: database,
    open: () => createStore({ CLICKHOUSE_URL: server!.url, CLICKHOUSE_DATABASE: database, DATA_DIR: dir, CLICKHOUSE_USER: undefined, CLICKHOUSE_PASSWORD: undefined }),
  };
}

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}

/** Every table and view with its CREATE statement (the database's name taken out), lock tables aside. */
async function schemaOf(client: ClickHouseClient): Promise<Record<string, string>> {
  const tables = await rows<{ name: string; create: string }>(
    client,
    `SELECT name, replaceAll(create_table_query, currentDatabase() || '.', '') AS create FROM system.tables
     WHERE database = currentDatabase() AND NOT startsWith(name, 'schema_migrations_lock_') ORDER BY name`,
  );
  return Object.fromEntries(tables.map((t) => [t.name, t.create]));
}

/** How many rows record each version. */
async function recorded(client: ClickHouseClient): Promise<Record<number, number>> {
  const result = await rows<{ version: number; n: string }>(client, 'SELECT version, count() AS n FROM schema_migrations GROUP BY version');
  return Object.fromEntries(result.map((r) => [Number(r.version), Number(r.n)]));
}

async function locksLeft(client: ClickHouseClient): Promise<{ tables: string[]; released: number }> {
  const tables = (await rows<{ name: string }>(client, `SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, 'schema_migrations_lock_')`)).map((r) => r.name);
  const released = tables.length === 1 ? Number((await rows<{ r: number }>(client, `SELECT max(released) AS r FROM {t:Identifier}`, { t: tables[0] }))[0]!.r) : 0;
  return { tables, released };
}

/** Five migrators, each with a store of its own, started at the same moment. */
async function race(place: Place): Promise<{ applied: string[][]; stores: Store[] }> {
  const stores = await Promise.all(Array.from({ length: RACERS }, () => place.open()));
  try {
    const applied = await Promise.all(stores.map((store, i) => migrate(store.client, MIGRATIONS, { owner: `racer-${i}` })));
    return { applied, stores };
  } catch (error) {
    await Promise.all(stores.map((s) => s.close()));
    throw error;
  }
}

const batch = () => batchOfEveryKind().map((e) => toEventRow(e, UNASSIGNED_PLACEMENT, { partition: 0, nextOffset: '30' }));

describe(`migrations on the ${engine} engine`, () => {
  let reference: Record<string, string>;

  beforeAll(async () => {
    if (engine === 'server') server = await startLocalClickHouse();
    const store = await newPlace().open();
    try {
      await migrate(store.client, MIGRATIONS);
      reference = await schemaOf(store.client);
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(`end exactly right with ${RACERS} migrators starting at once (${TRIALS} times), and a batch replayed after a restart counts once`, async () => {
    const raced: Place[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const place = newPlace();
      const { applied, stores } = await race(place);
      try {
        const client = stores[0]!.client;
        const at = `trial ${trial} (${place.name})`;
        // Each migration applied by exactly one of them, and recorded once.
        expect(applied.flat().sort(), at).toEqual(MIGRATIONS.map((m) => m.name).sort());
        expect(await recorded(client), at).toEqual(Object.fromEntries(MIGRATIONS.map((m) => [m.version, 1])));
        // Every table and view there as one migrator alone makes them; a detached view (it stops feeding its
        // table, silently) is missing from system.tables, so from this.
        expect(await schemaOf(client), at).toEqual(reference);
        expect(await locksLeft(client), at).toEqual({ tables: [expect.stringMatching(/^schema_migrations_lock_\d+$/)], released: 1 });
        // Written right after the race, replayed after a restart (a processor killed before its commit).
        await writeEventRows(client, batch(), 'events:0:0-29');
        expect(await messagesPerTable(client), at).toEqual(BATCH_OF_EVERY_KIND);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
      if (engine === 'embedded') await replayAfterRestart(place, place.name);
      else raced.push(place);
    }
    if (engine === 'server') {
      await server!.restart();
      for (const place of raced) await replayAfterRestart(place, place.name);
    }
  });

  async function replayAfterRestart(place: Place, at: string): Promise<void> {
    const store = await place.open();
    try {
      await writeEventRows(store.client, batch(), 'events:0:0-29');
      expect(await messagesPerTable(store.client), `${at}, replayed after a restart`).toEqual(BATCH_OF_EVERY_KIND);
    } finally {
      await store.close();
    }
  }

  it('run every migration again on a migrated schema without changing it (each is safe to re-run after a crash)', async () => {
    const store = await newPlace().open();
    try {
      await migrate(store.client, MIGRATIONS);
      for (const migration of MIGRATIONS) for (const statement of migration.statements) await store.client.command({ query: statement });
      expect(await schemaOf(store.client)).toEqual(reference);
    } finally {
      await store.close();
    }
  });

  describe('the lock', () => {
    const probe = (version: number, statements: string[]): Migration => ({ version, name: `${version}_probe`, statements });
    let store: Store;
    beforeAll(async () => {
      store = await newPlace().open();
    });
    afterAll(() => store?.close());

    /** A lock table as a migrator leaves it: its lease rows, the last one ending `leaseEndsInMs` from now. */
    async function leaveLock(generation: number, owner: string, leaseEndsInMs: number): Promise<void> {
      await store.client.command({ query: `CREATE TABLE schema_migrations_lock_${generation} (owner String, expires_at DateTime64(3, 'UTC'), released UInt8) ENGINE = MergeTree ORDER BY tuple()` });
      await store.client.command({
        query: `INSERT INTO schema_migrations_lock_${generation} SELECT {owner:String}, now64(3, 'UTC') + toIntervalMillisecond({ms:Int64}), 0`,
        query_params: { owner, ms: leaseEndsInMs },
      });
    }

    it('makes a migrator wait for a live holder, and fail at its deadline naming the holder and what is not applied', async () => {
      await leaveLock(1, 'host-a:123:alive', 600_000);
      const waits: string[] = [];
      const started = Date.now();
      await expect(migrate(store.client, [probe(1, ['CREATE TABLE IF NOT EXISTS probe_one (x UInt8) ENGINE = Memory'])], { waitMs: 1_500, onWait: (h) => waits.push(h.owner) })).rejects.toThrow(
        /gave up after 1.5 s waiting for the schema migrations: migrator host-a:123:alive holds the lock \(schema_migrations_lock_1, lease until .+\); not yet applied: 1_probe/,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
      expect(waits).toEqual(['host-a:123:alive']);
      expect(await rows(store.client, `SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'probe_one'`)).toEqual([]);
    });

    it('takes over the lock of a migrator that died (its lease ran out) and drops it when done', async () => {
      // Lock 1 from the test before is still held; a dead holder's lease on top of it ran out 1 s ago.
      await leaveLock(2, 'host-b:456:dead', -1_000);
      const applied = await migrate(store.client, [probe(1, ['CREATE TABLE IF NOT EXISTS probe_one (x UInt8) ENGINE = Memory'])], { waitMs: 10_000, owner: 'survivor' });
      expect(applied).toEqual(['1_probe']);
      expect(await locksLeft(store.client)).toEqual({ tables: ['schema_migrations_lock_3'], released: 1 });
    });

    it('returns without the lock when another migrator applied what this one needs', async () => {
      await leaveLock(4, 'host-c:789:busy', 600_000);
      const waiting = migrate(store.client, [probe(1, []), probe(2, ['CREATE TABLE IF NOT EXISTS probe_two (x UInt8) ENGINE = Memory'])], { waitMs: 30_000 });
      // The holder finishes: version 2 recorded, lock released.
      await store.client.command({ query: 'CREATE TABLE IF NOT EXISTS probe_two (x UInt8) ENGINE = Memory' });
      await store.client.insert({ table: 'schema_migrations', values: [{ version: 2, name: '2_probe' }], format: 'JSONEachRow' });
      expect(await waiting).toEqual([]);
      expect((await locksLeft(store.client)).tables).toEqual(['schema_migrations_lock_3', 'schema_migrations_lock_4']);
      await store.client.command({ query: `INSERT INTO schema_migrations_lock_4 SELECT 'host-c:789:busy', now64(3, 'UTC'), 1` });
    });

    it('stops a holder whose lock another migrator took over before its next statement', async () => {
      // The first statement stands for another migrator taking over (a higher lock) while this one stalled.
      const takeover = `CREATE TABLE schema_migrations_lock_99 (owner String, expires_at DateTime64(3, 'UTC'), released UInt8) ENGINE = MergeTree ORDER BY tuple()`;
      await expect(migrate(store.client, [probe(3, [takeover, 'CREATE TABLE IF NOT EXISTS probe_three (x UInt8) ENGINE = Memory'])], { waitMs: 10_000 })).rejects.toThrow(
        /lost the schema migrations lock \(schema_migrations_lock_5\) to schema_migrations_lock_99/,
      );
      expect(await rows(store.client, `SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'probe_three'`)).toEqual([]);
      expect(await recorded(store.client)).toEqual({ 1: 1, 2: 1 });
    });
  });
});
