import { describe, expect, it } from 'vitest';
import { createDayOf } from '../common/time.ts';
import { buildLiveDelta } from './live-delta.ts';
import type { EventRow } from './rows.ts';

function row(overrides: Partial<EventRow>): EventRow {
  return {
    event_id: 'e', type: 'message', group_id: 'g', at: Date.parse('2026-11-22T10:00:00Z'), received_at: 100, source: 's', person: 'p',
    kind: 'text', forwarded: false, members: null, admins: null, title: '', division: 'd1', category: 'youth', unit_path: [],
    batch_partition: 2, batch_next_offset: '41', ...overrides,
  };
}

describe('buildLiveDelta', () => {
  const dayOf = createDayOf('Asia/Kolkata');

  it('adds up messages, media, forwards, joins and leaves per division × category and day', () => {
    const delta = buildLiveDelta(
      [
        row({ kind: 'image', forwarded: true }),
        row({ kind: 'text' }),
        row({ kind: 'video', division: 'd2', received_at: 50 }),
        row({ type: 'member_joined', kind: '' }),
        row({ type: 'member_left', kind: '' }),
        row({ type: 'group_snapshot', kind: '', members: 10 }),
      ],
      dayOf,
      { partition: 2, nextOffset: '41' },
    );
    expect(delta).toEqual({
      batch: { partition: 2, nextOffset: '41' },
      oldestReceivedAt: 50,
      days: [
        {
          day: '2026-11-22',
          rows: [
            { division: 'd1', category: 'youth', messages: 2, media: 1, forwarded: 1, joins: 1, leaves: 1 },
            { division: 'd2', category: 'youth', messages: 1, media: 1, forwarded: 0, joins: 0, leaves: 0 },
          ],
        },
      ],
    });
  });

  it('puts an event on the board day of its time zone (IST midnight is 18:30 UTC)', () => {
    expect(dayOf(Date.parse('2026-11-22T18:29:59Z'))).toBe('2026-11-22');
    expect(dayOf(Date.parse('2026-11-22T18:30:00Z'))).toBe('2026-11-23');
  });

  it('has nothing to publish for snapshots alone', () => {
    expect(buildLiveDelta([row({ type: 'group_snapshot' })], dayOf, { partition: 2, nextOffset: '41' })).toBeUndefined();
  });
});
