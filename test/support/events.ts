/** Deterministic event streams for tests, with the counts they must produce. */
import { authHeaders } from './auth.ts';

export type TestEvent =
  | { type: 'message'; id: string; group: string; at: string; sender: string; kind: string; forwarded: boolean }
  | { type: 'member_joined' | 'member_left'; id: string; group: string; at: string; member: string };

export interface Expected {
  messages: number;
  joins: number;
  leaves: number;
  groups: Set<string>;
  senders: Set<string>;
}

/** `count` events over `groups` groups on `day`: mostly messages, every 10th a join, every 20th a leave. */
export function makeEvents(count: number, prefix: string, groups = 25, day = '2026-11-22'): TestEvent[] {
  return Array.from({ length: count }, (_, i): TestEvent => {
    const group = `wa:${prefix}-g${i % groups}`;
    const at = `${day}T${String(10 + (i % 8)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`;
    if (i % 10 === 7) return { type: 'member_joined', id: `${prefix}-j${i}`, group, at, member: `91980000${i % 97}` };
    if (i % 20 === 9) return { type: 'member_left', id: `${prefix}-l${i}`, group, at, member: `91980000${i % 89}` };
    return { type: 'message', id: `${prefix}-m${i}`, group, at, sender: `91990000${i % 31}`, kind: i % 3 === 0 ? 'image' : 'text', forwarded: i % 5 === 0 };
  });
}

export function expectedOf(events: TestEvent[]): Expected {
  const expected: Expected = { messages: 0, joins: 0, leaves: 0, groups: new Set(), senders: new Set() };
  for (const e of events) {
    if (e.type === 'message') {
      expected.messages += 1;
      expected.groups.add(e.group);
      expected.senders.add(e.sender);
    } else if (e.type === 'member_joined') expected.joins += 1;
    else expected.leaves += 1;
  }
  return expected;
}

export interface SummaryBody {
  rows: { division: string; category: string; messages: number; activeGroups: number; activeSenders: number; joins: number; leaves: number }[];
}

/** Summary over one day; `exactEdges` shifts `from` by 1 ms so the raw events table answers. */
export async function fetchSummary(url: string, day = '2026-11-22', exactEdges = false): Promise<SummaryBody> {
  const from = `${day}T00:00:00${exactEdges ? '.001' : ''}Z`;
  const response = await fetch(`${url}/api/v1/summary?from=${from}&to=${day}T23:59:00Z`, { headers: await authHeaders(url) });
  if (response.status !== 200) throw new Error(`summary answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as SummaryBody;
}

export function totalEvents(body: SummaryBody): number {
  return body.rows.reduce((n, r) => n + r.messages + r.joins + r.leaves, 0);
}
