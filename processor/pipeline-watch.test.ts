import { describe, expect, it } from 'vitest';
import { PipelineWatch } from './pipeline-watch.ts';

const reading = (partition: number, committed: number, end: number) => ({ partition, committed, end, lag: end - committed });

describe('PipelineWatch', () => {
  it('reports a partition whose records wait while its committed offset stands still, from the first such reading', () => {
    const watch = new PipelineWatch();
    watch.observe([reading(0, 10, 10), reading(1, 5, 9)], 0);
    watch.observe([reading(0, 10, 20), reading(1, 9, 12)], 10_000); // 0: records came, none handled yet; 1 moved
    watch.observe([reading(0, 10, 30), reading(1, 12, 15)], 20_000);
    watch.observe([reading(0, 10, 40), reading(1, 15, 15)], 70_000);
    expect(watch.stalls(70_000, 60_000)).toEqual([{ partition: 0, since: 0, waiting: 30 }]);
    expect(watch.stalls(70_000, 80_000)).toEqual([]);
  });

  it('an idle partition (nothing waiting) is never stalled, and progress clears a stall', () => {
    const watch = new PipelineWatch();
    watch.observe([reading(0, 10, 10)], 0);
    watch.observe([reading(0, 10, 10)], 600_000);
    expect(watch.stalls(600_000, 60_000)).toEqual([]);
    watch.observe([reading(0, 10, 11)], 610_000);
    watch.observe([reading(0, 10, 11)], 700_000);
    expect(watch.stalls(700_000, 60_000)).toEqual([{ partition: 0, since: 600_000, waiting: 1 }]);
    watch.observe([reading(0, 11, 11)], 710_000);
    expect(watch.stalls(710_000, 0)).toEqual([]);
  });
});
