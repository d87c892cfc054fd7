/**
 * Who runs next on the analysts' sessions. `slots` queries run at once in all (one per session of
 * the embedded engine); one analyst has at most `perUser` of them; the rest wait in their own line,
 * at most `maxQueuedPerUser` long. When a slot frees, analysts take turns: the one whose turn it is
 * and who is under their cap goes next, then moves to the back. So an analyst with many slow
 * queries holds at most `perUser` slots, and another analyst's query starts as soon as any slot is
 * free — never behind the first one's line.
 */

export interface FairQueueOptions {
  slots: number;
  perUser: number;
  maxQueuedPerUser: number;
  /** Told the counts after every change (metrics). */
  onChange?: (stats: { running: number; waiting: number }) => void;
}

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export class QueueAbortedError extends Error {
  override name = 'QueueAbortedError';
}

interface Job {
  start(slot: number): void;
  abandon(error: Error): void;
}

interface Line {
  running: number;
  waiting: Job[];
}

export interface FairQueue {
  /** Run `task` on a free slot when it is this user's turn; rejects with QueueFullError at once when their line is full. */
  run<T>(user: string, task: (slot: number) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Queries running and waiting, in all. */
  stats(): { running: number; waiting: number };
}

export function createFairQueue(options: FairQueueOptions): FairQueue {
  const free: number[] = Array.from({ length: options.slots }, (_, i) => options.slots - 1 - i);
  const lines = new Map<string, Line>();
  /** Users with someone waiting, in the order of their turns. */
  const turns: string[] = [];

  function lineOf(user: string): Line {
    let line = lines.get(user);
    if (!line) lines.set(user, (line = { running: 0, waiting: [] }));
    return line;
  }

  function forget(user: string, line: Line): void {
    if (line.running === 0 && line.waiting.length === 0) lines.delete(user);
  }

  function stats() {
    let running = 0;
    let waiting = 0;
    for (const line of lines.values()) {
      running += line.running;
      waiting += line.waiting.length;
    }
    return { running, waiting };
  }

  function dispatch(): void {
    dispatchFree();
    options.onChange?.(stats());
  }

  function dispatchFree(): void {
    while (free.length > 0) {
      const turn = turns.findIndex((user) => lines.get(user)!.running < options.perUser);
      if (turn < 0) return;
      const user = turns.splice(turn, 1)[0]!;
      const line = lines.get(user)!;
      const job = line.waiting.shift()!;
      if (line.waiting.length > 0) turns.push(user);
      line.running += 1;
      const slot = free.pop()!;
      job.start(slot);
    }
  }

  return {
    run<T>(user: string, task: (slot: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted) return Promise.reject(new QueueAbortedError('the request was abandoned before it was queued'));
      const line = lineOf(user);
      if (line.waiting.length >= options.maxQueuedPerUser) {
        forget(user, line);
        return Promise.reject(new QueueFullError(`${line.waiting.length} of your queries are waiting already`));
      }
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => {
          const index = line.waiting.indexOf(job);
          if (index < 0) return;
          line.waiting.splice(index, 1);
          if (line.waiting.length === 0) turns.splice(turns.indexOf(user), 1);
          forget(user, line);
          job.abandon(new QueueAbortedError('the request was abandoned while it waited'));
          options.onChange?.(stats());
        };
        const job: Job = {
          start(slot) {
            signal?.removeEventListener('abort', onAbort);
            task(slot)
              .then(resolve, reject)
              .finally(() => {
                line.running -= 1;
                free.push(slot);
                forget(user, line);
                dispatch();
              });
          },
          abandon: reject,
        };
        if (line.waiting.length === 0) turns.push(user);
        line.waiting.push(job);
        signal?.addEventListener('abort', onAbort, { once: true });
        dispatch();
      });
    },
    stats,
  };
}
