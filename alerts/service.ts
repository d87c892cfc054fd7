/**
 * Wires alerts into a running process (runtime/services.ts calls only this): in the processor role
 * the worker (webhook deliverer on its share of the `alerts` topic; detector when it holds partition
 * 0), in the api role the routes and the live fan-out to sockets.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Router } from 'express';
import type { Server } from 'socket.io';
import type { RequireUser } from '../api/access/require-user.ts';
import type { Bus } from '../common/bus/bus.ts';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { TOPICS, topicName } from '../common/topics.ts';
import { createDirectoryIndex } from '../directory/directory-index.ts';
import type { LiveDirectory } from '../directory/live-directory.ts';
import { createDeliverer } from './deliver.ts';
import { createDetector } from './detector.ts';
import { createLeadLookup } from '../access/leads.ts';
import { createAlertMetrics } from './metrics.ts';
import type { AlertMessage } from './model.ts';
import { createAlertRepository } from './repository.ts';
import { createAlertsRouter } from './routes.ts';
import type { Signals } from './evaluate.ts';
import { loadAlertRules, type AlertRules } from './rules.ts';
import { startAlertsBroadcast, type AlertsBroadcast } from './socket.ts';
import { startAlertsWorker, type AlertsWorker } from './worker.ts';

type AlertsConfig = Pick<Config, 'KAFKA_TOPIC_PREFIX' | 'ALERT_RULES_FILE' | 'ALERT_TICK_MS' | 'ALERT_WEBHOOK_URLS' | 'ALERT_WEBHOOK_SECRET' | 'ALERT_WEBHOOK_MAX_ATTEMPTS' | 'ALERT_WEBHOOK_BACKOFF_MS'>;

export interface AlertsServiceOptions {
  config: AlertsConfig;
  roles: { processor: boolean; api: boolean };
  bus: Bus;
  client: ClickHouseClient;
  directory: LiveDirectory | undefined;
  /** The api's socket server (api role). */
  io?: Server;
  requireUser?: RequireUser;
  logger: Logger;
  metrics: Metrics;
  /** Injectable clock: tests run days of alert lifecycle in seconds. */
  now?: () => number;
  /** Rules given directly (tests); else ALERT_RULES_FILE or the defaults. */
  rules?: AlertRules;
  /** Consumer group of the worker; default `<prefix>alerts-worker` (tests run instances in a group of their own). */
  workerGroup?: string;
  /** Processor role: where accepted events have stopped reaching the store (the pipeline-stalled rule). */
  pipeline?: () => Signals['pipeline'];
}

export interface AlertsService {
  router?: Router;
  worker?: AlertsWorker;
  stop(): Promise<void>;
}

export function webhookTargets(config: AlertsConfig): { url: string; secret: string }[] {
  const urls = (config.ALERT_WEBHOOK_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (urls.length === 0) return [];
  if (!config.ALERT_WEBHOOK_SECRET) throw new Error('ALERT_WEBHOOK_URLS is set but ALERT_WEBHOOK_SECRET is not: webhooks are always signed');
  for (const url of urls) {
    if (!/^https?:\/\//.test(url)) throw new Error(`ALERT_WEBHOOK_URLS: "${url.slice(0, 80)}" is not an http(s) URL`);
  }
  return urls.map((url) => ({ url, secret: config.ALERT_WEBHOOK_SECRET! }));
}

export async function startAlertsService(options: AlertsServiceOptions): Promise<AlertsService> {
  const { config, bus, client, logger } = options;
  const now = options.now ?? Date.now;
  const rules = options.rules ?? loadAlertRules(config.ALERT_RULES_FILE);
  const topic = topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.alerts);
  await bus.ensureTopics([topic]);
  const repository = createAlertRepository(client);
  const metrics = createAlertMetrics(options.metrics);
  const publish = async (messages: AlertMessage[]) => {
    await bus.produce(
      topic,
      messages.map((m) => ({ key: m.kind === 'alert' ? m.alert.division || 'central' : m.digest.division, value: JSON.stringify(m) })),
    );
    for (const m of messages) metrics.changes.inc({ change: m.kind === 'alert' ? m.change : 'digest' });
  };
  const emptyIndex = createDirectoryIndex();

  let worker: AlertsWorker | undefined;
  if (options.roles.processor) {
    worker = await startAlertsWorker({
      bus,
      topic,
      groupId: options.workerGroup ?? `${config.KAFKA_TOPIC_PREFIX}alerts-worker`,
      tickMs: config.ALERT_TICK_MS,
      logger,
      metrics,
      detector: createDetector({ client, index: () => options.directory?.index ?? emptyIndex, repository, rules, leads: createLeadLookup(client, { now }), publish, now, logger, pipeline: options.pipeline }),
      ...createDeliverer({
        targets: webhookTargets(config),
        policy: { maxAttempts: config.ALERT_WEBHOOK_MAX_ATTEMPTS, backoffMs: config.ALERT_WEBHOOK_BACKOFF_MS, maxBackoffMs: 30_000, timeoutMs: 10_000 },
        repository,
        rules,
        now,
        metrics,
        logger,
      }),
    });
  }

  let router: Router | undefined;
  let broadcast: AlertsBroadcast | undefined;
  if (options.roles.api && options.requireUser) {
    router = createAlertsRouter({ client, repository, directory: options.directory, rules, requireUser: options.requireUser, publish, now, logger });
    if (options.io) broadcast = await startAlertsBroadcast({ io: options.io, bus, topic, groupIdPrefix: config.KAFKA_TOPIC_PREFIX, logger });
  }

  return {
    router,
    worker,
    async stop() {
      await worker?.stop();
      await broadcast?.stop();
    },
  };
}
