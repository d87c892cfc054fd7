import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { watchForStall } from './stall-exit.ts';

const logger = createLogger('silent');

describe('watchForStall', () => {
  it('gives up once the check has failed on every reading for the whole span, not before', async () => {
    vi.useFakeTimers();
    try {
      const answers: (string | undefined)[] = ['stalled', 'stalled', undefined, 'stalled', 'stalled', 'stalled', 'stalled', 'stalled'];
      let reads = 0;
      const stalled: string[] = [];
      watchForStall({ problem: async () => answers[Math.min(reads++, answers.length - 1)], afterMs: 3000, everyMs: 1000, logger, onStalled: (p) => stalled.push(p) });
      // Readings at 1 … 5 s: failing, failing, fine (the count starts again), failing from 4 s.
      await vi.advanceTimersByTimeAsync(6500);
      expect(stalled).toEqual([]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(stalled).toEqual(['stalled']);
      // Once only.
      await vi.advanceTimersByTimeAsync(5000);
      expect(stalled).toEqual(['stalled']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops reading when stopped', async () => {
    vi.useFakeTimers();
    try {
      const problem = vi.fn(async () => 'stalled');
      const watch = watchForStall({ problem, afterMs: 1000, everyMs: 100, logger, onStalled: () => undefined });
      await vi.advanceTimersByTimeAsync(250);
      watch.stop();
      const calls = problem.mock.calls.length;
      await vi.advanceTimersByTimeAsync(5000);
      expect(problem.mock.calls.length).toBe(calls);
    } finally {
      vi.useRealTimers();
    }
  });
});
