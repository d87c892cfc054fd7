/**
 * A batch written, then replayed with the same token after the embedded engine restarted (the
 * processor was SIGKILLed between its insert and its offset commit), must count once in the raw table
 * and in every materialized view's table. The write happens in the process that ran the migrations, as
 * it does on a fresh data dir: migration 0070 altered rollup_minute_mv there, and until 0071 reloaded
 * it, the view's blocks got other deduplication ids than after a restart, so the replay doubled them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../common/events.ts';
import { migrate } from '../common/store/migrate.ts';
import type { Store } from '../common/store/store.ts';
import { UNASSIGNED_PLACEMENT } from '../common/placement.ts';
import { toEventRow } from './rows.ts';
import { writeEventRows } from './write-batch.ts';
import { messagesPerTable, openEmbeddedStore } from '../test/support/store.ts';

/** Every kind of event, so every view gets rows. */
function batch(): BusEvent[] {
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

/** Active parts per table: a block written again is a new part (merges are stopped while counting). */
async function partsPerTable(store: Store): Promise<Record<string, number>> {
  const result = await store.client.query({ query: `SELECT table, toUInt32(count()) AS parts FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table`, format: 'JSONEachRow' });
  return Object.fromEntries((await result.json<{ table: string; parts: number }>()).map((r) => [r.table, Number(r.parts)]));
}

describe('a batch replayed after the engine restarted', () => {
  let store: Store | undefined;
  afterAll(() => store?.close());

  it('counts once in the raw table and in every view, when the first write came from the process that migrated', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'grouppulse-replay-'));
    const rows = batch().map((e) => toEventRow(e, UNASSIGNED_PLACEMENT, { partition: 0, nextOffset: '30' }));
    store = await openEmbeddedStore(dir);
    await migrate(store.client);
    await writeEventRows(store.client, rows, 'events:0:0-29');
    const written = await messagesPerTable(store.client);
    expect(written).toEqual({ events: 30, messages: 21, event_keys: 30, rollup_minute: 21, rollup_day: 21, rollup_group_hour: 21, rollup_group_day: 21 });
    await store.close();

    store = await openEmbeddedStore(dir);
    await store.client.command({ query: 'SYSTEM STOP MERGES' });
    const partsBefore = await partsPerTable(store);
    await writeEventRows(store.client, rows, 'events:0:0-29');
    expect(await messagesPerTable(store.client)).toEqual(written);
    expect(await partsPerTable(store)).toEqual(partsBefore);
  });
});
