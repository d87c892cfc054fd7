import type { ClickHouseClient } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { UNASSIGNED_PLACEMENT } from '../common/placement.ts';
import { toEventRow, type EventRow } from './rows.ts';
import { writeIsolatingRefused } from './write-batch.ts';

const row = (id: string): EventRow =>
  toEventRow({ v: 1, type: 'message', id, group: 'g', at: 1, receivedAt: 1, source: 's', person: 'p', kind: 'text', forwarded: false }, UNASSIGNED_PLACEMENT);

/** An engine that refuses any block holding a row whose id starts with "bad" (CANNOT_PARSE_INPUT_ASSERTION_FAILED), and stores the others. */
function fakeEngine(failure: { code: number } = { code: 27 }) {
  const stored: string[] = [];
  const client = {
    async insert({ values }: { values: EventRow[] }) {
      if (values.some((r) => r.event_id.startsWith('bad'))) throw Object.assign(new Error('Cannot parse input: expected \'"\' before: …'), failure);
      stored.push(...values.map((r) => r.event_id));
    },
  };
  return { client: client as unknown as ClickHouseClient, stored };
}

describe('writeIsolatingRefused', () => {
  it('splits a refused batch until each refused row stands alone, and writes the rest', async () => {
    const engine = fakeEngine();
    const rows = ['a', 'bad1', 'b', 'c', 'bad2', 'd', 'e'].map(row);
    const refused = await writeIsolatingRefused(engine.client, rows, async () => false);
    expect(refused.map((r) => r.row.event_id)).toEqual(['bad1', 'bad2']);
    expect(refused[0]!.reason).toMatch(/^Cannot parse input/);
    expect(engine.stored.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('throws a passing failure for a retry instead of setting rows aside', async () => {
    const engine = fakeEngine({ code: 252 }); // TOO_MANY_PARTS
    await expect(writeIsolatingRefused(engine.client, [row('bad')], async () => false)).rejects.toThrow(/Cannot parse input/);
  });

  it('does not split when some rows of the refused batch are stored already (a view failed after the raw block)', async () => {
    const engine = fakeEngine();
    await expect(writeIsolatingRefused(engine.client, [row('a'), row('bad')], async () => true)).rejects.toThrow();
    expect(engine.stored).toEqual([]);
  });
});
