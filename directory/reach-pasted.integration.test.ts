/**
 * Pasted copies (migration 0170) on the real pipeline (local bus): a message first seen above booth and pasted
 * (not forwarded) into booth groups is listed like a forwarded one; a paste between booth groups only is not.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../common/time.ts';
import { adminToken } from '../test/support/auth.ts';
import { importOrgWithUpperGroups } from '../test/support/org-fixture.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../test/support/pipeline.ts';
import { readReachList } from './reach.ts';

let pipeline: TestPipeline;
let client: ClickHouseClient;
const T0 = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 5 * HOUR_MS;
// Every candidate judged sent down: the list's candidates alone must leave the paste between booth groups out.
const window = { fromMs: T0 - HOUR_MS, toMs: T0 + 6 * HOUR_MS, limit: 50, leafLevel: 'booth', sentDown: () => true };

const message = (id: string, group: string, offsetMs: number, fingerprint: string, forwarded: boolean) =>
  ({ type: 'message', id, group, at: new Date(T0 + offsetMs).toISOString(), sender: '919800000001', kind: 'text', forwarded, fingerprint });

/** A fingerprint as the door stores it: keyed with the deployment's key (ingest/validate.ts fingerprintOf). */
const keyed = (fingerprint: string) => createHmac('sha256', Buffer.from(pipeline.config.PSEUDONYM_KEY!, 'hex')).update(`fingerprint:${fingerprint}`).digest('hex').slice(0, 32);

async function stored(fingerprint: string, groups: number): Promise<void> {
  await waitFor(async () => {
    const result = await client.query({ query: 'SELECT uniqExact(group_id) AS n FROM reach_first_seen WHERE fingerprint = {fp:String}', query_params: { fp: keyed(fingerprint) }, format: 'JSONEachRow' });
    return Number((await result.json<{ n: string }>())[0]?.n) === groups ? true : undefined;
  }, `${fingerprint} in ${groups} groups`);
}

beforeAll(async () => {
  pipeline = await startTestPipeline({ localBus: true });
  client = pipeline.store!.client;
  const admin = await adminToken(pipeline.url);
  await importOrgWithUpperGroups(pipeline.url, admin);
  // First sightings above booth (and chatter in a booth group), stored before anything is pasted.
  expect((await pipeline.post([
    message('c-1', 'wa:state', 0, 'central', false),
    message('p-1', 'wa:jpr', 0, 'pasted', false),
    message('b-1', 'wa:g1', 0, 'booth-paste', false),
  ])).status).toBe(202);
  await Promise.all([stored('central', 1), stored('pasted', 1), stored('booth-paste', 1)]);
  expect((await pipeline.post([
    message('c-2', 'wa:jpr', 5 * MINUTE_MS, 'central', true),
    message('c-3', 'wa:g1', 10 * MINUTE_MS, 'central', true),
    message('c-4', 'wa:g3', 50 * MINUTE_MS, 'central', true),
    message('c-5', 'wa:g4', 3 * HOUR_MS, 'central', true),
    // Forwarded again into a group that had it: the group counts once.
    message('c-6', 'wa:g1', 2 * HOUR_MS, 'central', true),
    // Pasted, not forwarded, into booth groups of both divisions.
    message('p-2', 'wa:g1', 20 * MINUTE_MS, 'pasted', false),
    message('p-3', 'wa:g4', 40 * MINUTE_MS, 'pasted', false),
    // Pasted from one booth group into another: never seen above booth.
    message('b-2', 'wa:g3', 30 * MINUTE_MS, 'booth-paste', false),
  ])).status).toBe(202);
  await Promise.all([stored('central', 5), stored('pasted', 3), stored('booth-paste', 2)]);
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('pasted copies', () => {
  it('lists a message pasted below a group above booth, not one pasted between booth groups', async () => {
    const top = (await readReachList(client, window)).map((l) => ({ ...l.message, groups: l.groups }));
    expect(top.map((m) => [m.fingerprint, m.groups, m.group, m.unit, m.division])).toEqual([
      [keyed('central'), 5, 'wa:state', 'RJ', 'RJ'],
      [keyed('pasted'), 3, 'wa:jpr', 'JPR', 'JPR'],
    ]);
    expect(top.find((m) => m.fingerprint === keyed('pasted'))!.firstAt).toBe(T0);
  });
});
