/**
 * The local log on its own (temp directories): what survives a restart, a torn write, retention and
 * a second owner. The Kafka-compatible contract is in bus.integration.test.ts.
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bus, ConsumedBatch } from './bus.ts';
import { createLocalBus, type LocalBusOptions } from './local-bus.ts';
import { waitFor } from '../../test/support/wait.ts';

function open(dir: string, overrides: Partial<LocalBusOptions> = {}): Bus {
  return createLocalBus({ dir, partitions: 1, maxPendingPerPartition: 100_000, sync: true, retryDelayMs: 10, ...overrides });
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'grouppulse-local-bus-'));
}

/** Read a group's records until `count` arrived; stops the subscription. */
async function readAll(bus: Bus, topic: string, groupId: string, count: number, fromBeginning = true): Promise<ConsumedBatch['records']> {
  const seen: ConsumedBatch['records'] = [];
  const subscription = await bus.subscribe({
    groupId,
    topic,
    fromBeginning,
    async handleBatch(batch) {
      seen.push(...batch.records);
    },
  });
  await waitFor(() => (seen.length >= count ? true : undefined), `${count} records`);
  await subscription.stop();
  return seen;
}

const records = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key: 'k', value: `v${from + i}` }));

describe('local log', () => {
  it('keeps records, offsets and a durable group position across a restart; offsets are never reused', async () => {
    const dir = tempDir();
    const first = open(dir);
    await first.ensureTopics(['events']);
    await first.produce('events', records(0, 100));
    let handled = 0;
    const subscription = await first.subscribe({
      groupId: 'processor',
      topic: 'events',
      fromBeginning: true,
      async handleBatch(batch) {
        // Handles the first 60 records only, then fails: 60 are committed.
        const room = 60 - handled;
        if (room <= 0) throw new Error('store down');
        const upTo = batch.records[Math.min(room, batch.records.length) - 1]!;
        handled += Math.min(room, batch.records.length);
        return { lastHandledOffset: upTo.offset };
      },
    });
    await waitFor(async () => ((await first.lag('processor', 'events'))[0]!.committed === 60 ? true : undefined), 'commit at 60');
    await subscription.stop();
    await first.close();

    const second = open(dir);
    await second.ensureTopics(['events']);
    expect(await second.lag('processor', 'events')).toEqual([{ partition: 0, committed: 60, end: 100, lag: 40 }]);
    await second.produce('events', records(100, 110));
    const rest = await readAll(second, 'events', 'processor', 50);
    expect(rest.map((r) => r.offset)).toEqual(Array.from({ length: 50 }, (_, i) => String(60 + i)));
    expect(rest.map((r) => r.value.toString())).toEqual(records(60, 110).map((r) => r.value));
    await second.close();
  });

  it('cuts a write torn by a crash off the end and keeps every whole record before it', async () => {
    const dir = tempDir();
    const bus = open(dir);
    await bus.ensureTopics(['events']);
    await bus.produce('events', records(0, 5));
    await bus.close();
    const segment = path.join(dir, 'events', '0', readdirSync(path.join(dir, 'events', '0'))[0]!);
    // A crash in the middle of the sixth record's write: its header and part of its body.
    const size = statSync(segment).size;
    appendFileSync(segment, Buffer.from([0, 0, 0, 40, 1, 2, 3, 4, 0, 0, 0, 1]));
    const reopened = open(dir);
    await reopened.ensureTopics(['events']);
    expect(statSync(segment).size).toBe(size);
    await reopened.produce('events', records(5, 6));
    const all = await readAll(reopened, 'events', 'reader', 6);
    expect(all.map((r) => r.value.toString())).toEqual(records(0, 6).map((r) => r.value));
    await reopened.close();

    // A damaged byte inside the last record: that record is cut, the ones before stay.
    truncateSync(segment, statSync(segment).size - 1);
    const again = open(dir);
    await again.ensureTopics(['events']);
    expect((await again.lag('nobody', 'events'))[0]!.end).toBe(5);
    await again.close();
  });

  it('deletes segments every durable group is done with, and nothing a group still needs', async () => {
    const dir = tempDir();
    const bus = open(dir, { segmentBytes: 60 });
    await bus.ensureTopics(['events']);
    await bus.produce('events', records(0, 20));
    for (let i = 20; i < 40; i++) await bus.produce('events', records(i, i + 1));
    const files = () => readdirSync(path.join(dir, 'events', '0')).filter((f) => f.endsWith('.log'));
    expect(files().length).toBeGreaterThan(3);
    // No group yet: everything waits for the first one.
    expect((await readAll(bus, 'events', 'processor', 40)).length).toBe(40);
    await bus.produce('events', records(40, 41));
    await waitFor(() => (files().length <= 2 ? true : undefined), 'consumed segments deleted');
    await bus.close();
  });

  it('drops old segments of a fan-out topic whether read or not; a live group is neither kept nor waited for', async () => {
    const dir = tempDir();
    const bus = open(dir, { segmentBytes: 100, maxPendingPerPartition: 5 });
    await bus.ensureTopics(['live'], { retentionMs: 1 });
    for (let i = 0; i < 10; i++) await bus.produce('live', records(i, i + 1));
    expect(readdirSync(path.join(dir, 'live', '0')).filter((f) => f.endsWith('.log')).length).toBeLessThanOrEqual(2);

    const seen: string[] = [];
    const subscription = await bus.subscribe({ groupId: 'socket-1', topic: 'live', fromBeginning: false, handleBatch: async (batch) => void seen.push(...batch.records.map((r) => r.value.toString())) });
    await bus.produce('live', records(10, 12));
    await waitFor(() => (seen.length >= 2 ? true : undefined), 'the two records produced after subscribing');
    expect(seen).toEqual(['v10', 'v11']);
    await subscription.stop();
    await bus.close();
    expect(existsSync(path.join(dir, 'live', 'groups.json'))).toBe(false);
  });

  it('gives a group to one subscriber at a time', async () => {
    const bus = open(tempDir());
    await bus.ensureTopics(['events']);
    const first = await bus.subscribe({ groupId: 'processor', topic: 'events', fromBeginning: true, handleBatch: async () => undefined });
    await expect(bus.subscribe({ groupId: 'processor', topic: 'events', fromBeginning: true, handleBatch: async () => undefined })).rejects.toThrow(/already reads events here/);
    await first.stop();
    await (await bus.subscribe({ groupId: 'processor', topic: 'events', fromBeginning: true, handleBatch: async () => undefined })).stop();
    await bus.close();
  });

  it('refuses a data directory another live process or this one holds', async () => {
    const dir = tempDir();
    const bus = open(dir);
    expect(() => open(dir)).toThrow(/already open in this process/);
    await bus.close();
    writeFileSync(path.join(dir, 'owner.pid'), String(process.ppid));
    expect(() => open(dir)).toThrow(new RegExp(`in use by process ${process.ppid}`));
    // A stale owner (no such process) is taken over.
    writeFileSync(path.join(dir, 'owner.pid'), '2147483646');
    await open(dir).close();
  });

  it('lets a batch wait for more records, up to its row limit or its age', async () => {
    const bus = open(tempDir());
    await bus.ensureTopics(['events']);
    await bus.produce('events', records(0, 1));
    const batches: number[] = [];
    const subscription = await bus.subscribe({
      groupId: 'processor',
      topic: 'events',
      fromBeginning: true,
      maxBatchRecords: 3,
      // Long enough that only the row limit can hand the first batch over.
      maxBatchWaitMs: 600_000,
      async handleBatch(batch) {
        batches.push(batch.records.length);
      },
    });
    await bus.produce('events', records(1, 2));
    await bus.produce('events', records(2, 3));
    await waitFor(() => (batches.length > 0 ? true : undefined), 'the first batch');
    expect(batches[0]).toBe(3);
    await subscription.stop();
    await bus.close();

    // A batch that never fills goes once its first record has waited maxBatchWaitMs.
    const short = open(tempDir());
    await short.ensureTopics(['events']);
    await short.produce('events', records(0, 1));
    const seen = await (async () => {
      const got: number[] = [];
      const sub = await short.subscribe({ groupId: 'p', topic: 'events', fromBeginning: true, maxBatchRecords: 100, maxBatchWaitMs: 20, async handleBatch(batch) { got.push(batch.records.length); } });
      await waitFor(() => (got.length > 0 ? true : undefined), 'the batch that did not fill');
      await sub.stop();
      return got;
    })();
    expect(seen).toEqual([1]);
    await short.close();
  });
});
