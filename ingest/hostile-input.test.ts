import { describe, expect, it } from 'vitest';
import { createMemoryGroupAliases, resolveAlias } from './group-aliases.ts';
import { jsonTooDeep, parseJsonBody } from './parse-body.ts';
import { createPseudonymiser } from './pseudonymise.ts';
import { validateEvent } from './validate.ts';

const now = Date.parse('2026-11-29T12:00:00Z');
const context = { source: 's', receivedAt: now, pseudonymise: createPseudonymiser(Buffer.alloc(32, 9)), window: { maxPastMs: 730 * 86_400_000, maxFutureMs: 15 * 60_000 } };
const message = { type: 'message', id: 'm', group: 'g', at: now - 1000, sender: '1', kind: 'text' };

describe('per-event checks', () => {
  it('names unknown fields instead of silently dropping them', () => {
    expect(validateEvent({ ...message, text: 'hi' }, context)).toEqual({ kind: 'drop', reason: expect.stringContaining('unknown field "text" for a message event') });
  });

  it('rejects times outside the window and accepts its edges', () => {
    expect(validateEvent({ ...message, at: now + 16 * 60_000 }, context)).toMatchObject({ kind: 'drop', reason: expect.stringContaining('in the future') });
    expect(validateEvent({ ...message, at: now - 731 * 86_400_000 }, context)).toMatchObject({ kind: 'drop', reason: expect.stringContaining('too far in the past') });
    expect(validateEvent({ ...message, at: now + 15 * 60_000 }, context).kind).toBe('ok');
    expect(validateEvent({ ...message, at: now - 730 * 86_400_000 }, context).kind).toBe('ok');
  });
});

describe('deep JSON', () => {
  it('is refused before parsing, brackets inside strings do not count', () => {
    expect(jsonTooDeep('['.repeat(65) + ']'.repeat(65))).toContain('deeper than 64');
    expect(jsonTooDeep('['.repeat(64) + ']'.repeat(64))).toBeUndefined();
    expect(jsonTooDeep(`["${'['.repeat(500)}"]`)).toBeUndefined();
    expect(jsonTooDeep(`["\\"${'['.repeat(500)}"]`)).toBeUndefined();
    expect(parseJsonBody('{"a":'.repeat(100) + '1' + '}'.repeat(100))).toMatchObject({ ok: false, error: expect.stringContaining('nested deeper') });
  });
});

describe('group aliases', () => {
  it('follow chains to the first id and survive cycles', async () => {
    expect(resolveAlias(new Map([['c', 'b'], ['b', 'a']]), 'c')).toBe('a');
    expect(resolveAlias(new Map([['a', 'b'], ['b', 'a']]), 'a')).toBe('b');
    const aliases = createMemoryGroupAliases();
    await aliases.link('tg:-100', 'tg:-1');
    await aliases.link('tg:-1', 'tg:-100'); // the reverse link would make a cycle: ignored
    expect(await aliases.resolve('tg:-100')).toBe('tg:-1');
    expect(await aliases.resolve('tg:-1')).toBe('tg:-1');
  });
});
