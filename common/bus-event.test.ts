import { describe, expect, it } from 'vitest';
import { busEventSchema, toBusEvent } from './events.ts';

const message = { v: 1, type: 'message', id: 'wa:1', group: 'wa:g@g.us', at: 1_764_000_000_000, receivedAt: 1_764_000_000_500, source: 'default', person: 'p1', kind: 'text', forwarded: false };
const snapshot = { ...message, type: 'group_snapshot', id: 'wa:snap:1', person: '', kind: '', members: 212, admins: 3, title: 'Booth 114' };

const variants: [string, unknown][] = [
  ['a message', message],
  ['a snapshot', snapshot],
  ['a join', { ...message, type: 'member_joined', kind: '' }],
  ['extra fields (dropped)', { ...message, extra: 1, person2: 'x' }],
  ['snapshot without admins', { ...snapshot, admins: undefined }],
  ['zero times', { ...message, at: 0, receivedAt: 0 }],
  ['empty source and person', { ...message, source: '', person: '' }],
  ['null', null],
  ['an array', [message]],
  ['a string', 'message'],
  ['v 2', { ...message, v: 2 }],
  ['v "1"', { ...message, v: '1' }],
  ['unknown type', { ...message, type: 'reaction' }],
  ['empty id', { ...message, id: '' }],
  ['numeric id', { ...message, id: 5 }],
  ['missing group', { ...message, group: undefined }],
  ['fractional at', { ...message, at: 1.5 }],
  ['negative receivedAt', { ...message, receivedAt: -1 }],
  ['at as a string', { ...message, at: '2026-11-22T10:15:00Z' }],
  ['numeric source', { ...message, source: 1 }],
  ['missing person', { ...message, person: undefined }],
  ['unknown kind', { ...message, kind: 'gif' }],
  ['forwarded as 0', { ...message, forwarded: 0 }],
  ['members null', { ...snapshot, members: null }],
  ['members negative', { ...snapshot, members: -3 }],
  ['admins fractional', { ...snapshot, admins: 1.2 }],
  ['numeric title', { ...snapshot, title: 7 }],
];

describe('toBusEvent (the processor fast path) answers as busEventSchema does', () => {
  it.each(variants)('%s', (_name, value) => {
    const parsed = busEventSchema.safeParse(value);
    const fast = toBusEvent(value);
    if (parsed.success) expect(fast).toStrictEqual(parsed.data);
    else expect(fast).toBeUndefined();
  });
});
