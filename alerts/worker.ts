/**
 * The alerts worker, run in the processor role by every processor instance. It joins one consumer
 * group on the `alerts` topic: each instance delivers the webhooks of the partitions it holds, and the
 * one instance holding partition 0 is the detector's single runner (leader by Kafka's own group
 * membership — no second election mechanism). A rebalance moves partition 0, and with it the
 * detector, to another instance; the detector keeps no state, so the new runner continues from the store.
 */
import type { Bus, Subscription } from '../common/bus/bus.ts';
import { jsonRecords } from '../common/bus/json-records.ts';
import type { Logger } from '../common/logger.ts';
import type { Detector, TickResult } from './detector.ts';
import type { AlertMetrics } from './metrics.ts';
import type { AlertMessage } from '../common/contracts/alerts.ts';

export interface AlertsWorkerOptions {
  bus: Bus;
  topic: string;
  groupId: string;
  detector: Detector;
  tickMs: number;
  deliver: (message: AlertMessage) => Promise<void>;
  /** After each tick, the runner sends the webhooks a mute window held back (once it is over). */
  flushDeferred: () => Promise<number>;
  logger: Logger;
  metrics: AlertMetrics;
}

export interface AlertsWorker {
  isLeader(): boolean;
  /** Run one detector tick now if this instance is the runner (tests; waits for a tick in flight; rejects when the tick fails). */
  tickNow(): Promise<TickResult | undefined>;
  stop(): Promise<void>;
}

export async function startAlertsWorker(options: AlertsWorkerOptions): Promise<AlertsWorker> {
  const log = options.logger.child({ component: 'alerts-worker' });
  let leader = false;
  let stopped = false;
  let running: Promise<TickResult | undefined> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function runTick(): Promise<TickResult | undefined> {
    if (running) return running.catch(() => undefined).then(() => runTick());
    if (!leader || stopped) return Promise.resolve(undefined);
    const started = performance.now();
    running = options.detector
      .tick()
      .then(async (result) => {
        options.metrics.open.reset();
        for (const alert of result.open) options.metrics.open.inc({ rule: alert.rule });
        await options.flushDeferred();
        return result;
      })
      .finally(() => {
        options.metrics.tickSeconds.set((performance.now() - started) / 1000);
        running = undefined;
      });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(function detectorTick() {
      runTick()
        .catch((error: unknown) => log.warn({ err: error }, 'alerts tick failed; the next tick retries from the store'))
        .finally(schedule);
    }, options.tickMs);
    timer.unref();
  }

  const subscription: Subscription = await options.bus.subscribe({
    groupId: options.groupId,
    topic: options.topic,
    fromBeginning: true,
    onAssignment(partitions) {
      leader = partitions.includes(0);
      options.metrics.leader.set(leader ? 1 : 0);
      log.info({ partitions, detector: leader }, 'alerts partitions assigned');
    },
    async handleBatch(batch) {
      for (const message of jsonRecords<AlertMessage>(batch, log, 'alerts record')) {
        await options.deliver(message);
      }
    },
  });
  schedule();

  return {
    isLeader: () => leader,
    tickNow: runTick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await subscription.stop();
      leader = false;
      options.metrics.leader.set(0);
    },
  };
}
