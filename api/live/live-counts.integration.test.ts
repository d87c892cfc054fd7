/**
 * The hand-over between a snapshot and the deltas around it, on the real engine: each batch is
 * counted exactly once whether its rows landed before the snapshot read, while it was queued, or
 * after it — the snapshot's watermark (migration 0070) says which batches it holds.
 */
import { afterAll, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import type { BatchMark } from '../../common/live.ts';
import { migrate } from '../../common/store/migrate.ts';
import type { Store } from '../../common/store/store.ts';
import { createDayOf } from '../../common/time.ts';
import { buildLiveDelta } from '../../processor/live-delta.ts';
import { toEventRow, type EventRow } from '../../processor/rows.ts';
import { writeEventRows } from '../../processor/write-batch.ts';
import { createLiveCounts, type LiveCounts } from './live-counts.ts';
import { openTestStore } from '../../test/support/store.ts';

const TIME_ZONE = 'Asia/Kolkata';
const dayOf = createDayOf(TIME_ZONE);

describe('live counts hand-over (snapshot + deltas)', () => {
  let store: Store;
  let counts: LiveCounts;
  let nextId = 0;

  beforeAll(async () => {
    store = await openTestStore('grouppulse-live-');
    await migrate(store.client);
  });
  afterAll(() => store.close());
  beforeEach(async () => {
    await store.client.command({ query: 'TRUNCATE TABLE rollup_minute' });
    counts = createLiveCounts(store.client, TIME_ZONE);
    await counts.resync();
  });

  /** `size` messages of one batch, as the processor builds them, with the batch's mark. */
  function batch(size: number, mark: BatchMark): EventRow[] {
    const at = Date.now();
    return Array.from({ length: size }, () =>
      toEventRow(
        { v: 1, id: `e${nextId++}`, type: 'message', group: 'g1', at, receivedAt: at, source: 's', person: 'p1', kind: 'text', forwarded: false },
        { division: 'jaipur', category: 'booth', unitPath: ['jaipur'] },
        mark,
      ),
    );
  }
  const write = (rows: EventRow[], token: string) => writeEventRows(store.client, rows, token);
  const deltaOf = (rows: EventRow[], mark: BatchMark) => buildLiveDelta(rows, dayOf, mark)!;
  const messages = () => counts.rows().reduce((sum, row) => sum + row.messages, 0);

  it('a batch written before the read and delivered after it counts once', async () => {
    const mark = { partition: 0, nextOffset: '30' };
    const rows = batch(30, mark);
    await write(rows, 'b1');
    await counts.resync();
    counts.apply(deltaOf(rows, mark));
    expect(messages()).toBe(30);
  });

  it('a batch whose insert the read queues behind, delivered while the read runs, counts once', async () => {
    // The case the old "written at" stamp got wrong (CI once showed 50 for 30): the read waits for the
    // insert and includes it, the delta arrives after the read began.
    const mark = { partition: 1, nextOffset: '500' };
    const rows = batch(20_000, mark);
    const inserting = write(rows, 'b2');
    const reading = counts.resync();
    await inserting;
    counts.apply(deltaOf(rows, mark));
    await reading;
    expect(messages()).toBe(20_000);
  });

  it('a batch the snapshot does not hold, delivered while the read runs, is kept', async () => {
    const held = { partition: 2, nextOffset: '10' };
    await write(batch(10, held), 'b3');
    const reading = counts.resync();
    // Committed after the read took its parts: its rows are not in ClickHouse when the read runs.
    const later = { partition: 2, nextOffset: '17' };
    counts.apply(deltaOf(batch(7, later), later));
    await reading;
    expect(messages()).toBe(17);
  });

  it('a delta delivered twice (a batch replayed after a crash) counts once; other partitions are apart', async () => {
    const mark = { partition: 3, nextOffset: '5' };
    const rows = batch(5, mark);
    expect(counts.apply(deltaOf(rows, mark)).outcome).toBe('counted');
    expect(counts.apply(deltaOf(rows, mark))).toEqual({ outcome: 'held', rows: [] });
    const other = { partition: 4, nextOffset: '2' };
    counts.apply(deltaOf(batch(2, other), other));
    expect(messages()).toBe(7);
  });
});
