/**
 * The "seen before?" lookup on the real engine: ids stored before migration 0080 (in event_ids) and
 * after it are found; the same id in another group, an id not stored, and one stored before the
 * window are not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../common/events.ts';
import { listMigrations, migrate } from '../common/store/migrate.ts';
import type { Store } from '../common/store/store.ts';
import { createFindStored, eventKey } from './dedupe.ts';
import { UNASSIGNED_PLACEMENT } from '../common/placement.ts';
import { toEventRow } from './rows.ts';
import { writeEventRows } from './write-batch.ts';
import { openTestStore } from '../test/support/store.ts';
import { DAY_MS } from '../common/time.ts';

const event = (group: string, id: string, receivedAt = Date.now()): BusEvent => ({ v: 1, type: 'message', id, group, at: receivedAt, receivedAt, source: 's', person: 'p', kind: 'text', forwarded: false });
const write = (store: Store, events: BusEvent[], token: string) => writeEventRows(store.client, events.map((e) => toEventRow(e, UNASSIGNED_PLACEMENT)), token);

describe('findStored', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore('grouppulse-dedupe-');
    const migrations = listMigrations();
    await migrate(store.client, migrations.filter((m) => m.version < 80));
    await write(store, [event('g1', 'before-1'), event('g1', 'before-2')], 'before-0080');
    await migrate(store.client, migrations);
    await write(store, [event('g1', 'after-1'), event('g2', 'old', Date.now() - 10 * DAY_MS)], 'after-0080');
  });
  afterAll(() => store.close());

  it('finds the ids of the batch stored within the window, in the same group only', async () => {
    const batch = [event('g1', 'before-1'), event('g1', 'after-1'), event('g2', 'before-1'), event('g1', 'new'), event('g2', 'old')];
    const stored = await createFindStored(store.client, 8)(batch);
    expect([...stored].sort()).toEqual([eventKey('g1', 'after-1'), eventKey('g1', 'before-1')]);
    const longer = await createFindStored(store.client, 30)(batch);
    expect(longer.has(eventKey('g2', 'old'))).toBe(true);
  });

  it('looks up a batch larger than one statement holds, ids of any characters', async () => {
    const odd = 'id "quoted", \\ back\nslash, ünïcode';
    const many = Array.from({ length: 12_000 }, (_, i) => event(`wa:1203630252461254${i}@g.us`, `wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhggMzVCRkM1RDdBMjE4-${i}`));
    await write(store, [many[11_999]!, event('g3', odd)], 'large');
    const stored = await createFindStored(store.client, 8)([...many, event('g3', odd)]);
    expect([...stored].sort()).toEqual([eventKey('g3', odd), eventKey(many[11_999]!.group, many[11_999]!.id)].sort());
  });
});
