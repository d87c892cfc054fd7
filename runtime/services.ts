/**
 * Builds and starts the services this process runs — ingest, processor, api (with the board),
 * or all of them — from one Config. The all-in-one process and each distributed service go
 * through this same code path; only the roles differ.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { Server as SocketServer } from 'socket.io';
import { createAdminRouter } from '../api/admin/router.ts';
import { createAccessControl, type AccessControl } from '../api/auth/access-control.ts';
import { corsForBoard, securityHeaders } from '../api/auth/http-security.ts';
import { createAuthRouter } from '../api/auth/router.ts';
import { createSecretGuard, requireBearerSecret } from '../api/auth/secret-guard.ts';
import { startLiveSocket, type LiveSocket } from '../api/live/live-socket.ts';
import { createAnalystConnection, type AnalystConnection } from '../api/sql/analyst-client.ts';
import { createAuditLog } from '../api/sql/audit.ts';
import { createFairQueue } from '../api/sql/fair-queue.ts';
import { createSqlRouter } from '../api/sql/router.ts';
import { createCatalogue } from '../api/sql/sandbox.ts';
import { createApiRouter } from '../api/router.ts';
import { createBoardRouter } from '../api/board-routes.ts';
import type { Bus } from '../common/bus/bus.ts';
import { createKafkaBus } from '../common/bus/kafka-bus.ts';
import { createLocalBus } from '../common/bus/local-bus.ts';
import { kafkaBrokers, type Config } from '../common/config.ts';
import { createFailureLimit } from '../common/failure-limit.ts';
import type { Logger } from '../common/logger.ts';
import { createMetrics, type Metrics } from '../common/metrics.ts';
import { migrate, type MigrateOptions } from '../common/store/migrate.ts';
import { createStore, type Store } from '../common/store/store.ts';
import { TOPICS, topicName } from '../common/topics.ts';
import { createIngestRouters, redactUrlSecrets } from '../ingest/ingest-app.ts';
import { emptyDirectory } from '../processor/directory.ts';
import { startDirectoryService, type DirectoryService } from '../directory/service.ts';
import { createProcessor, type Processor } from '../processor/processor.ts';
import { startAlertsService, type AlertsService } from '../alerts/service.ts';
import { createHealth } from './health.ts';

export interface Roles {
  ingest: boolean;
  processor: boolean;
  api: boolean;
}

export const ALL_ROLES: Roles = { ingest: true, processor: true, api: true };

export interface RunningServices {
  url: string;
  port: number;
  bus: Bus;
  store?: Store;
  metrics: Metrics;
  /** Set when this start created the first admin (api role): its generated password is shown once, never logged. */
  firstAdmin?: AccessControl['firstAdmin'];
  /** Stop input, drain, commit, close — within the timeout. */
  stop(timeoutMs?: number): Promise<void>;
}

const LIVE_RETENTION_MS = 3_600_000;
/** Dead letters are also kept in the dead_letters table, where admins read them. */
const DEAD_LETTER_RETENTION_MS = 7 * 86_400_000;

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');

export function createBus(config: Config, logger: Logger): Bus {
  const brokers = kafkaBrokers(config);
  if (brokers.length > 0) {
    return createKafkaBus({
      brokers,
      clientId: config.KAFKA_CLIENT_ID,
      partitions: config.KAFKA_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      maxBytesPerPartition: config.KAFKA_FETCH_BYTES_PER_PARTITION,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      logger,
    });
  }
  return createLocalBus({
    dir: path.resolve(config.DATA_DIR, 'bus'),
    partitions: config.KAFKA_PARTITIONS,
    maxPendingPerPartition: Math.max(1, Math.floor(config.LOCAL_BUS_MAX_PENDING / config.KAFKA_PARTITIONS)),
    maxBatchRecords: config.PROCESSOR_BATCH_ROWS,
    sync: config.LOCAL_BUS_SYNC,
  });
}

function topicsOf(config: Config) {
  return {
    events: topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.events),
    deadLetter: topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.deadLetter),
    live: topicName(config.KAFKA_TOPIC_PREFIX, TOPICS.live),
  };
}

/** Errors no route handled: body too large, bad encoding, or a bug (500, logged, no details out). */
function errorHandler(logger: Logger) {
  return function handleError(error: Error & { type?: string; status?: number }, req: Request, res: Response, _next: NextFunction) {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ error: `body too large: send at most ${(error as Error & { limit?: number }).limit ?? 'the configured'} bytes per request` });
      return;
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ error: error.message });
      return;
    }
    logger.error({ err: error, url: req.originalUrl }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'internal error; see the server log' });
  };
}

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

export async function startServices(config: Config, roles: Roles, logger: Logger): Promise<RunningServices> {
  const metrics = createMetrics();
  const topics = topicsOf(config);
  const health = createHealth();
  const bus = createBus(config, logger);
  await bus.ensureTopics([topics.events]);
  // Fan-out topics: nobody must read them for the pipeline to go on, so old records go read or not.
  await bus.ensureTopics([topics.live], { retentionMs: LIVE_RETENTION_MS });
  await bus.ensureTopics([topics.deadLetter], { retentionMs: DEAD_LETTER_RETENTION_MS });

  // Services started together migrate one at a time; the others wait, saying so.
  const migrations: MigrateOptions = {
    waitMs: config.MIGRATIONS_WAIT_SECONDS * 1000,
    onWait: (holder) => logger.info({ holder: holder.owner, lock: holder.generation, leaseEnd: holder.leaseEnd }, 'another service is migrating the schema; waiting for it'),
  };
  let store: Store | undefined;
  if (roles.processor || roles.api) {
    store = await createStore(config);
    const applied = await migrate(store.client, undefined, migrations);
    if (applied.length > 0) logger.info({ applied }, 'applied migrations');
    const storeClient = store.client;
    health.addCheck('clickhouse', async () => {
      const ping = await storeClient.ping();
      if (!ping.success) throw ping.error;
    });
  }

  // The group directory: placements for the processor; imports, drill-down and coverage for the api.
  // Wrong DIRECTORY_IMPORT_TOKEN / METRICS_TOKEN attempts, per client address.
  const secretGuard = createSecretGuard(createFailureLimit({ limit: config.TOKEN_MAX_FAILURES_PER_ADDRESS, windowMs: config.AUTH_SIGNIN_WINDOW_MINUTES * 60_000 }));
  const directoryService: DirectoryService | undefined = store
    ? await startDirectoryService({
        client: store.client, logger, adminToken: config.DIRECTORY_IMPORT_TOKEN, secretGuard, releaseMemory: () => store.releaseMemory(),
        onLoaded: (version) => metrics.directoryVersion.set(version),
      })
    : undefined;

  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy, the client is who the proxy says (X-Forwarded-For): every per-address limit keys on req.ip.
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(securityHeaders(config.BOARD_ORIGIN));
  app.use(
    pinoHttp({
      logger: logger.child({ component: 'http' }),
      // A caller's X-Request-Id is kept (so one id follows a request across services), else a new one.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrlSecrets(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  app.use(health.router);
  const metricsAccess: RequestHandler = config.METRICS_TOKEN ? requireBearerSecret(config.METRICS_TOKEN, secretGuard, 'METRICS_TOKEN') : (_req, _res, next) => next();
  app.get('/metrics', metricsAccess, async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // Ingest: /v1/events, both webhooks, chat-export upload (ingest/ingest-app.ts). Stored sources need
  // ClickHouse: the shared store, or (ingest on its own with CLICKHOUSE_URL) a client of its own.
  let ingestStore: Store | undefined;
  if (roles.ingest) {
    health.addCheck('bus', () => bus.check());
    if (!store && config.CLICKHOUSE_URL) {
      ingestStore = await createStore(config);
      await migrate(ingestStore.client, undefined, migrations);
    }
    for (const router of createIngestRouters(config, { bus, eventsTopic: topics.events, client: (store ?? ingestStore)?.client, metrics, logger })) app.use(router);
  }

  let access: AccessControl | undefined;
  let analyst: AnalystConnection | undefined;
  if (roles.api && store) {
    access = await createAccessControl(config, store.client, logger);
    analyst = await createAnalystConnection(config, config.SQL_MAX_CONCURRENT_QUERIES);
    app.use('/api', corsForBoard(config.BOARD_ORIGIN));
    app.use(
      createAuthRouter({
        auth: access.auth,
        requireUser: access.requireUser,
        signInMaxFailures: config.AUTH_SIGNIN_MAX_FAILURES,
        signInMaxFailuresPerAddress: config.AUTH_SIGNIN_MAX_FAILURES_PER_ADDRESS,
        signInWindowMs: config.AUTH_SIGNIN_WINDOW_MINUTES * 60_000,
      }),
    );
    app.use(createAdminRouter({ client: store.client, users: access.users, userAdmin: access.userAdmin, requireUser: access.requireUser }));
    app.use(
      createSqlRouter({
        analyst,
        queue: createFairQueue({
          slots: analyst.slots,
          perUser: config.SQL_MAX_QUERIES_PER_ANALYST,
          maxQueuedPerUser: config.SQL_MAX_QUEUED_PER_ANALYST,
          onChange: ({ running, waiting }) => {
            metrics.sqlQueries.set({ state: 'running' }, running);
            metrics.sqlQueries.set({ state: 'waiting' }, waiting);
          },
        }),
        catalogue: createCatalogue(store.client),
        audit: createAuditLog(store.client),
        limits: {
          maxExecutionSeconds: config.SQL_MAX_EXECUTION_SECONDS,
          maxResultRows: config.SQL_MAX_RESULT_ROWS,
          maxResultBytes: config.SQL_MAX_RESULT_BYTES,
          maxMemoryBytes: config.SQL_MAX_MEMORY_BYTES,
        },
        requireUser: access.requireUser,
        logger,
      }),
    );
    app.use(createApiRouter({ client: store.client, requireUser: access.requireUser }));
    if (directoryService) app.use(directoryService.routes(access.requireUser));
    app.use(createBoardRouter({ client: store.client, directory: directoryService?.directory, groupPaths: directoryService?.groupPaths, requireUser: access.requireUser }));
    if (existsSync(path.join(WEB_DIST, 'index.html'))) {
      app.use(express.static(WEB_DIST, { index: 'index.html', maxAge: '1h' }));
    } else {
      app.get('/', (_req, res) => {
        res.type('text').send('The board is not built yet: run `npm run build:web`, then reload.');
      });
    }
  }
  app.use(errorHandler(logger));

  const server: HttpServer = createServer({ connectionsCheckingInterval: Math.min(1000, config.HTTP_HEADERS_TIMEOUT_MS) }, app);
  // Slow clients: a request whose headers / whole body do not arrive in time is dropped (408).
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  let live: LiveSocket | undefined;
  let io: SocketServer | undefined;
  if (roles.api && store && access) {
    io = new SocketServer(server, { serveClient: false, cors: config.BOARD_ORIGIN ? { origin: [config.BOARD_ORIGIN] } : undefined });
    live = await startLiveSocket({
      io,
      bus,
      client: store.client,
      liveTopic: topics.live,
      groupIdPrefix: config.KAFKA_TOPIC_PREFIX,
      timeZone: config.BOARD_TIME_ZONE,
      intervalMs: config.LIVE_INTERVAL_MS,
      resyncMs: config.LIVE_RESYNC_MS,
      logger,
      metrics,
      authenticate: access.auth.authenticate,
    });
  }

  let processor: Processor | undefined;
  const processorGroupId = `${config.KAFKA_TOPIC_PREFIX}processor`;
  if (roles.processor && store) {
    processor = createProcessor({
      bus,
      client: store.client,
      directory: directoryService?.directory ?? emptyDirectory,
      logger,
      metrics,
      topics,
      groupId: processorGroupId,
      dedupWindowDays: config.DEDUP_WINDOW_DAYS,
      boardTimeZone: config.BOARD_TIME_ZONE,
      releaseMemory: () => store.releaseMemory(),
      releaseMemoryEveryMs: config.STORE_RELEASE_MEMORY_MS,
      stallAfterMs: config.PIPELINE_STALL_SECONDS * 1000,
      lagIntervalMs: Math.min(10_000, config.PIPELINE_STALL_SECONDS * 250),
    });
    await processor.start();
    const running = processor;
    health.addCheck('processor', async () => {
      const { problem } = running.health();
      if (problem) throw new Error(problem);
    });
  }

  // Alerts (alerts/): detector + webhooks in the processor role; routes + live fan-out in the api role.
  const alerts: AlertsService | undefined = store
    ? await startAlertsService({
        config, roles, bus, client: store.client, directory: directoryService?.directory, io, requireUser: access?.requireUser, logger, metrics,
        pipeline: processor ? () => ({ topic: topics.events, stalls: processor!.stalls() }) : undefined,
      })
    : undefined;
  if (alerts?.router) app.use(alerts.router);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  health.setReady(true);

  return {
    url: `http://${config.HOST}:${port}`,
    port,
    bus,
    store,
    metrics,
    firstAdmin: access?.firstAdmin,
    async stop(timeoutMs = 15_000) {
      health.setReady(false);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      const drain = (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Not needed for durability (what the local log holds is processed at the next start), but the
        // board and the analysts then see everything accepted before the stop.
        if (processor && bus.kind === 'local') await drainBus(bus, processorGroupId, topics.events, timeoutMs / 2);
        await processor?.stop();
        await alerts?.stop();
        await directoryService?.stop();
        await live?.stop();
        await io?.close();
        server.closeAllConnections();
        await closed;
        await bus.close();
        await analyst?.close();
        await store?.close();
        await ingestStore?.close();
      })();
      await Promise.race([drain, timeout]);
    },
  };
}
