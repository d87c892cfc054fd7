import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from './pseudonymise.ts';
import { validateEvent } from './validate.ts';

const context = { source: 'default', receivedAt: 1_000, pseudonymise: createPseudonymiser(Buffer.alloc(32, 7)) };
const message = { type: 'message', id: 'wa:1', group: 'wa:g1', at: '2026-11-22T10:15:00Z', sender: '919812345678', kind: 'image', forwarded: true };

describe('validateEvent', () => {
  it('keeps what the columns hold at their edges: emoji (surrogate pairs), Devanagari, the largest count', () => {
    expect(validateEvent({ ...message, id: 'wa:😀', group: 'बूथ-114' }, context).kind).toBe('ok');
    expect(validateEvent({ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 4294967295, admins: 0, title: 'बूथ 114 🙏' }, context).kind).toBe('ok');
  });

  it('turns a contract message into a bus event with a pseudonymised sender', () => {
    const result = validateEvent(message, context);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.value).toMatchObject({ v: 1, type: 'message', id: 'wa:1', group: 'wa:g1', at: Date.parse('2026-11-22T10:15:00Z'), kind: 'image', forwarded: true, source: 'default', receivedAt: 1_000 });
    expect(result.value.person).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(result.value)).not.toContain('919812345678');
  });

  it('accepts epoch milliseconds and defaults kind and forwarded', () => {
    const result = validateEvent({ type: 'message', id: 'a', group: 'g', at: 1763806500000, sender: 'x' }, context);
    expect(result).toMatchObject({ kind: 'ok', value: { at: 1763806500000, kind: 'other', forwarded: false } });
  });

  it('accepts every documented event type', () => {
    for (const event of [
      { type: 'member_joined', id: 'j', group: 'g', at: '2026-11-22T10:16:00Z', member: '919811111111' },
      { type: 'member_left', id: 'l', group: 'g', at: '2026-11-22T10:17:00Z', member: '919811111111' },
      { type: 'group_snapshot', id: 's', group: 'g', at: '2026-11-22T10:18:00Z', members: 212, admins: 3, title: 'Booth 114 Sanganer' },
    ]) {
      expect(validateEvent(event, context).kind, event.type).toBe('ok');
    }
  });

  it.each([
    [{ ...message, type: 'typing' }, 'type must be one of message, member_joined, member_left, group_snapshot'],
    [{ ...message, id: '' }, 'id must not be empty'],
    [{ ...message, group: undefined }, 'group is required'],
    [{ ...message, at: 'yesterday' }, 'at must be an ISO-8601 timestamp with a zone or epoch milliseconds'],
    [{ ...message, at: '2026-11-22T10:15:00' }, 'at must be an ISO-8601 timestamp with a zone or epoch milliseconds'],
    [{ ...message, kind: 'gif' }, 'kind must be one of text, image'],
    [{ ...message, forwarded: 'yes' }, 'forwarded must be true or false'],
    [{ ...message, sender: '' }, 'sender must not be empty'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: -1 }, 'members'],
    [{ ...message, id: 'wa:\ud800' }, 'id contains a lone UTF-16 surrogate (\\ud800) at character 3'],
    [{ ...message, group: '\udc00g' }, 'group contains a lone UTF-16 surrogate'],
    [{ ...message, sender: 'x\ud83dy' }, 'sender contains a lone UTF-16 surrogate'],
    [{ ...message, id: 'a\u0000b' }, 'id contains a control character (U+0000) at character 1'],
    [{ ...message, group: 'g\u001b[31m' }, 'group contains a control character (U+001B)'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 1e21 }, 'members must be at most 4294967295'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 4294967296 }, 'members must be at most 4294967295'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 2.5 }, 'members must be a whole number'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 3, admins: 4294967296 }, 'admins must be at most 4294967295'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 3, title: 'Booth\u0007' }, 'title contains a control character (U+0007)'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 3, title: 'x'.repeat(513) }, 'title must be at most 512 characters'],
    [{ ...message, at: 1e21 }, 'at must lie between 1970 and 2299'],
    [{ ...message, at: -5 }, 'at must lie between 1970 and 2299'],
    [{ ...message, at: '9999-01-01T00:00:00Z' }, 'at must lie between 1970 and 2299'],
    ['just a string', 'each event must be a JSON object'],
    [[message], 'each event must be a JSON object'],
  ])('rejects %j with a reason a person can act on', (input, reason) => {
    const result = validateEvent(input, context);
    expect(result.kind).toBe('drop');
    if (result.kind === 'drop') expect(result.reason).toContain(reason);
  });
});
