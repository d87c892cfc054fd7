/**
 * The ingest role: the source registry (INGEST_TOKEN as `default` plus the sources stored in
 * ClickHouse), the one shared acceptor (with the time window), the per-source rate limit, and the
 * routers — POST /v1/events, POST /v1/heartbeat, both webhooks, the export upload — behind the
 * per-address limit on wrong credentials and the request counter.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import express from 'express';
import { createChatExportRouter } from '../../api/ingest/chat-export.ts';
import { createIngestRouter } from '../../api/ingest/events.ts';
import { createHeartbeatRouter } from '../../api/ingest/heartbeat.ts';
import { createFailedAuthLimit, createSourceRateLimit } from '../../api/ingest/rate-limit.ts';
import { countIngestRequests } from '../../api/ingest/request-metrics.ts';
import { createTelegramWebhookRouter } from '../../api/ingest/telegram.ts';
import { createWhatsAppWebhookRouter } from '../../api/ingest/whatsapp.ts';
import { DAY_MS, MINUTE_MS } from '../../common/time.ts';
import { createEventAcceptor } from '../../ingest/accept-events.ts';
import { createMemoryGroupAliases, createStoredGroupAliases } from '../../ingest/group-aliases.ts';
import { createPersonNormaliser } from '../../common/phone.ts';
import { createPseudonymiser, loadOrCreatePseudonymKey } from '../../ingest/pseudonymise.ts';
import { combineSourceRegistries, createSourcesStore } from '../../ingest/sources-store.ts';
import { createStaticSourceRegistry, type SourceRegistry } from '../../ingest/sources.ts';
import type { Role, RoleContext } from './role.ts';
import { createBotUpdateHandler } from '../../alerts/notify/bot-updates.ts';
import { channelsOn, contactsCipher, telegramBot } from '../../alerts/notify/setup.ts';
import { createAcknowledgeAs } from '../../alerts/notify/acknowledge.ts';
import { createWhatsAppReplies } from '../../alerts/notify/whatsapp-replies.ts';
import type { AlertMessage } from '../../common/contracts/alerts.ts';
import { createNotifyStore } from '../../alerts/notify/store.ts';
import { createAlertMetrics } from '../../alerts/metrics.ts';
import { createAlertRepository } from '../../alerts/repository.ts';
import { produceAlertMessages } from '../../alerts/service.ts';
import { createUsersRepository } from '../../access/users-repository.ts';
import { TOPICS, topicName } from '../../common/topics.ts';

export function buildIngest(context: RoleContext): Role {
  const { config, logger, metrics, bus } = context;
  context.health.addCheck('bus', () => bus.check());

  // Stored sources, heartbeats and group aliases need ClickHouse (ingest on its own: with CLICKHOUSE_URL).
  const client: ClickHouseClient | undefined = context.store?.client;

  const { key, created, file } = loadOrCreatePseudonymKey(config.PSEUDONYM_KEY, config.DATA_DIR);
  if (created) logger.warn({ file }, 'generated a new pseudonymisation key; keep it (and share it with every ingest instance via PSEUDONYM_KEY)');
  const pseudonymise = createPseudonymiser(key);
  const normalisePerson = createPersonNormaliser(config.PHONE_DEFAULT_COUNTRY);

  const registries: SourceRegistry[] = [];
  if (config.INGEST_TOKEN) registries.push(createStaticSourceRegistry([{ name: 'default', token: config.INGEST_TOKEN }]));
  if (client) registries.push(createSourcesStore(client, { cacheMs: config.INGEST_SOURCES_CACHE_MS }));
  else logger.warn('ingest runs without ClickHouse (no CLICKHOUSE_URL): sources registered with `grouppulse sources add` are not known here, only INGEST_TOKEN');
  if (!config.INGEST_TOKEN && !client) logger.warn('INGEST_TOKEN is not set: no source can post events');
  const sources = combineSourceRegistries(...registries);

  const acceptEvents = createEventAcceptor({
    bus,
    eventsTopic: context.topics.events,
    // Senders and members: one form per phone number first, whichever way a source wrote it.
    pseudonymise: (person) => pseudonymise(normalisePerson(person)),
    window: { maxPastMs: config.INGEST_MAX_PAST_DAYS * DAY_MS, maxFutureMs: config.INGEST_MAX_FUTURE_MINUTES * MINUTE_MS },
    onAccepted: (source, events) => metrics.ingestEvents.inc({ source, result: 'accepted' }, events.length),
    onRejected: (source, rejections) => metrics.ingestEvents.inc({ source, result: 'rejected' }, rejections.length),
  });
  const rateLimit = createSourceRateLimit({ limit: config.INGEST_RATE_LIMIT, windowMs: config.INGEST_RATE_WINDOW_SECONDS * 1000 });

  // The notifications' replies (Telegram's /start and buttons, WhatsApp's statuses and quick replies) need the store.
  const bot = client ? telegramBot(config) : undefined;
  if ((config.TELEGRAM_BOT_TOKEN || config.WHATSAPP_ACCESS_TOKEN) && !client) logger.warn('notifications are set up but ingest runs without ClickHouse: their links, buttons and statuses are not handled here');
  const alertsTopic = topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.alerts);
  const notify = client
    ? (() => {
        const store = createNotifyStore(client, { cipher: contactsCipher(config) });
        const ackDeps = {
          alerts: createAlertRepository(client),
          users: createUsersRepository(client),
          publish: (messages: AlertMessage[]) => produceAlertMessages(bus, alertsTopic, messages),
          now: Date.now,
          counter: createAlertMetrics(metrics).notifications,
          logger,
        };
        return {
          botUpdates: bot ? createBotUpdateHandler({ ...ackDeps, store, bot }) : undefined,
          whatsAppReplies: channelsOn(config).whatsapp
            ? createWhatsAppReplies({ store, acknowledgeAs: createAcknowledgeAs(ackDeps), defaultCountry: config.PHONE_DEFAULT_COUNTRY, now: Date.now, counter: ackDeps.counter, logger })
            : undefined,
        };
      })()
    : undefined;
  const botUpdates = notify?.botUpdates;

  const everyRequest = express.Router();
  everyRequest.use('/v1', countIngestRequests(metrics), createFailedAuthLimit(config.INGEST_AUTH_FAILURES_PER_MINUTE));

  return {
    routers: [
      everyRequest,
      createIngestRouter({ sources, acceptEvents, maxBodyBytes: config.INGEST_MAX_BODY_BYTES, maxEvents: config.INGEST_MAX_EVENTS, rateLimit, metrics, logger }),
      createHeartbeatRouter({ sources, client, rateLimit, logger }),
      createWhatsAppWebhookRouter({
        appSecret: config.WHATSAPP_APP_SECRET,
        verifyToken: config.WHATSAPP_VERIFY_TOKEN,
        acceptEvents,
        digest: pseudonymise,
        maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
        rateLimit,
        logger,
        notifyReplies: notify?.whatsAppReplies,
      }),
      createTelegramWebhookRouter({
        secretToken: config.TELEGRAM_SECRET_TOKEN,
        acceptEvents,
        aliases: client ? createStoredGroupAliases(client) : createMemoryGroupAliases(),
        digest: pseudonymise,
        maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
        rateLimit,
        logger,
        botUpdates,
      }),
      createChatExportRouter({
        sources,
        acceptEvents,
        digest: pseudonymise,
        maxExportBytes: config.INGEST_MAX_EXPORT_BYTES,
        chunkEvents: Math.min(config.INGEST_MAX_EVENTS, 5000),
        defaultTimeZone: config.CHAT_EXPORT_TIME_ZONE,
        rateLimit,
        logger,
      }),
    ],
    async start() {
      if (notify?.botUpdates || notify?.whatsAppReplies) await bus.ensureTopics([alertsTopic]);
    },
    async stop() {},
  };
}
