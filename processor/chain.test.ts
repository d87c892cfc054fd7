import { describe, expect, it } from 'vitest';
import type { ConsumedBatch, ConsumedRecord } from '../common/bus/bus.ts';
import type { BusEvent } from '../common/events.ts';
import { UNASSIGNED_PLACEMENT, type Directory } from '../common/placement.ts';
import { decodeBatch, dropStored, markOf, placeRows, refusedLetters } from './chain.ts';
import { eventKey } from './dedupe.ts';

const event = (group: string, id: string): BusEvent => ({ v: 1, type: 'message', id, group, at: 1_000, receivedAt: 2_000, source: 's', person: 'p', kind: 'text', forwarded: false });
const record = (offset: number, value: unknown): ConsumedRecord => ({ key: 'k', value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), offset: String(offset), headers: {} });

function batchOf(records: ConsumedRecord[]): ConsumedBatch {
  return { topic: 'events', partition: 1, records, firstOffset: records[0]!.offset, lastOffset: records.at(-1)!.offset };
}

describe('the processor chain', () => {
  const batch = batchOf([
    record(10, event('g1', 'a')),
    record(11, 'not json'),
    record(12, event('g1', 'a')),
    record(13, { ...event('g2', 'b'), v: 2 }),
    record(14, event('g2', 'c')),
    record(15, event('g3', 'late')),
  ]);

  it('decode: events in order, each once; what is not an event becomes a dead letter with why; nothing past lastOffset', () => {
    const decoded = decodeBatch(batch, '14');
    expect(decoded.events.map((e) => `${e.group}/${e.id}`)).toEqual(['g1/a', 'g2/c']);
    expect(decoded.duplicates).toBe(1);
    expect(decoded.undecodable.map((l) => [l.offset, l.stage, l.reason.split(':')[0]])).toEqual([['11', 'decode', 'not JSON'], ['13', 'decode', 'not a bus event']]);
    expect(decoded.recordOf.get(eventKey('g1', 'a'))!.offset).toBe('10');
    expect(decoded.lastOffset).toBe('14');
  });

  it('dedupe: events stored already drop and count as duplicates', () => {
    const decoded = dropStored(decodeBatch(batch, '15'), new Set([eventKey('g2', 'c')]));
    expect(decoded.events.map((e) => e.id)).toEqual(['a', 'late']);
    expect(decoded.duplicates).toBe(2);
  });

  it('place → rows: each row where the directory puts its group, carrying the batch\'s mark', () => {
    const directory: Directory = { place: (group) => (group === 'g1' ? { division: 'JPR', category: 'youth', unitPath: ['RJ', 'JPR'] } : UNASSIGNED_PLACEMENT) };
    const rows = placeRows(decodeBatch(batch, '14'), directory);
    expect(rows.map((r) => [r.group_id, r.division, r.category, r.unit_path])).toEqual([['g1', 'JPR', 'youth', ['RJ', 'JPR']], ['g2', 'unassigned', 'unassigned', []]]);
    expect(rows.every((r) => r.batch_partition === 1 && r.batch_next_offset === '15')).toBe(true);
    expect(markOf(1, '14')).toEqual({ partition: 1, nextOffset: '15' });
  });

  it('write: a refused row becomes a dead letter with its record and the engine\'s reason', () => {
    const decoded = decodeBatch(batch, '14');
    const [row] = placeRows(decoded, { place: () => UNASSIGNED_PLACEMENT });
    const [letter] = refusedLetters(decoded, [{ row: row!, reason: 'Cannot parse input' }]);
    expect(letter).toMatchObject({ stage: 'write', offset: '10', group: 'g1', id: 'a', reason: 'the store refused it: Cannot parse input' });
    expect(JSON.parse(letter!.value.toString())).toMatchObject({ group: 'g1', id: 'a' });
  });
});
