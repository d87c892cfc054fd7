import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../common/events.ts';
import { dropRepeats, keysAsJson } from './dedupe.ts';

const event = (group: string, id: string): BusEvent => ({ v: 1, type: 'message', id, group, at: 1, receivedAt: 1, source: 's', person: 'p', kind: 'text', forwarded: false });

describe('dropRepeats', () => {
  it('keeps the first copy of each (group, id) and counts the rest', () => {
    const { unique, repeats } = dropRepeats([event('g1', 'a'), event('g1', 'a'), event('g2', 'a'), event('g1', 'b'), event('g1', 'a')]);
    expect(unique.map((e) => `${e.group}/${e.id}`)).toEqual(['g1/a', 'g2/a', 'g1/b']);
    expect(repeats).toBe(2);
  });
});

describe('keysAsJson', () => {
  /** What the client sends for a String parameter: quotes and backslashes escaped, then form-encoded. */
  const onTheWire = (chunk: string) => new URLSearchParams({ param_keys: chunk.replace(/\\/g, '\\\\').replace(/'/g, "\\'") }).toString().length;

  it('splits the keys so no parameter passes a server\'s form-field limit, whatever characters the ids hold', () => {
    const ids = ['plain-id', 'wa:wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSQzQ2', 'बूथ-११४-संदेश', '😀 emoji "quoted" \\ back', "it's"];
    const events = Array.from({ length: 20_000 }, (_, i) => ({ group: `wa:1203630252461254${i % 97}@g.us`, id: `${ids[i % ids.length]}-${i}` }));
    const chunks = keysAsJson(events);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(onTheWire(chunk)).toBeLessThanOrEqual(128 * 1024);
    expect(chunks.flatMap((c) => JSON.parse(c) as [string, string][]).map(([group, id]) => `${group}/${id}`)).toEqual(events.map((e) => `${e.group}/${e.id}`));
  });
});
