import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../common/events.ts';
import { dropRepeats } from './dedupe.ts';

const event = (group: string, id: string): BusEvent => ({ v: 1, type: 'message', id, group, at: 1, receivedAt: 1, source: 's', person: 'p', kind: 'text', forwarded: false });

describe('dropRepeats', () => {
  it('keeps the first copy of each (group, id) and counts the rest', () => {
    const { unique, repeats } = dropRepeats([event('g1', 'a'), event('g1', 'a'), event('g2', 'a'), event('g1', 'b'), event('g1', 'a')]);
    expect(unique.map((e) => `${e.group}/${e.id}`)).toEqual(['g1/a', 'g2/a', 'g1/b']);
    expect(repeats).toBe(2);
  });
});
