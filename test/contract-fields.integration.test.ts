/**
 * The rest of the ingest contract end to end: a message's `fingerprint` (stored only as a keyed hash),
 * a snapshot's `adminIds` (pseudonymised), and the account events `account_snapshot` and `post` (their
 * own table, each counted once across repeated requests, never in the group counts). Real engine and
 * the local log, then the real broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSummary } from './support/events.ts';
import { startTestPipeline, waitFor, type TestPipeline } from './support/pipeline.ts';
import { rollupsCaughtUp } from './support/store.ts';

const AT = '2026-11-22T10:00:00Z';
const FINGERPRINT = 'Vote on Sunday, booth 114';
const ADMIN = '919811111111';

const body = [
  { type: 'message', id: 'fp-1', group: 'wa:state', at: AT, sender: '919800000001', kind: 'text', fingerprint: FINGERPRINT },
  { type: 'message', id: 'fp-2', group: 'wa:booth-114', at: AT, sender: '919800000002', kind: 'text', forwarded: true, fingerprint: FINGERPRINT },
  { type: 'group_snapshot', id: 'snap-1', group: 'wa:booth-114', at: AT, members: 212, admins: 1, adminIds: [ADMIN] },
  { type: 'account_snapshot', id: 'acc-1', account: 'x:rep-123', platform: 'x', at: AT, followers: 48210 },
  { type: 'post', id: 'post-1', account: 'x:rep-123', platform: 'x', at: AT, kind: 'text' },
  { type: 'post', id: 'post-2', account: 'x:rep-123', platform: 'x', at: '2026-11-22T11:00:00Z', kind: 'image' },
];

async function rows<T>(pipeline: TestPipeline, sql: string): Promise<T[]> {
  return (await pipeline.store!.client.query({ query: sql, format: 'JSONEachRow' })).json<T>();
}

describe.each([
  ['the local log', { localBus: true }],
  ['Kafka', {}],
] as const)('contract fields on %s', (_name, busOption) => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline(busOption);
  });
  afterAll(() => pipeline?.stop());

  it('accepts every contract field and type, stores them without what was sent, and counts account events once', async () => {
    for (let request = 0; request < 2; request++) {
      const response = await pipeline.post(body);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ accepted: body.length, rejected: [] });
    }

    const accounts = await waitFor(async () => {
      const found = await rows<{ event_id: string; type: string; account: string; platform: string; followers: number | null; kind: string }>(
        pipeline,
        'SELECT event_id, type, account, platform, followers, kind FROM account_events FINAL ORDER BY event_id',
      );
      return found.length === 3 ? found : undefined;
    }, 'the three account events stored');
    expect(accounts).toEqual([
      { event_id: 'acc-1', type: 'account_snapshot', account: 'x:rep-123', platform: 'x', followers: 48210, kind: '' },
      { event_id: 'post-1', type: 'post', account: 'x:rep-123', platform: 'x', followers: null, kind: 'text' },
      { event_id: 'post-2', type: 'post', account: 'x:rep-123', platform: 'x', followers: null, kind: 'image' },
    ]);

    const stored = await waitFor(async () => {
      const found = await rows<{ event_id: string; fingerprint: string; admin_ids: string[] }>(pipeline, "SELECT event_id, fingerprint, admin_ids FROM events WHERE group_id IN ('wa:state', 'wa:booth-114') ORDER BY event_id");
      return found.length === 3 ? found : undefined;
    }, 'the three group events stored once');
    const [first, second, snapshot] = stored as [(typeof stored)[number], (typeof stored)[number], (typeof stored)[number]];
    // One content, one fingerprint in every group it reaches; never the text as sent.
    expect(first.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(snapshot.admin_ids).toHaveLength(1);
    expect(snapshot.admin_ids[0]).toMatch(/^[0-9a-f]{32}$/);
    const everything = JSON.stringify(await rows(pipeline, 'SELECT * FROM events'));
    expect(everything).not.toContain('Vote on Sunday');
    expect(everything).not.toContain(ADMIN);

    // Account events stay out of the group counts: 2 messages, 2 active groups (once the rollups have the rows).
    await waitFor(async () => ((await rollupsCaughtUp(pipeline.store!.client)) ? true : undefined), 'the rollups caught up');
    const summary = await fetchSummary(pipeline.url);
    const totals = summary.rows.reduce((sum, r) => ({ messages: sum.messages + r.messages, groups: sum.groups + r.activeGroups }), { messages: 0, groups: 0 });
    expect(totals).toEqual({ messages: 2, groups: 2 });
    expect(await rows(pipeline, "SELECT group_id FROM rollup_group_hour WHERE group_id = 'x:rep-123'")).toEqual([]);
  }, 120_000);
});
