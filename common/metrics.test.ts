import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.ts';

describe('pipeline_stalled_partitions', () => {
  it('is counted when read, not when last set', async () => {
    const metrics = createMetrics();
    expect((await metrics.pipelineStalledPartitions.get()).values[0]!.value).toBe(0);
    let stalled = 0;
    metrics.countStalledPartitionsWith(() => stalled);
    stalled = 2;
    expect((await metrics.pipelineStalledPartitions.get()).values[0]!.value).toBe(2);
    expect(await metrics.registry.metrics()).toContain('pipeline_stalled_partitions 2');
  });
});
