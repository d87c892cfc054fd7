import { describe, expect, it } from 'vitest';
import { createFairQueue, QueueAbortedError, QueueFullError } from './fair-queue.ts';

/** A task the test finishes by hand, recording when it started and on which slot. */
function harness(options = { slots: 2, perUser: 1, maxQueuedPerUser: 5 }) {
  const queue = createFairQueue(options);
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const slotOf = new Map<string, number>();
  function submit(user: string, name: string, signal?: AbortSignal): Promise<string> {
    return queue.run(
      user,
      (slot) =>
        new Promise<string>((resolve) => {
          started.push(name);
          slotOf.set(name, slot);
          finish.set(name, () => resolve(name));
        }),
      signal,
    );
  }
  /** Let settled tasks hand their slots on (promise callbacks run). */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { queue, started, finish: (name: string) => finish.get(name)!(), slotOf, submit, settle };
}

describe('createFairQueue', () => {
  it('gives another analyst a free slot at once, however many queries the first one queued', async () => {
    const h = harness();
    const a = ['a1', 'a2', 'a3', 'a4'].map((name) => h.submit('ana', name));
    const b = h.submit('bob', 'b1');
    await h.settle();
    expect(h.started).toEqual(['a1', 'b1']);
    expect(h.queue.stats()).toEqual({ running: 2, waiting: 3 });
    h.finish('b1');
    expect(await b).toBe('b1');
    await h.settle();
    // ana is under no one else's queue but her own cap: her next query starts only when her first ends.
    expect(h.started).toEqual(['a1', 'b1']);
    h.finish('a1');
    await h.settle();
    expect(h.started).toEqual(['a1', 'b1', 'a2']);
    for (const name of ['a2', 'a3', 'a4']) {
      await h.settle();
      h.finish(name);
    }
    expect(await Promise.all(a)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(h.queue.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('takes turns between analysts who both wait', async () => {
    const h = harness({ slots: 1, perUser: 1, maxQueuedPerUser: 5 });
    for (const name of ['a1', 'a2', 'a3']) void h.submit('ana', name);
    for (const name of ['b1', 'b2']) void h.submit('bob', name);
    void h.submit('cid', 'c1');
    for (let i = 0; i < 6; i++) {
      await h.settle();
      h.finish(h.started[h.started.length - 1]!);
    }
    expect(h.started).toEqual(['a1', 'a2', 'b1', 'c1', 'a3', 'b2']);
  });

  it('runs at most perUser queries of one analyst, each on its own slot', async () => {
    const h = harness({ slots: 3, perUser: 2, maxQueuedPerUser: 5 });
    for (const name of ['a1', 'a2', 'a3']) void h.submit('ana', name);
    await h.settle();
    expect(h.started).toEqual(['a1', 'a2']);
    expect(new Set([h.slotOf.get('a1'), h.slotOf.get('a2')]).size).toBe(2);
  });

  it('refuses a query when the analyst already has maxQueuedPerUser waiting', async () => {
    const h = harness({ slots: 1, perUser: 1, maxQueuedPerUser: 2 });
    for (const name of ['a1', 'a2', 'a3']) void h.submit('ana', name);
    await expect(h.submit('ana', 'a4')).rejects.toBeInstanceOf(QueueFullError);
    await h.settle();
    expect(h.queue.stats()).toEqual({ running: 1, waiting: 2 });
  });

  it('drops a waiting query whose request went away, and never starts it', async () => {
    const h = harness({ slots: 1, perUser: 1, maxQueuedPerUser: 5 });
    void h.submit('ana', 'a1');
    const gone = new AbortController();
    const abandoned = h.submit('bob', 'b1', gone.signal);
    void h.submit('cid', 'c1');
    gone.abort();
    await expect(abandoned).rejects.toBeInstanceOf(QueueAbortedError);
    await h.settle();
    h.finish('a1');
    await h.settle();
    expect(h.started).toEqual(['a1', 'c1']);
  });
});
