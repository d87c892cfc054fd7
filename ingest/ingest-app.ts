/**
 * Everything ingest mounts, built from the config: the source registry (INGEST_TOKEN as `default`
 * plus the sources stored in ClickHouse), the one shared acceptor (with the time window), the
 * per-source rate limit, and the routers — POST /v1/events, POST /v1/heartbeat, both webhooks, the export upload.
 * runtime/services.ts calls this once and mounts the routers.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Router } from 'express';
import type { Bus } from '../common/bus/bus.ts';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import type { Metrics } from '../common/metrics.ts';
import { createEventAcceptor } from './accept-events.ts';
import { createChatExportRouter } from './chat-export/router.ts';
import { createMemoryGroupAliases, createStoredGroupAliases } from './group-aliases.ts';
import { createPersonNormaliser } from './phone.ts';
import { createPseudonymiser, loadOrCreatePseudonymKey } from './pseudonymise.ts';
import { createFailedAuthLimit, createSourceRateLimit } from './rate-limit.ts';
import { createHeartbeatRouter } from './heartbeat.ts';
import { createIngestRouter } from './router.ts';
import { combineSourceRegistries, createSourcesStore } from './sources-store.ts';
import { createStaticSourceRegistry, type SourceRegistry } from './sources.ts';
import { createTelegramWebhookRouter } from './webhooks/telegram.ts';
import { createWhatsAppWebhookRouter } from './webhooks/whatsapp.ts';
import { DAY_MS } from '../common/time.ts';

export interface IngestAppDeps {
  bus: Bus;
  eventsTopic: string;
  /** ClickHouse, for stored sources and group aliases; without it only INGEST_TOKEN works. */
  client?: ClickHouseClient;
  metrics: Metrics;
  logger: Logger;
  /** Injectable clock (heartbeat times). */
  now?: () => number;
}

export function createIngestRouters(config: Config, deps: IngestAppDeps): Router[] {
  const { logger, metrics } = deps;
  const { key, created, file } = loadOrCreatePseudonymKey(config.PSEUDONYM_KEY, config.DATA_DIR);
  if (created) logger.warn({ file }, 'generated a new pseudonymisation key; keep it (and share it with every ingest instance via PSEUDONYM_KEY)');
  const pseudonymise = createPseudonymiser(key);
  const normalisePerson = createPersonNormaliser(config.PHONE_DEFAULT_COUNTRY);

  const registries: SourceRegistry[] = [];
  if (config.INGEST_TOKEN) registries.push(createStaticSourceRegistry([{ name: 'default', token: config.INGEST_TOKEN }]));
  if (deps.client) registries.push(createSourcesStore(deps.client, { cacheMs: config.INGEST_SOURCES_CACHE_MS }));
  else logger.warn('ingest runs without ClickHouse (no CLICKHOUSE_URL): sources registered with `grouppulse sources add` are not known here, only INGEST_TOKEN');
  if (!config.INGEST_TOKEN && !deps.client) logger.warn('INGEST_TOKEN is not set: no source can post events');
  const sources = combineSourceRegistries(...registries);

  const acceptEvents = createEventAcceptor({
    bus: deps.bus,
    eventsTopic: deps.eventsTopic,
    // Senders and members: one form per phone number first, whichever way a source wrote it.
    pseudonymise: (person) => pseudonymise(normalisePerson(person)),
    window: { maxPastMs: config.INGEST_MAX_PAST_DAYS * DAY_MS, maxFutureMs: config.INGEST_MAX_FUTURE_MINUTES * 60_000 },
    onAccepted: (source, events) => metrics.ingestEvents.inc({ source, result: 'accepted' }, events.length),
    onRejected: (source, rejections) => metrics.ingestEvents.inc({ source, result: 'rejected' }, rejections.length),
  });
  const rateLimit = createSourceRateLimit({ limit: config.INGEST_RATE_LIMIT, windowMs: config.INGEST_RATE_WINDOW_SECONDS * 1000 });

  const failedAuthLimit = express.Router();
  failedAuthLimit.use('/v1', createFailedAuthLimit(config.INGEST_AUTH_FAILURES_PER_MINUTE));

  return [
    failedAuthLimit,
    createIngestRouter({ sources, acceptEvents, maxBodyBytes: config.INGEST_MAX_BODY_BYTES, maxEvents: config.INGEST_MAX_EVENTS, rateLimit, metrics, logger }),
    createHeartbeatRouter({ sources, client: deps.client, rateLimit, logger, now: deps.now }),
    createWhatsAppWebhookRouter({
      appSecret: config.WHATSAPP_APP_SECRET,
      verifyToken: config.WHATSAPP_VERIFY_TOKEN,
      acceptEvents,
      digest: pseudonymise,
      maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
      rateLimit,
      logger,
    }),
    createTelegramWebhookRouter({
      secretToken: config.TELEGRAM_SECRET_TOKEN,
      acceptEvents,
      aliases: deps.client ? createStoredGroupAliases(deps.client) : createMemoryGroupAliases(),
      digest: pseudonymise,
      maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
      rateLimit,
      logger,
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
  ];
}

/** The access log must not carry the WhatsApp verify token (it arrives in the handshake's query string). */
export function redactUrlSecrets(url: string): string {
  return url.replace(/([?&]hub\.verify_token=)[^&]*/gi, '$1[redacted]');
}
