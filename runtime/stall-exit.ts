/**
 * A processor that stays stalled exits, so that its supervisor starts a fresh process. Docker marks a
 * container whose healthcheck fails "unhealthy" and does nothing else: only an exit makes its `restart:`
 * policy act (so do systemd's and Kubernetes' liveness probes, which restart on their own).
 *
 * Watches the answer the healthcheck reads, the `processor` check of the process's own /readyz (consumer
 * running, no batch failing and no partition without progress for PIPELINE_STALL_SECONDS), and calls
 * `onStalled` once that check has failed on every reading for `afterMs`. Opt-in (STALL_EXIT_SECONDS):
 * without a supervisor an exit only makes things worse.
 */
import type { Logger } from '../common/logger.ts';

/** Exit code of a process that gave up on a stall (EX_TEMPFAIL: try again). */
export const STALL_EXIT_CODE = 75;

export interface StallWatchOptions {
  /** What is wrong now (undefined: nothing): `readyzCheck` of the process's own /readyz. */
  problem: () => Promise<string | undefined>;
  afterMs: number;
  everyMs?: number;
  logger: Logger;
  /** Called once, with the last problem the check named. */
  onStalled(problem: string): void;
}

/** What the named check of the /readyz at `url` says: undefined when it passed. */
export async function readyzCheck(url: string, check: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { checks?: Record<string, string> };
    const result = body.checks?.[check];
    return result === undefined || result === 'ok' ? undefined : result;
  } catch (error) {
    return `/readyz did not answer: ${(error as Error).message}`;
  }
}

export function watchForStall(options: StallWatchOptions): { stop(): void } {
  const everyMs = options.everyMs ?? Math.min(5000, Math.max(100, Math.floor(options.afterMs / 6)));
  let failingSince: number | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function read(): Promise<void> {
    const problem = await options.problem();
    if (stopped) return;
    if (problem === undefined) {
      if (failingSince !== undefined) options.logger.info('the stall is over');
      failingSince = undefined;
    } else {
      failingSince ??= Date.now();
      if (Date.now() - failingSince >= options.afterMs) {
        stopped = true;
        options.onStalled(problem);
        return;
      }
    }
    timer = setTimeout(() => void read(), everyMs);
    timer.unref();
  }

  timer = setTimeout(() => void read(), everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
