/** The embedded store on the real engine: per-call settings must not leak into later calls. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrate.ts';
import type { Store } from './store.ts';
import { openEmbeddedStore } from '../../test/support/store.ts';

describe('embedded store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openEmbeddedStore(mkdtempSync(path.join(tmpdir(), 'grouppulse-store-')));
    await migrate(store.client);
  });
  afterAll(() => store.close());

  it('does not let one insert’s deduplication token drop the next inserts', async () => {
    const row = (id: string) => ({ event_id: id, type: 'message', group_id: 'g', at: 1, received_at: 1, source: 's', person: 'p', kind: 'text', forwarded: false, members: null, admins: null, title: '', division: 'd', category: 'c', unit_path: [] });
    await store.client.insert({ table: 'events', values: [row('a')], format: 'JSONEachRow', clickhouse_settings: { insert_deduplication_token: 'batch-1' } });
    await store.client.insert({ table: 'events', values: [row('b')], format: 'JSONEachRow' });
    await store.client.insert({ table: 'events', values: [row('c')], format: 'JSONEachRow' });
    await store.client.insert({ table: 'events', values: [row('a')], format: 'JSONEachRow', clickhouse_settings: { insert_deduplication_token: 'batch-1' } });
    const result = await store.client.query({ query: 'SELECT groupArray(event_id) AS ids FROM (SELECT event_id FROM events ORDER BY event_id)', format: 'JSONEachRow' });
    expect((await result.json<{ ids: string[] }>())[0]!.ids).toEqual(['a', 'b', 'c']);
  });
});
