/**
 * Is the pipeline moving? Fed the processor group's position on each partition of the events topic
 * (every lag reading), it tells which partitions have had records waiting while their committed offset
 * stood still, and since when. Pure: the caller brings the readings and the clock.
 */
import type { PartitionOffsets } from '../common/bus/bus.ts';

export interface PartitionStall {
  partition: number;
  /** Epoch ms of the first reading that found records waiting and no progress since. */
  since: number;
  /** Records waiting at the last reading. */
  waiting: number;
}

export class PipelineWatch {
  private readonly last = new Map<number, { committed: number; movedAt: number; waiting: number }>();

  observe(readings: PartitionOffsets[], now: number): void {
    for (const reading of readings) {
      const before = this.last.get(reading.partition);
      const moved = !before || reading.committed !== before.committed || reading.lag === 0;
      this.last.set(reading.partition, { committed: reading.committed, movedAt: moved ? now : before.movedAt, waiting: reading.lag });
    }
  }

  /** Partitions with records waiting and no progress for at least `forMs`. */
  stalls(now: number, forMs: number): PartitionStall[] {
    const stalls: PartitionStall[] = [];
    for (const [partition, state] of this.last) {
      if (state.waiting > 0 && now - state.movedAt >= forMs) stalls.push({ partition, since: state.movedAt, waiting: state.waiting });
    }
    return stalls.sort((a, b) => a.partition - b.partition);
  }
}
