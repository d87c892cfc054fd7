/**
 * Reads whose query parameters grow with their input, with inputs well past what a ClickHouse server takes
 * in one parameter (128 KiB URL-encoded, http_max_field_value_size; 1 MiB for the whole URL): group titles
 * (an alert tick naming thousands of quiet groups), a unit's groups' activity and members, and every read
 * scoped to a lead's units. Run on both engines; the server is where they used to fail (the embedded engine
 * has no such limit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../events.ts';
import { readGroupActivity, readGroupMembers } from '../../directory/activity.ts';
import { readGroupTitles } from '../../directory/group-titles.ts';
import { toEventRow } from '../../processor/rows.ts';
import { writeEventRows } from '../../processor/write-batch.ts';
import { adminToken, signIn } from '../../test/support/auth.ts';
import { startTestPipeline, type TestPipeline } from '../../test/support/pipeline.ts';
import { testEngine } from '../../test/support/store.ts';
import { encodedKeysLength } from './query-params.ts';

const PASSWORD = 'a-long-enough-password';
const AT = Date.parse('2026-11-22T10:15:00Z');
/** Group ids as long and as costly to URL-encode as they come: Devanagari (9 bytes each encoded), quotes, backslashes. */
const GROUPS = Array.from({ length: 6_000 }, (_, i) => `wa:बूथ-समिति-सांगानेर-${i}-'"\\-${'क'.repeat(20)}`);

describe(`key sets past a server's parameter limit (${testEngine()} engine)`, () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true });
    const client = pipeline.store!.client;
    // Every group in the directory with a title; a message and a snapshot from each.
    await client.insert({
      table: 'directory_groups',
      values: GROUPS.map((id, i) => ({ group_id: id, unit_id: 'u1', category: 'booth', title: `Booth ${i}`, platform: 'wa', target_size: null, version: 1, deleted: 0 })),
      format: 'JSONEachRow',
    });
    const events = GROUPS.flatMap((group, i): BusEvent[] => [
      { v: 1, source: 's', receivedAt: AT, id: `m${i}`, group, at: AT, type: 'message', person: `p${i}`, kind: 'text', forwarded: false },
      { v: 1, source: 's', receivedAt: AT, id: `s${i}`, group, at: AT, type: 'group_snapshot', person: '', members: i + 1, admins: 1, title: '' },
    ] as BusEvent[]);
    await writeEventRows(client, events.map((e) => toEventRow(e, { division: 'd', category: 'booth', unitPath: ['d'] })), 'query-limits');
  });
  afterAll(() => pipeline?.stop());

  it('are well past the limit (on a server one statement with them all is refused)', async () => {
    expect(encodedKeysLength(GROUPS)).toBeGreaterThan(1024 * 1024);
    const oneStatement = pipeline.store!.client.query({ query: 'SELECT length({ids:Array(String)}) AS n', query_params: { ids: GROUPS }, format: 'JSONEachRow' });
    if (testEngine() === 'server') await expect(oneStatement).rejects.toThrow();
    else expect(await (await oneStatement).json()).toEqual([{ n: GROUPS.length }]);
  });

  it('group titles: every one of them', async () => {
    const titles = await readGroupTitles(pipeline.store!.client, GROUPS);
    expect(titles.size).toBe(GROUPS.length);
    expect(titles.get(GROUPS[4321]!)).toBe('Booth 4321');
  });

  it('activity and members of those groups: every one of them', async () => {
    const [activity, members] = await Promise.all([
      readGroupActivity(pipeline.store!.client, new Date(AT - 86_400_000), new Date(AT + 86_400_000), GROUPS),
      readGroupMembers(pipeline.store!.client, GROUPS),
    ]);
    expect(activity.size).toBe(GROUPS.length);
    expect([...activity.values()].every((a) => a.messages === 1)).toBe(true);
    expect(members.size).toBe(GROUPS.length);
    expect(members.get(GROUPS[5999]!)).toBe(6000);
  });

  it("a lead's units: as many as fit one parameter are accepted and every scoped read works; more are refused", async () => {
    const admin = await adminToken(pipeline.url);
    const create = (username: string, units: string[]) =>
      fetch(`${pipeline.url}/api/v1/admin/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD, roles: ['lead'], units }),
      });
    // 1,000 units of 9 Devanagari letters: ~91 KiB encoded, under the bound. 300 of 60 letters are ~161 KiB
    // encoded in a request body of ~56 KB (the admin API takes 64 KB).
    const units = (count: number, letters: number) => Array.from({ length: count }, (_, i) => `${'म'.repeat(letters)}${String(i).padStart(3, '0')}`);
    const tooMany = await create('lead-many', units(300, 60));
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toMatch(/units are too long together/);
    const created = await create('lead-most', units(1_000, 9));
    expect(created.status, await created.clone().text()).toBe(201);

    const { token } = await signIn(pipeline.url, 'lead-most', PASSWORD);
    const day = { from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z' };
    for (const route of [`/api/v1/summary?from=${day.from}&to=${day.to}`, '/api/v1/alerts', '/api/v1/board/trends']) {
      const response = await fetch(`${pipeline.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, `${route}: ${await response.clone().text()}`).toBe(200);
    }
  });
});
