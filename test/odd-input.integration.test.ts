/**
 * Odd input never stops the counting: at the door every field is held to what its column can
 * store (each refusal named by index, the good events of the body kept), and a record the store
 * refuses anyway is set aside as a dead letter while the rest of its batch, and everything after it,
 * is counted. Real engine, the local log and the real broker.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPipeline, TEST_TOKEN, waitFor, type TestPipeline } from './support/pipeline.ts';
import { authHeaders } from './support/auth.ts';

const AT = '2026-11-22T10:00:00Z';

async function scalar(pipeline: TestPipeline, sql: string): Promise<number> {
  const result = await pipeline.store!.client.query({ query: sql, format: 'JSONEachRow' });
  return Number(Object.values((await result.json<Record<string, string>>())[0]!)[0]);
}

async function ready(pipeline: TestPipeline): Promise<{ status: number; body: { checks: Record<string, string> } }> {
  const response = await fetch(`${pipeline.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
}

const message = (id: string, group: string, sender = '919800000001') => ({ type: 'message', id, group, at: AT, sender, kind: 'text' });

describe('odd input at the door (embedded default)', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true, env: { INGEST_RATE_LIMIT: '100000' } });
  });
  afterAll(() => pipeline?.stop());

  it('refuses each poison by index with its reason, counts the good events of the same body, and one phone number written three ways is one sender', async () => {
    const body = [
      message('good-1', 'wa:door'),
      message('wa:\ud800', 'wa:door'),
      message('bad-group', 'wa:\udfff-door'),
      { type: 'group_snapshot', id: 'snap-huge', group: 'wa:door', at: AT, members: 1e21 },
      { type: 'group_snapshot', id: 'snap-wrap', group: 'wa:door', at: AT, members: 4294967296 },
      { type: 'group_snapshot', id: 'snap-title', group: 'wa:door', at: AT, members: 5, title: 'Booth\u0000114' },
      message('nul-\u0000', 'wa:door'),
      message('phone-1', 'wa:phones', '+91 98123 45678'),
      message('phone-2', 'wa:phones', '919812345678'),
      message('phone-3', 'wa:phones', '09812345678'),
      { type: 'group_snapshot', id: 'snap-ok', group: 'wa:door', at: AT, members: 4294967295, title: 'बूथ 114 🙏' },
    ];
    const response = await pipeline.post(body);
    expect(response.status).toBe(202);
    const answer = (await response.json()) as { accepted: number; rejected: { index: number; error: string }[] };
    expect(answer.accepted).toBe(5);
    expect(answer.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(answer.rejected[0]!.error).toContain('id contains a lone UTF-16 surrogate');
    expect(answer.rejected[1]!.error).toContain('group contains a lone UTF-16 surrogate');
    expect(answer.rejected[2]!.error).toContain('members must be at most 4294967295');
    expect(answer.rejected[3]!.error).toContain('members must be at most 4294967295');
    expect(answer.rejected[4]!.error).toContain('title contains a control character (U+0000)');
    expect(answer.rejected[5]!.error).toContain('id contains a control character (U+0000)');

    await waitFor(async () => ((await scalar(pipeline, "SELECT count() FROM events WHERE group_id IN ('wa:door', 'wa:phones')")) === 5 ? true : undefined), 'the 5 good events stored');
    expect(await scalar(pipeline, "SELECT uniqExact(person) FROM events WHERE group_id = 'wa:phones'")).toBe(1);
    expect(await scalar(pipeline, "SELECT max(members) FROM events WHERE event_id = 'snap-ok'")).toBe(4294967295);
  });

  it('answers odd values in any field with a refusal or counts them; the good events around them are always counted', async () => {
    const odd = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.constantFrom('\ud800', 'a\udc00b', '\u0000', '\u001b[2J', '\u007f', '\u2028', ' ', '', 'x'.repeat(257), '+91 98123 45678', '٠١٢٣٤٥٦٧٨٩', 'बूथ', '😀'),
      fc.double(),
      fc.integer(),
      fc.constantFrom(1e21, -1, 2 ** 32, 2 ** 53, 4294967295, 0.5, -0, Number.MAX_VALUE, 8.64e15, 10_413_792_000_000),
      fc.boolean(),
      fc.constant(null),
      fc.anything({ maxDepth: 2 }),
    );
    const fieldsOf: Record<string, string[]> = {
      message: ['id', 'group', 'at', 'sender', 'kind', 'forwarded'],
      member_joined: ['id', 'group', 'at', 'member'],
      member_left: ['id', 'group', 'at', 'member'],
      group_snapshot: ['id', 'group', 'at', 'members', 'admins', 'title'],
    };
    const base: Record<string, Record<string, unknown>> = {
      message: { type: 'message', at: AT, sender: '919800000002', kind: 'image', forwarded: true },
      member_joined: { type: 'member_joined', at: AT, member: '919800000003' },
      member_left: { type: 'member_left', at: AT, member: '919800000004' },
      group_snapshot: { type: 'group_snapshot', at: AT, members: 10, admins: 1, title: 'Booth' },
    };
    let n = 0;
    /** (group, id) as stored (ingest trims both) of every odd event answered as accepted. */
    const acceptedOdd = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(fieldsOf)), fc.nat(5), odd, async (type, which, value) => {
        n += 1;
        const field = fieldsOf[type]![which % fieldsOf[type]!.length]!;
        const event = { ...base[type], id: `odd-${n}`, group: 'wa:odd', [field]: value };
        const response = await pipeline.post([message(`before-${n}`, 'wa:around'), event, message(`after-${n}`, 'wa:around')]);
        expect(response.status).toBe(202);
        const answer = (await response.json()) as { accepted: number; rejected: { index: number; error: string }[] };
        expect(answer.rejected.every((r) => r.index === 1 && r.error.length > 0)).toBe(true);
        expect(answer.accepted).toBe(3 - answer.rejected.length);
        if (answer.rejected.length === 0) acceptedOdd.add(`${String(event.group).trim()}\u0000${String(event.id).trim()}`);
      }),
      { numRuns: 300 },
    );
    // Every good event around the odd ones, and every odd one accepted, is stored; none is set aside.
    await waitFor(async () => ((await scalar(pipeline, "SELECT count() FROM events WHERE group_id = 'wa:around'")) === 2 * n ? true : undefined), `the ${2 * n} good events`);
    const stored = async () => {
      const result = await pipeline.store!.client.query({ query: "SELECT group_id, event_id FROM events WHERE group_id NOT IN ('wa:around', 'wa:door', 'wa:phones')", format: 'JSONCompactEachRow' });
      return (await result.json<[string, string]>()).map(([group, id]) => `${group}\u0000${id}`);
    };
    await waitFor(async () => ((await stored()).length >= acceptedOdd.size ? true : undefined), `the ${acceptedOdd.size} odd events accepted`);
    expect((await stored()).sort()).toEqual([...acceptedOdd].sort());
    expect(await scalar(pipeline, 'SELECT count() FROM dead_letters')).toBe(0);
    expect((await ready(pipeline)).status).toBe(200);
    expect(acceptedOdd.size).toBeGreaterThan(20);
    expect(acceptedOdd.size).toBeLessThan(n);
  });
});

describe.each([['the local log', true], ['Kafka', false]])('a record the store refuses, on %s', (_name, localBus) => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus });
    // Something the door cannot know: the store itself refuses one event.
    await pipeline.store!.client.command({ query: "ALTER TABLE events ADD CONSTRAINT refuse_one CHECK event_id != 'refused-by-the-store'" });
  });
  afterAll(() => pipeline?.stop());

  it('is set aside with the engine\'s reason while the rest of its batch and everything after it is counted', async () => {
    const batch = Array.from({ length: 300 }, (_, i) => message(i === 150 ? 'refused-by-the-store' : `batch-${i}`, `wa:refuse-${i % 7}`));
    expect(await (await pipeline.post(batch)).json()).toEqual({ accepted: 300, rejected: [] });
    await waitFor(async () => ((await scalar(pipeline, "SELECT count() FROM events WHERE startsWith(event_id, 'batch-')")) === 299 ? true : undefined), 'the 299 others stored');
    await waitFor(async () => ((await scalar(pipeline, 'SELECT count() FROM dead_letters')) === 1 ? true : undefined), 'one dead letter');

    const later = Array.from({ length: 100 }, (_, i) => message(`later-${i}`, `wa:refuse-${i % 7}`));
    expect(await (await pipeline.post(later)).json()).toEqual({ accepted: 100, rejected: [] });
    await waitFor(async () => ((await scalar(pipeline, "SELECT count() FROM events WHERE startsWith(event_id, 'later-')")) === 100 ? true : undefined), 'the later events stored');

    // A record on the bus that is no event at all (another producer): set aside at decode.
    await pipeline.bus.produce(`${pipeline.config.KAFKA_TOPIC_PREFIX}events`, [{ key: 'wa:refuse-0', value: 'not json {' }]);
    await waitFor(async () => ((await scalar(pipeline, 'SELECT count() FROM dead_letters')) === 2 ? true : undefined), 'the undecodable record set aside');

    const response = await fetch(`${pipeline.url}/api/v1/admin/dead-letters`, { headers: await authHeaders(pipeline.url) });
    expect(response.status).toBe(200);
    const { total, letters } = (await response.json()) as { total: number; letters: { stage: string; reason: string; id: string; record: string }[] };
    expect(total).toBe(2);
    const refused = letters.find((l) => l.stage === 'write')!;
    expect(refused.id).toBe('refused-by-the-store');
    expect(refused.reason).toMatch(/the store refused it: .*refuse_one/);
    expect(JSON.parse(refused.record)).toMatchObject({ id: 'refused-by-the-store', group: 'wa:refuse-3' });
    expect(letters.find((l) => l.stage === 'decode')!.reason).toContain('not JSON');
    // Waited for: the rollups are written just after the raw rows of the last batch.
    await waitFor(async () => ((await scalar(pipeline, 'SELECT sum(messages) FROM rollup_minute')) === 399 ? true : undefined), 'the 399 messages in the minute rollup');
    expect((await pipeline.metrics.processorRecords.get()).values.find((v) => v.labels.outcome === 'dead_letter')?.value).toBe(2);
    const after = await ready(pipeline);
    expect(after.status).toBe(200);
    // Every role's checks: the api's live consumers among them.
    expect(after.body.checks).toEqual({ bus: 'ok', clickhouse: 'ok', processor: 'ok', live: 'ok' });
  });
});
