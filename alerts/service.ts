/**
 * Alerts in a running process. `openAlerts` gives what both roles share — the rules, the `alerts` topic,
 * the store's alert tables and publishing a change. `startAlertsService` runs the processor role's part:
 * the worker, which delivers the webhooks of its share of the `alerts` topic and, when it holds
 * partition 0, runs the detector. The api role's part (routes, live fan-out) is in api/alerts/.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Bus } from '../common/bus/bus.ts';
import type { Config } from '../common/config.ts';
import type { AlertMessage } from '../common/contracts/alerts.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { TOPICS, topicName } from '../common/topics.ts';
import { createLeadLookup } from '../access/leads.ts';
import { createDirectoryIndex } from '../directory/directory-index.ts';
import type { LiveDirectory } from '../directory/live-directory.ts';
import { createDeliverer } from './deliver.ts';
import { createDetector } from './detector.ts';
import type { ComplianceSettings } from './compliance-digest.ts';
import type { Signals } from './evaluate.ts';
import { createAlertMetrics } from './metrics.ts';
import { createAlertRepository, type AlertRepository } from './repository.ts';
import { loadAlertRules, type AlertRules } from './rules.ts';
import { createRulesBook, type RulesBook } from './rules-store.ts';
import { startAlertsWorker, type AlertsWorker } from './worker.ts';
import { createNotifier } from './notify/notifier.ts';
import { contactsCipher, notifyChannels, NOTIFY_DEFAULTS, type NotifyConfig } from './notify/setup.ts';
import { createNotifyStore } from './notify/store.ts';

export type AlertsConfig = Pick<Config, 'KAFKA_TOPIC_PREFIX' | 'ALERT_RULES_FILE' | 'ALERT_TICK_MS' | 'ALERT_WEBHOOK_URLS' | 'ALERT_WEBHOOK_SECRET' | 'ALERT_WEBHOOK_MAX_ATTEMPTS' | 'ALERT_WEBHOOK_BACKOFF_MS'> &
  Partial<Pick<Config, 'REPRESENTATIVE_FOLLOWER_TARGET' | 'BOARD_TIME_ZONE'>> &
  Partial<NotifyConfig>;

export interface Alerts {
  /** The rules from ALERT_RULES_FILE (or given, or the defaults): the base under the admin screen's edits. */
  rules: AlertRules;
  /** The rules in effect: the admin screen's edit over `rules` (alerts/rules-store.ts). */
  book: RulesBook;
  /** The `alerts` topic (with this deployment's prefix). */
  topic: string;
  repository: AlertRepository;
  /** Put changes on the alerts topic, where every api instance and the webhook deliverers read them. */
  publish(messages: AlertMessage[]): Promise<void>;
}

export interface OpenAlertsOptions {
  config: AlertsConfig;
  bus: Bus;
  client: ClickHouseClient;
  metrics: Metrics;
  /** Rules given directly (tests); else ALERT_RULES_FILE or the defaults. */
  rules?: AlertRules;
  /** Told where the rules in effect come from, when that changes. */
  logger?: Logger;
}

/** Put alert changes on the alerts topic (key = division), as openAlerts#publish does, without its counter. */
export async function produceAlertMessages(bus: Bus, topic: string, messages: AlertMessage[]): Promise<void> {
  await bus.produce(
    topic,
    messages.map((m) => ({ key: m.kind === 'alert' ? m.alert.division || 'central' : m.digest.division, value: JSON.stringify(m) })),
  );
}

export async function openAlerts(options: OpenAlertsOptions): Promise<Alerts> {
  const { config, bus } = options;
  const topic = topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.alerts);
  await bus.ensureTopics([topic]);
  const metrics = createAlertMetrics(options.metrics);
  const rules = options.rules ?? loadAlertRules(config.ALERT_RULES_FILE);
  const book = createRulesBook(options.client, { base: rules, file: options.rules ? undefined : config.ALERT_RULES_FILE, logger: options.logger });
  await book.refresh();
  return {
    rules,
    book,
    topic,
    repository: createAlertRepository(options.client),
    async publish(messages) {
      await produceAlertMessages(bus, topic, messages);
      for (const m of messages) metrics.changes.inc({ change: m.kind === 'alert' ? m.change : 'digest' });
    },
  };
}

export interface AlertsServiceOptions extends OpenAlertsOptions {
  directory: LiveDirectory | undefined;
  logger: Logger;
  /** Injectable clock: tests run days of alert lifecycle in seconds. */
  now?: () => number;
  /** Consumer group of the worker; default `<prefix>alerts-worker` (tests run instances in a group of their own). */
  workerGroup?: string;
  /** Where accepted events have stopped reaching the store (the pipeline-stalled rule). */
  pipeline?: () => Signals['pipeline'];
  /** Group compliance's settings (the daily compliance digest); without them, none is sent. */
  compliance?: ComplianceSettings;
  /** Waits between notification retries (tests inject one that does not wait on the wall clock); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface AlertsService {
  worker: AlertsWorker;
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

/** The processor role's alerts: the worker (webhooks of its partitions; the detector on partition 0). */
export async function startAlertsService(options: AlertsServiceOptions): Promise<AlertsService> {
  const { config, client, logger } = options;
  const now = options.now ?? Date.now;
  const alerts = await openAlerts(options);
  const metrics = createAlertMetrics(options.metrics);
  const emptyIndex = createDirectoryIndex();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const notifyConfig: NotifyConfig = { ...NOTIFY_DEFAULTS, ...config } as NotifyConfig;
  const notifyStore = createNotifyStore(client, { cipher: contactsCipher(notifyConfig) });
  const channels = notifyChannels(notifyConfig, now, sleep, notifyStore);
  const notifier =
    channels.length > 0
      ? createNotifier({
          store: notifyStore,
          channels,
          alerts: alerts.repository,
          policy: { maxAttempts: config.ALERT_WEBHOOK_MAX_ATTEMPTS, backoffMs: config.ALERT_WEBHOOK_BACKOFF_MS, maxBackoffMs: 30_000 },
          digestHour: notifyConfig.NOTIFY_DIGEST_HOUR,
          digestCap: notifyConfig.NOTIFY_DIGEST_CAP,
          now,
          sleep,
          counter: metrics.notifications,
          logger,
          unitName: (unit) => options.directory?.index.units.get(unit)?.unit.name,
        })
      : undefined;
  // Held messages and digests come due on their own: every instance looks (claims keep them single).
  let ticking = Promise.resolve();
  const timer = notifier
    ? setInterval(() => {
        ticking = ticking.then(() => notifier.tick()).catch((error: unknown) => logger.warn({ err: error }, 'notification tick failed'));
      }, notifyConfig.NOTIFY_TICK_MS)
    : undefined;
  timer?.unref();
  const webhooks = createDeliverer({
    targets: webhookTargets(config),
    policy: { maxAttempts: config.ALERT_WEBHOOK_MAX_ATTEMPTS, backoffMs: config.ALERT_WEBHOOK_BACKOFF_MS, maxBackoffMs: 30_000, timeoutMs: 10_000 },
    repository: alerts.repository,
    // Every instance delivers, not only the detector's: each keeps its rules fresh (the read is cached).
    rules: () => {
      void alerts.book.refresh().catch(() => undefined);
      return alerts.book.current();
    },
    now,
    metrics,
    logger,
  });
  const worker = await startAlertsWorker({
    bus: options.bus,
    topic: alerts.topic,
    groupId: options.workerGroup ?? `${config.KAFKA_TOPIC_PREFIX}alerts-worker`,
    tickMs: config.ALERT_TICK_MS,
    logger,
    metrics,
    detector: createDetector({
      client,
      index: () => options.directory?.index ?? emptyIndex,
      repository: alerts.repository,
      rules: alerts.rules,
      book: alerts.book,
      leads: createLeadLookup(client, { now }),
      publish: alerts.publish,
      now,
      logger,
      pipeline: options.pipeline,
      compliance: options.compliance,
      representatives: { target: config.REPRESENTATIVE_FOLLOWER_TARGET ?? 0.25, timeZone: config.BOARD_TIME_ZONE ?? 'Asia/Kolkata' },
    }),
    flushDeferred: webhooks.flushDeferred,
    async deliver(message) {
      await webhooks.deliver(message);
      await notifier?.notify(message);
    },
  });
  return {
    worker,
    async stop() {
      clearInterval(timer);
      await ticking;
      await worker.stop();
    },
  };
}
