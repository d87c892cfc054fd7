/**
 * Shutdown as an ordered list of named steps: each runs after the one before has finished, a failing
 * step is logged and the next one runs anyway, and the whole list gets one deadline.
 */
import type { Logger } from '../common/logger.ts';

export interface ShutdownStep {
  name: string;
  run(): unknown;
}

/** Runs the steps in order within `timeoutMs`; resolves when done or at the deadline, rejects with the first failure. */
export async function runShutdown(steps: readonly ShutdownStep[], timeoutMs: number, logger: Logger): Promise<void> {
  let firstFailure: unknown;
  const run = (async function runSteps() {
    for (const step of steps) {
      try {
        await step.run();
      } catch (error) {
        logger.error({ err: error, step: step.name }, 'shutdown step failed; going on with the next');
        firstFailure ??= error;
      }
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
    timer.unref();
  });
  const finished = await Promise.race([run.then(() => 'done' as const), deadline]);
  clearTimeout(timer);
  if (finished === 'late') logger.warn({ timeoutMs }, 'shutdown did not finish in time; stopping anyway');
  if (firstFailure !== undefined) throw firstFailure;
}
