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
import { migrate } from '../common/store/migrate.ts';
import type { Store } from '../common/store/store.ts';
import { UNASSIGNED_PLACEMENT } from '../common/placement.ts';
import { toEventRow } from './rows.ts';
import { writeEventRows } from './write-batch.ts';
import { batchOfEveryKind, messagesPerTable, openEmbeddedStore } from '../test/support/store.ts';

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
    const rows = batchOfEveryKind().map((e) => toEventRow(e, UNASSIGNED_PLACEMENT, { partition: 0, nextOffset: '30' }));
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
