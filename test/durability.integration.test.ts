/**
 * The embedded default (`grouppulse start`: local log + embedded engine in one process) keeps every
 * event it answered 202 for: across a clean restart, and across SIGKILL at random moments while a
 * client sends. Each ends with the store holding exactly what was acknowledged.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnService, type ChildService } from './support/child-service.ts';
import { expectedOf, fetchSummary, makeEvents, totalEvents, type TestEvent } from './support/events.ts';
import { sendReliably } from './support/reliable-sender.ts';
import { waitFor } from './support/wait.ts';

const TOKEN = 'durability-token';
const env = (dataDir: string) => ({ KAFKA_BROKERS: '', CLICKHOUSE_URL: '', DATA_DIR: dataDir, INGEST_TOKEN: TOKEN, PSEUDONYM_KEY: '00112233445566778899aabbccddeeff' });

async function start(dataDir: string): Promise<ChildService> {
  const service = await spawnService(['start'], env(dataDir));
  await service.waitReady();
  return service;
}

/** The summary equals exactly what these events make: rollups and raw rows alike. */
async function expectExactly(url: string, events: TestEvent[]): Promise<void> {
  const expected = expectedOf(events);
  const rollup = await waitFor(async () => {
    const body = await fetchSummary(url);
    return totalEvents(body) >= events.length ? body : undefined;
  }, `${events.length} events counted`, 90_000);
  const raw = await fetchSummary(url, '2026-11-22', true);
  for (const [what, body] of [['rollups', rollup], ['raw events', raw]] as const) {
    expect(body.rows, what).toHaveLength(1);
    expect(body.rows[0], what).toMatchObject({ messages: expected.messages, joins: expected.joins, leaves: expected.leaves, activeGroups: expected.groups.size, activeSenders: expected.senders.size });
  }
}

describe('the embedded default keeps what it accepted', () => {
  let service: ChildService | undefined;
  afterEach(async () => {
    await service?.kill('SIGKILL');
    service = undefined;
  });

  it('counts both streams in full across a clean restart, down to single-event requests', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'grouppulse-restart-'));
    service = await start(dataDir);
    const first = makeEvents(600, 'before', 20);
    expect((await sendReliably(first, { url: () => service!.url, token: TOKEN, batchSize: 50 })).acknowledged).toBe(600);
    expect(await service.kill('SIGTERM')).toBe(0);

    service = await start(dataDir);
    // One event per request: each becomes a batch of its own, the case where reused offsets lost 10 of 12.
    const second = makeEvents(12, 'after', 4);
    expect((await sendReliably(second, { url: () => service!.url, token: TOKEN, batchSize: 1 })).acknowledged).toBe(12);
    const third = makeEvents(600, 'later', 20);
    expect((await sendReliably(third, { url: () => service!.url, token: TOKEN, batchSize: 50 })).acknowledged).toBe(600);
    await expectExactly(service.url, [...first, ...second, ...third]);
  }, 240_000);

  it('counts every acknowledged event exactly once after SIGKILLs at random moments while a client sends', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'grouppulse-sigkill-'));
    service = await start(dataDir);
    const events = makeEvents(6000, 'kill', 40);
    let sent = 0;
    const sending = sendReliably(events, { url: () => service?.url ?? 'http://127.0.0.1:1', token: TOKEN, batchSize: 40, pauseMs: 20, onProgress: (n) => (sent = n) });
    const kills: number[] = [];
    for (let round = 0; round < 4; round++) {
      // A random moment while requests are in flight: between 0.2 and 1.5 s after requests resume.
      const resumeAt = sent;
      await waitFor(() => (sent > resumeAt ? true : undefined), `round ${round + 1}: requests acknowledged again`, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1300));
      kills.push(sent);
      const killed = service!;
      service = undefined;
      expect(await killed.kill('SIGKILL')).toBe('SIGKILL');
      service = await start(dataDir);
    }
    const stats = await sending;
    expect(stats.acknowledged).toBe(6000);
    expect(kills.every((at) => at > 0 && at < 6000), `kills landed mid-stream: ${kills.join(', ')}`).toBe(true);
    await expectExactly(service!.url, events);
  }, 300_000);
});
