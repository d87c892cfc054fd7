/**
 * WhatsApp "Export chat" text files → message and join/leave events for one named group (pure).
 * No text is kept: each line is classified and dropped on the spot.
 *
 * Line formats (a header starts an entry; any other line continues the previous message):
 *   Android  `31/12/2023, 21:15 - Name: text`       `12/31/23, 9:15 PM - Name joined using this group's invite link`
 *   iPhone   `[31/12/2023, 21:15:42] Name: text`    `‎[12/31/23, 9:15:42 PM] Name: ‎image omitted`
 * Day/month order is found from the file (a first field > 12 means day first, a second > 12 month
 * first); when the file never says, `dateOrder` decides (default day first) and the result says so.
 * System lines are recognised in English only (joined, added, left, removed); others are skipped.
 *
 * Event ids are keyed digests of (group, time, kind, sender, occurrence of that tuple in the
 * file), so importing a file twice — or a longer later export of the same phone — counts once.
 *
 * A text message (its first line and the lines that continue it) gets a content `fingerprint`, the
 * same as the webhooks give the same words (webhooks/content-fingerprint.ts); an export names media
 * only by a file name of the exporting phone, so media get none.
 */
import type { MessageKind } from '../../common/events.ts';
import { textFingerprint, withFingerprint } from '../webhooks/content-fingerprint.ts';
import type { IdDigest } from '../webhooks/mapped.ts';
import { drop, ok, type DropOutcome, type OkOutcome } from '../../common/outcome.ts';
import { wallClockToEpochMs, type WallClock } from '../../common/time.ts';

export type DateOrder = 'dmy' | 'mdy';

export interface ParseExportOptions {
  group: string;
  timeZone: string;
  /** Used only when the file does not reveal the order. */
  dateOrder?: DateOrder;
  digest: IdDigest;
}

export interface ExportParseResult {
  events: Record<string, unknown>[];
  /** Lines that could not be read (impossible dates), by 1-based line number. */
  problems: { line: number; error: string }[];
  lines: number;
  messages: number;
  joins: number;
  leaves: number;
  /** System lines not counted (group created, subject changed, encryption notice, …). */
  skipped: number;
  format: 'android' | 'iphone' | 'unknown';
  dateOrder: DateOrder;
  /** True when the file never showed a day or month above 12 and `dateOrder` was assumed. */
  dateOrderAssumed: boolean;
}

const DATE = String.raw`(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4}),?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s?([AaPp])\.?\s?[Mm]\.?)?`;
const ANDROID_HEADER = new RegExp(`^${DATE} - (.*)$`);
const IPHONE_HEADER = new RegExp(`^\\[${DATE}\\] (.*)$`);

interface Header {
  a: number;
  b: number;
  year: number;
  hour: number;
  minute: number;
  second: number;
  meridiem?: 'a' | 'p';
  rest: string;
  format: 'android' | 'iphone';
}

/** Invisible marks WhatsApp puts in exports (LTR mark, narrow no-break space before AM/PM, BOM). */
function clean(line: string): string {
  return line.replace(/[\u200e\u200f\ufeff]/g, '').replace(/[\u202f\u00a0]/g, ' ').replace(/\r$/, '');
}

function readHeader(line: string): Header | undefined {
  const iphone = IPHONE_HEADER.exec(line);
  const match = iphone ?? ANDROID_HEADER.exec(line);
  if (!match) return undefined;
  const [, a, b, year, hour, minute, second, meridiem, rest] = match;
  const y = Number(year);
  return {
    a: Number(a), b: Number(b), year: y < 100 ? 2000 + y : y,
    hour: Number(hour), minute: Number(minute), second: second ? Number(second) : 0,
    meridiem: meridiem ? (meridiem.toLowerCase() as 'a' | 'p') : undefined,
    rest: rest!, format: iphone ? 'iphone' : 'android',
  };
}

const MEDIA_BY_WORD: [RegExp, MessageKind][] = [
  [/^(image|photo) omitted$/i, 'image'],
  [/^(video|gif) omitted$/i, 'video'],
  [/^audio omitted$/i, 'audio'],
  [/^sticker omitted$/i, 'sticker'],
  [/document omitted$/i, 'document'],
  [/^contact card omitted$/i, 'contact'],
  [/^<attached: .*-(PHOTO)-/i, 'image'],
  [/^<attached: .*-(VIDEO|GIF)-/i, 'video'],
  [/^<attached: .*-(AUDIO)-/i, 'audio'],
  [/^<attached: .*-(STICKER)-/i, 'sticker'],
  [/^<attached: /i, 'document'],
  [/^STK-.*\(file attached\)$/i, 'sticker'],
  [/^(IMG|PHOTO)-.*\(file attached\)$/i, 'image'],
  [/^(VID|VIDEO)-.*\(file attached\)$/i, 'video'],
  [/^(PTT|AUD)-.*\(file attached\)$/i, 'audio'],
  [/\(file attached\)$/i, 'document'],
  [/^location: /i, 'location'],
  [/^live location shared$/i, 'location'],
  [/^POLL:$/, 'poll'],
  [/\.vcf \(file attached\)$/i, 'contact'],
];

/** The kind of a message from its first line; `<Media omitted>` (media left out of the export) says no more than "media". */
function kindOf(firstLine: string): MessageKind {
  const text = firstLine.trim();
  for (const [pattern, kind] of MEDIA_BY_WORD) if (pattern.test(text)) return kind;
  if (/^<media omitted>$/i.test(text)) return 'other';
  if (/^(this message was deleted|you deleted this message)\.?$/i.test(text)) return 'other';
  return 'text';
}

type SystemLine = { kind: 'join' | 'leave'; people: string[] } | { kind: 'skip' };

function people(list: string): string[] {
  return list.split(/,\s*|\s+and\s+/).map((p) => p.trim()).filter(Boolean);
}

function readSystemLine(rest: string): SystemLine {
  let m: RegExpExecArray | null;
  if ((m = /^(.+?) joined using (?:this|a) group(?:'s)? (?:invite )?link$/i.exec(rest))) return { kind: 'join', people: [m[1]!] };
  if ((m = /^(.+?) joined(?: from the community)?$/i.exec(rest))) return { kind: 'join', people: [m[1]!] };
  if ((m = /^(.+?) added (.+)$/i.exec(rest))) return { kind: 'join', people: people(m[2]!) };
  if ((m = /^(.+?) left$/i.exec(rest))) return { kind: 'leave', people: [m[1]!] };
  if ((m = /^(.+?) removed (.+)$/i.exec(rest))) return { kind: 'leave', people: people(m[2]!) };
  if ((m = /^(.+?) (?:was|were) removed$/i.exec(rest))) return { kind: 'leave', people: [m[1]!] };
  return { kind: 'skip' };
}

/** `Name: text` → Name; undefined for system lines (no `: `, or quotes before it as in `changed the subject to "a: b"`). */
function senderOf(rest: string): { sender: string; text: string } | undefined {
  const colon = rest.indexOf(': ');
  if (colon <= 0) return undefined;
  const sender = rest.slice(0, colon).trim();
  if (sender.length > 80 || sender.includes('"') || sender.includes('\u201c')) return undefined;
  return { sender, text: rest.slice(colon + 2) };
}

/** Phone-number names become the wa_id form, so a person counts the same here as in webhooks; other names are only unique within the group. */
function personFor(group: string, name: string): string {
  if (/^\+?[\d\s().-]{6,}$/.test(name)) return name.replace(/\D/g, '');
  return `export:${group}:${name}`;
}

function findDateOrder(headers: Header[], fallback: DateOrder): { order: DateOrder; assumed: boolean; conflict: boolean } {
  const dayFirst = headers.some((h) => h.a > 12);
  const monthFirst = headers.some((h) => h.b > 12);
  if (dayFirst && monthFirst) return { order: fallback, assumed: false, conflict: true };
  if (dayFirst) return { order: 'dmy', assumed: false, conflict: false };
  if (monthFirst) return { order: 'mdy', assumed: false, conflict: false };
  return { order: fallback, assumed: true, conflict: false };
}

/** A header's time as a wall clock, or the line dropped with why (an impossible date or hour). */
function toWallClock(h: Header, order: DateOrder): OkOutcome<WallClock> | DropOutcome {
  const [day, month] = order === 'dmy' ? [h.a, h.b] : [h.b, h.a];
  let hour = h.hour;
  if (h.meridiem) {
    if (hour < 1 || hour > 12) return drop(`hour ${hour} is impossible on a 12-hour clock`);
    hour = (hour % 12) + (h.meridiem === 'p' ? 12 : 0);
  }
  const probe = new Date(Date.UTC(h.year, month - 1, day, hour, h.minute, h.second));
  if (probe.getUTCDate() !== day || probe.getUTCMonth() !== month - 1 || hour > 23 || h.minute > 59 || h.second > 59) {
    return drop(`${h.a}/${h.b}/${h.year} ${h.hour}:${String(h.minute).padStart(2, '0')} is not a valid date and time (read as ${order})`);
  }
  return ok({ year: h.year, month, day, hour, minute: h.minute, second: h.second });
}

export function parseChatExport(text: string, options: ParseExportOptions): ExportParseResult {
  const lines = text.split('\n');
  // `marked`: iPhone puts a left-to-right mark after `Name: ` on system lines (then Name is the
  // group's name) and on attachments; a typed message never starts with one.
  const headers: { line: number; header: Header; marked: boolean }[] = [];
  for (const [i, raw] of lines.entries()) {
    const header = readHeader(clean(raw));
    if (header) headers.push({ line: i + 1, header, marked: raw.includes(': \u200e') });
  }
  const { order, assumed, conflict } = findDateOrder(headers.map((h) => h.header), options.dateOrder ?? 'dmy');
  const result: ExportParseResult = {
    events: [], problems: [], lines: lines.length, messages: 0, joins: 0, leaves: 0, skipped: 0,
    format: headers[0]?.header.format ?? 'unknown', dateOrder: order, dateOrderAssumed: assumed,
  };
  if (conflict) {
    result.problems.push({ line: 0, error: 'the file mixes day-first and month-first dates: it is not one export; split it and import each part' });
    return result;
  }
  const occurrences = new Map<string, number>();
  const idFor = (at: number, kind: string, person: string): string => {
    const key = `${options.group}|${at}|${kind}|${person}`;
    const n = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, n);
    return `xp:${kind}:${options.digest(`${key}|${n}`)}`;
  };
  for (const [h, { line, header, marked }] of headers.entries()) {
    const wall = toWallClock(header, order);
    if (wall.kind !== 'ok') {
      result.problems.push({ line, error: wall.reason });
      continue;
    }
    const at = wallClockToEpochMs(wall.value, options.timeZone);
    let message = senderOf(header.rest);
    let systemText = header.rest;
    if (message && marked && kindOf(message.text) === 'text') {
      systemText = message.text; // `Group name: ‎Ravi joined using this group's invite link`
      message = undefined;
    }
    if (message) {
      const sender = personFor(options.group, message.sender);
      const kind = kindOf(message.text);
      // The lines up to the next header continue this message.
      const body = kind === 'text' ? [message.text, ...lines.slice(line, (headers[h + 1]?.line ?? lines.length + 1) - 1).map(clean)].join('\n') : '';
      result.events.push({
        type: 'message', id: idFor(at, 'm', sender), group: options.group, at, sender, kind, forwarded: false,
        ...withFingerprint(kind === 'text' ? textFingerprint(body, options.digest) : undefined),
      });
      result.messages += 1;
      continue;
    }
    const system = readSystemLine(systemText);
    if (system.kind === 'skip') {
      result.skipped += 1;
      continue;
    }
    for (const name of system.people) {
      const member = personFor(options.group, name);
      const type = system.kind === 'join' ? 'member_joined' : 'member_left';
      result.events.push({ type, id: idFor(at, system.kind === 'join' ? 'j' : 'l', member), group: options.group, at, member });
      if (system.kind === 'join') result.joins += 1;
      else result.leaves += 1;
    }
  }
  return result;
}
