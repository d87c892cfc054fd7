/**
 * The processor role: the consumer that writes accepted events to ClickHouse (processor/), and the
 * alerts worker (alerts/: webhooks of its partitions; the detector where it holds partition 0).
 */
import type { Bus } from '../../common/bus/bus.ts';
import { emptyDirectory } from '../../common/placement.ts';
import { startAlertsService, type AlertsService } from '../../alerts/service.ts';
import { createProcessor } from '../../processor/processor.ts';
import { complianceSettings } from '../compliance-settings.ts';
import type { Role, RoleContext } from './role.ts';

/** Wait until a consumer group has caught up with a topic (seen twice, 100 ms apart), or the deadline. */
async function drainBus(bus: Bus, groupId: string, topic: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let caughtUp = 0;
  while (Date.now() < deadline && caughtUp < 2) {
    const lag = await bus.lag(groupId, topic);
    caughtUp = lag.every((p) => p.lag === 0) ? caughtUp + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function buildProcessor(context: RoleContext): Role {
  const { config, logger, metrics, bus, topics, store, directory } = context;
  if (!store) throw new Error('the processor needs ClickHouse');
  const groupId = `${config.KAFKA_TOPIC_PREFIX}processor`;
  const processor = createProcessor({
    bus,
    client: store.client,
    directory: directory?.directory ?? emptyDirectory,
    logger,
    metrics,
    topics,
    groupId,
    dedupWindowDays: config.DEDUP_WINDOW_DAYS,
    boardTimeZone: config.BOARD_TIME_ZONE,
    batch: { maxRecords: config.PROCESSOR_BATCH_ROWS, maxWaitMs: config.PROCESSOR_BATCH_WAIT_MS },
    releaseMemory: () => store.releaseMemory(),
    releaseMemoryEveryMs: config.STORE_RELEASE_MEMORY_MS,
    stallAfterMs: config.PIPELINE_STALL_SECONDS * 1000,
    lagIntervalMs: Math.min(10_000, config.PIPELINE_STALL_SECONDS * 250),
  });
  let alerts: AlertsService | undefined;

  return {
    routers: [],
    async start() {
      await processor.start();
      context.health.addCheck('processor', async () => {
        const { problem } = processor.health();
        if (problem) throw new Error(problem);
      });
      alerts = await startAlertsService({
        config,
        bus,
        client: store.client,
        directory: directory?.directory,
        logger,
        metrics,
        pipeline: () => ({ topic: topics.events, stalls: processor.stalls() }),
        compliance: complianceSettings(config, logger),
      });
    },
    async stop(timeoutMs) {
      // Not needed for durability (what the local log holds is processed at the next start), but the
      // board and the analysts then see everything accepted before the stop.
      if (bus.kind === 'local') await drainBus(bus, groupId, topics.events, timeoutMs / 2);
      await processor.stop();
      await alerts?.stop();
    },
  };
}
