import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPseudonymiser } from '../pseudonymise.ts';
import { textFingerprint } from '../webhooks/content-fingerprint.ts';
import { parseChatExport } from './parse-export.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(path.join(here, 'fixtures', name), 'utf8');
const digest = createPseudonymiser(Buffer.alloc(32, 5));
const options = { group: 'wa:booth-114', timeZone: 'Asia/Kolkata', digest };

function summary(events: Record<string, unknown>[]) {
  return events.map((e) => [e.type, new Date(e.at as number).toISOString(), e.type === 'message' ? e.sender : e.member, e.kind ?? ''].join(' '));
}

describe('parseChatExport: Android, 24-hour clock, day first', () => {
  const result = parseChatExport(fixture('android-24h-dmy.txt'), options);

  it('finds messages (multi-line counted once), joins and leaves, with IST turned into UTC', () => {
    expect(result).toMatchObject({ format: 'android', dateOrder: 'dmy', dateOrderAssumed: false, messages: 6, joins: 4, leaves: 2, skipped: 3, problems: [] });
    expect(summary(result.events)).toEqual([
      'member_joined 2026-11-03T03:32:00.000Z 919812345678 ',
      'member_joined 2026-11-03T03:32:00.000Z 919812345679 ',
      'member_joined 2026-11-03T03:32:00.000Z export:wa:booth-114:Sunita ',
      'message 2026-11-03T03:35:00.000Z 919812345678 text',
      'message 2026-11-03T03:35:00.000Z 919812345678 text',
      'message 2026-11-03T07:47:00.000Z export:wa:booth-114:Sunita other',
      'message 2026-11-03T07:48:00.000Z export:wa:booth-114:Sunita image',
      'member_joined 2026-11-14T13:10:00.000Z 919812345679 ',
      'message 2026-11-14T13:11:00.000Z 919812345679 audio',
      'member_left 2026-11-15T02:00:00.000Z export:wa:booth-114:Sunita ',
      'member_left 2026-11-15T15:32:00.000Z 919812345678 ',
      'message 2026-11-15T15:33:00.000Z export:wa:booth-114:Ravi Kumar other',
    ]);
  });

  it('fingerprints a text message by all its lines, normalised as the webhooks do; media get none', () => {
    const messages = result.events.filter((e) => e.type === 'message');
    expect(messages[0]!.fingerprint).toBe(textFingerprint('Namaste everyone\nthis is the second line of the same message\nand a third: with a colon', digest));
    expect(messages[1]!.fingerprint).toBe(textFingerprint('namaste   EVERYONE', digest));
    expect(messages.slice(2).map((e) => e.fingerprint)).toEqual([undefined, undefined, undefined, undefined]);
    expect(JSON.stringify(result.events)).not.toMatch(/namaste/i);
  });

  it('two identical messages in one minute get different ids; a second import gets the same ids', () => {
    const ids = result.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(parseChatExport(fixture('android-24h-dmy.txt'), options).events.map((e) => e.id)).toEqual(ids);
  });

  it('keeps no text: nothing of the messages or the group subject is in the events', () => {
    const text = JSON.stringify(result);
    for (const word of ['Namaste', 'second line', 'Sanganer', 'IMG-2026', 'deleted']) expect(text).not.toContain(word);
  });
});

describe('parseChatExport: iPhone, 12-hour clock, month first', () => {
  const result = parseChatExport(fixture('iphone-12h-mdy.txt'), options);

  it('reads bracketed headers, AM/PM (12 AM is midnight), invisible marks, and system lines under the group name', () => {
    expect(result).toMatchObject({ format: 'iphone', dateOrder: 'mdy', messages: 6, joins: 2, leaves: 1, skipped: 1, problems: [] });
    expect(summary(result.events)).toEqual([
      'member_joined 2026-11-03T03:30:12.000Z 919812345678 ',
      'message 2026-11-03T03:35:40.000Z 919812345678 text',
      'message 2026-11-03T03:35:40.000Z 919812345678 text',
      'message 2026-11-03T07:47:03.000Z export:wa:booth-114:Sunita image',
      'message 2026-11-03T07:48:09.000Z export:wa:booth-114:Sunita video',
      'member_joined 2026-11-14T13:10:00.000Z 919812345679 ',
      'message 2026-11-14T13:11:30.000Z 919812345679 sticker',
      'member_left 2026-11-14T19:00:00.000Z 919812345678 ',
      'message 2026-11-15T07:01:00.000Z export:wa:booth-114:Ravi Kumar text',
    ]);
  });
});

describe('parseChatExport: ambiguity and bad lines', () => {
  it('assumes the configured order when no day or month exceeds 12, and says so', () => {
    const text = '01/02/2026, 10:00 - A: hi\n';
    expect(parseChatExport(text, options)).toMatchObject({ dateOrder: 'dmy', dateOrderAssumed: true });
    const mdy = parseChatExport(text, { ...options, dateOrder: 'mdy' });
    expect(mdy).toMatchObject({ dateOrder: 'mdy', dateOrderAssumed: true });
    expect(new Date(mdy.events[0]!.at as number).toISOString()).toBe('2026-01-02T04:30:00.000Z');
  });

  it('names impossible dates by line and refuses files that mix orders', () => {
    expect(parseChatExport('31/02/2026, 10:00 - A: hi\n15/01/2026, 10:00 - A: hi\n', options).problems).toEqual([{ line: 1, error: expect.stringContaining('not a valid date') }]);
    expect(parseChatExport('31/01/2026, 10:00 - A: hi\n01/31/2026, 10:00 - A: hi\n', options).problems[0]!.error).toContain('mixes day-first and month-first');
    expect(parseChatExport('13/01/2026, 13:00 PM - A: hi\n', options).problems[0]!.error).toContain('12-hour clock');
  });

  it('a file with no export lines has format unknown', () => {
    expect(parseChatExport('hello\nworld', options)).toMatchObject({ format: 'unknown', events: [] });
  });
});
