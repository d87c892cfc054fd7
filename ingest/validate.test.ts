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
      { type: 'group_snapshot', id: 's2', group: 'g', at: '2026-11-22T10:18:00Z', members: 212, adminIds: ['919811111111', 42] },
      { ...message, fingerprint: 'sha1:2fd4e1c67a2d28fced849ee1bb76e7391b93eb12' },
      { type: 'account_snapshot', id: 'a1', account: 'x:rep-123', platform: 'x', at: '2026-11-22T10:18:00Z', followers: 48210 },
      { type: 'post', id: 'p1', account: 'x:rep-123', platform: 'x', at: '2026-11-22T10:19:00Z', kind: 'text' },
    ]) {
      expect(validateEvent(event, context).kind, event.type).toBe('ok');
    }
  });

  it.each([
    [{ ...message, type: 'typing' }, 'type must be one of message, member_joined, member_left, group_snapshot, account_snapshot, post'],
    [{ ...message, fingerprint: 'f'.repeat(129) }, 'fingerprint must be at most 128 characters'],
    [{ ...message, fingerprint: '' }, 'fingerprint must not be empty'],
    [{ ...message, fingerprint: 'ab\u0000' }, 'fingerprint contains a control character'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 3, adminIds: 'x' }, 'adminIds must be an array of ids'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 3, adminIds: [''] }, 'each of adminIds must not be empty'],
    [{ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 3, adminIds: Array.from({ length: 1025 }, (_, i) => `a${i}`) }, 'adminIds must hold at most 1024 ids'],
    [{ type: 'account_snapshot', id: 'a', account: 'x:r', platform: 'x', at: 1, followers: -1 }, 'followers must not be negative'],
    [{ type: 'account_snapshot', id: 'a', account: 'x:r', platform: 'x', at: 1 }, 'followers'],
    [{ type: 'post', id: 'p', platform: 'x', at: 1, kind: 'text' }, 'account is required'],
    [{ type: 'post', id: 'p', account: 'x:r', platform: 'x', at: 1, group: 'g' }, 'unknown field "group" for a post event'],
    [{ type: 'post', id: 'p', account: 'x:r', at: 1 }, 'platform is required'],
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

  it('keyed-hashes fingerprints and pseudonymises admins: neither leaves ingest as sent', () => {
    const fingerprint = 'Vote on Sunday';
    const result = validateEvent({ ...message, fingerprint }, context);
    if (result.kind !== 'ok') throw new Error(result.reason);
    expect(result.value.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(result.value.fingerprint).not.toBe(context.pseudonymise(fingerprint));
    const again = validateEvent({ ...message, id: 'wa:2', group: 'wa:g2', fingerprint }, context);
    expect(again.kind === 'ok' && again.value.fingerprint).toBe(result.value.fingerprint);
    const snapshot = validateEvent({ type: 'group_snapshot', id: 's', group: 'g', at: 1, members: 3, adminIds: ['919811111111'] }, context);
    if (snapshot.kind !== 'ok') throw new Error(snapshot.reason);
    expect(snapshot.value.adminIds).toEqual([context.pseudonymise('919811111111')]);
    expect(JSON.stringify([result.value, snapshot.value])).not.toMatch(/Vote on Sunday|919811111111/);
  });

  it('keys account events by their account and carries platform, followers and kind', () => {
    expect(validateEvent({ type: 'account_snapshot', id: 'a1', account: 'x:rep-123', platform: 'x', at: 5, followers: 48210 }, context)).toMatchObject({
      kind: 'ok',
      value: { type: 'account_snapshot', group: 'x:rep-123', platform: 'x', followers: 48210, person: '', kind: '' },
    });
    expect(validateEvent({ type: 'post', id: 'p1', account: 'x:rep-123', platform: 'x', at: 5 }, context)).toMatchObject({ kind: 'ok', value: { type: 'post', group: 'x:rep-123', platform: 'x', kind: 'other' } });
  });
});
