/**
 * The ClickHouse store for tests that read or write it directly, on the engine their vitest project runs
 * on (`clickhouseEngine`: the embedded engine, or the ClickHouse server of the global setup), and what
 * they check in it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { inject } from 'vitest';
import type { BusEvent } from '../../common/events.ts';
import { createStore, type Store } from '../../common/store/store.ts';
import { TEST_DATABASE_PREFIX } from './clickhouse-server.ts';

/** The in-process engine at `dir` (no ClickHouse server, whatever the environment says). */
export function openEmbeddedStore(dir: string): Promise<Store> {
  return createStore({ DATA_DIR: dir, CLICKHOUSE_DATABASE: 'grouppulse', CLICKHOUSE_URL: undefined, CLICKHOUSE_USER: undefined, CLICKHOUSE_PASSWORD: undefined });
}

/**
 * The database of one test deployment on the server: named after its data dir, so a deployment restarted on
 * the same data dir finds its tables again; random without one.
 */
export function testDatabase(dataDir?: string): string {
  const suffix = dataDir ? createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12) : randomBytes(6).toString('hex');
  return `${TEST_DATABASE_PREFIX}${suffix}`;
}

/** Which engine this test file runs on (its vitest project says). */
export function testEngine(): 'embedded' | 'server' {
  return inject('clickhouseEngine');
}

/**
 * A store of its own on the project's engine: a fresh embedded data dir (`prefix` names the temp dir), or a
 * fresh database on the server (the same one again for the same `dataDir`).
 */
export function openTestStore(prefix = 'grouppulse-store-', dataDir = mkdtempSync(path.join(tmpdir(), prefix))): Promise<Store> {
  if (testEngine() === 'embedded') return openEmbeddedStore(dataDir);
  return createStore({ DATA_DIR: dataDir, CLICKHOUSE_DATABASE: testDatabase(dataDir), CLICKHOUSE_URL: inject('clickhouseUrl'), CLICKHOUSE_USER: undefined, CLICKHOUSE_PASSWORD: undefined });
}

/** Rows of the raw table and messages per table the processor's insert feeds: a batch counted twice shows where. */
export async function messagesPerTable(client: ClickHouseClient): Promise<Record<string, number>> {
  const result = await client.query({
    query: `SELECT (SELECT count() FROM events) AS events, (SELECT countIf(type = 'message') FROM events) AS messages, (SELECT count() FROM event_keys FINAL) AS event_keys,
                   (SELECT sum(messages) FROM rollup_minute) AS rollup_minute, (SELECT sum(messages) FROM rollup_day) AS rollup_day,
                   (SELECT sum(messages) FROM rollup_group_hour) AS rollup_group_hour, (SELECT sum(messages) FROM rollup_group_day) AS rollup_group_day`,
    format: 'JSONEachRow',
  });
  return Object.fromEntries(Object.entries((await result.json<Record<string, string | number>>())[0]!).map(([table, n]) => [table, Number(n)]));
}

/**
 * Whether every rollup holds the messages the raw table holds. No transaction spans a table and the views it
 * feeds: for a moment after an insert, `events` can show rows its views' tables do not have yet, so a test that
 * waited for `events` and then reads a rollup waits for this too.
 */
export async function rollupsCaughtUp(client: ClickHouseClient): Promise<boolean> {
  const counted = (table: string) => `(SELECT sum(messages) + sum(joins) + sum(leaves) FROM ${table})`;
  const result = await client.query({
    query: `SELECT (SELECT countIf(type IN ('message', 'member_joined', 'member_left')) FROM events) AS raw,
                   ${['rollup_minute', 'rollup_day', 'rollup_group_hour', 'rollup_group_day'].map((t) => `${counted(t)} AS ${t}`).join(', ')}`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<Record<string, string | number>>();
  return Object.values(row!).every((n) => Number(n) === Number(row!.raw));
}

/** One batch of 30 events of every kind (so every view gets rows), on 2026-11-22; `messagesPerTable` of it written once is BATCH_OF_EVERY_KIND. */
export function batchOfEveryKind(): BusEvent[] {
  const at = Date.parse('2026-11-22T10:00:00Z');
  const base = { v: 1 as const, source: 'wa-1', receivedAt: at };
  return Array.from({ length: 30 }, (_, i): BusEvent => {
    const common = { ...base, id: `e${i}`, group: `wa:g${i % 4}`, at: at + i * 1000 };
    if (i % 10 === 3) return { ...common, type: 'member_joined', person: `p${i}` } as BusEvent;
    if (i % 10 === 6) return { ...common, type: 'member_left', person: `p${i}` } as BusEvent;
    if (i % 10 === 9) return { ...common, type: 'group_snapshot', person: '', members: 40 + i, admins: 2, title: `Group ${i % 4}` } as BusEvent;
    return { ...common, type: 'message', person: `p${i % 7}`, kind: i % 2 ? 'image' : 'text', forwarded: i % 5 === 0 };
  });
}
export const BATCH_OF_EVERY_KIND = { events: 30, messages: 21, event_keys: 30, rollup_minute: 21, rollup_day: 21, rollup_group_hour: 21, rollup_group_day: 21 };
