import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.ts';
import { runShutdown } from './shutdown.ts';

const logger = createLogger('silent');

describe('runShutdown', () => {
  it('runs the steps in order, each after the one before has finished', async () => {
    const done: string[] = [];
    await runShutdown(
      [
        { name: 'slow first', run: () => new Promise<void>((resolve) => setImmediate(() => resolve(void done.push('a')))) },
        { name: 'second', run: () => void done.push('b') },
      ],
      10_000,
      logger,
    );
    expect(done).toEqual(['a', 'b']);
  });

  it('goes on after a failing step, then rejects with its failure', async () => {
    const done: string[] = [];
    const failure = new Error('the bus would not close');
    const shutdown = runShutdown(
      [
        { name: 'bus', run: () => Promise.reject(failure) },
        { name: 'store', run: () => void done.push('store') },
      ],
      10_000,
      logger,
    );
    await expect(shutdown).rejects.toBe(failure);
    expect(done).toEqual(['store']);
  });

  it('gives up waiting at the deadline', async () => {
    const never = new Promise<void>(() => undefined);
    await expect(runShutdown([{ name: 'hangs', run: () => never }], 1, logger)).resolves.toBeUndefined();
  });
});
