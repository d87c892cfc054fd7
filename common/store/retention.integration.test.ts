/** Retention settings become TTLs on the real engine: set, left alone when unchanged, enforced, removed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/support/store.ts';
import { migrate } from './migrate.ts';
import { applyRetention, ttlOf } from './retention.ts';
import type { Store } from './store.ts';

describe('retention settings', () => {
  let store: Store;
  const engineOf = async (table: string) =>
    (await (await store.client.query({ query: 'SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {t:String}', query_params: { t: table }, format: 'JSONEachRow' })).json<{ engine_full: string }>())[0]!.engine_full;
  const eventIds = async () => (await (await store.client.query({ query: 'SELECT event_id FROM events ORDER BY event_id', format: 'JSONEachRow' })).json<{ event_id: string }>()).map((r) => r.event_id);

  beforeAll(async () => {
    store = await openTestStore('grouppulse-retention-');
    await migrate(store.client);
  });
  afterAll(() => store?.close());

  it('keeps everything by default: no TTL on events, account_events or sql_audit', async () => {
    expect(await applyRetention(store.client, { EVENTS_RETENTION_DAYS: 0, SQL_AUDIT_RETENTION_DAYS: 0 })).toEqual([]);
    for (const table of ['events', 'account_events', 'sql_audit']) expect(ttlOf(await engineOf(table)), table).toBeUndefined();
  });

  it('sets the TTLs the settings ask for, once, and expires what is older', async () => {
    const row = (id: string, at: string) => ({ event_id: id, type: 'message', group_id: 'g', at, received_at: at, source: 's', person: 'p', kind: 'text', forwarded: false, members: null, admins: null, title: '', division: '', category: '', unit_path: [] });
    const recent = new Date(Date.now() - 86_400_000).toISOString().replace('T', ' ').replace('Z', '');
    await store.client.insert({ table: 'events', format: 'JSONEachRow', values: [row('old', '2020-01-01 00:00:00.000'), row('new', recent)] });
    expect(await applyRetention(store.client, { EVENTS_RETENTION_DAYS: 400, SQL_AUDIT_RETENTION_DAYS: 730 })).toEqual(['events: 400 days', 'account_events: 400 days', 'sql_audit: 730 days']);
    expect(ttlOf(await engineOf('events'))).toBe('toDateTime(at) + toIntervalDay(400)');
    expect(await applyRetention(store.client, { EVENTS_RETENTION_DAYS: 400, SQL_AUDIT_RETENTION_DAYS: 730 })).toEqual([]);
    await store.client.command({ query: 'OPTIMIZE TABLE events FINAL' });
    expect(await eventIds()).toEqual(['new']);
  });

  it('removes a TTL when its setting goes back to 0, and leaves the migrations\' own TTLs alone', async () => {
    expect(await applyRetention(store.client, { EVENTS_RETENTION_DAYS: 0, SQL_AUDIT_RETENTION_DAYS: 730 })).toEqual(['events: kept for ever', 'account_events: kept for ever']);
    expect(ttlOf(await engineOf('events'))).toBeUndefined();
    expect(ttlOf(await engineOf('dead_letters'))).toBe('toDateTime(set_aside_at) + toIntervalDay(90)');
  });
});
