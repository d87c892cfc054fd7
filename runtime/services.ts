/**
 * Starts the roles this process runs — ingest, processor, api (with the board), or all of them —
 * from one Config. The all-in-one process and each distributed service go through this same code
 * path; only the roles differ. What the roles share is built here once; each role is built by its
 * own builder (runtime/roles/); the Express shell is runtime/http-app.ts; shutdown is the ordered
 * list at the end.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bus } from '../common/bus/bus.ts';
import type { Config } from '../common/config.ts';
import { createFailureLimit } from '../common/failure-limit.ts';
import { createSecretGuard } from '../common/http/secret-guard.ts';
import type { Logger } from '../common/logger.ts';
import { createMetrics, type Metrics } from '../common/metrics.ts';
import { applyRetention } from '../common/store/retention.ts';
import { migrate } from '../common/store/migrate.ts';
import { createStore, type Store } from '../common/store/store.ts';
import { MINUTE_MS } from '../common/time.ts';
import { startDirectoryService, type DirectoryService } from '../directory/service.ts';
import { createBus, ensurePipelineTopics, pipelineTopics } from './bus.ts';
import { createHealth } from './health.ts';
import { createHttpApp } from './http-app.ts';
import { buildApi, type ApiRole } from './roles/api.ts';
import { buildIngest } from './roles/ingest.ts';
import { buildProcessor } from './roles/processor.ts';
import type { Role, RoleContext } from './roles/role.ts';
import { runShutdown, type ShutdownStep } from './shutdown.ts';

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
  firstAdmin?: ApiRole['firstAdmin'];
  /** Stop input, drain, commit, close — within the timeout. */
  stop(timeoutMs?: number): Promise<void>;
}

/** ClickHouse, migrated (services started together migrate one at a time; the others wait, saying so). */
async function openStore(config: Config, logger: Logger): Promise<Store> {
  const store = await createStore(config);
  const applied = await migrate(store.client, undefined, {
    waitMs: config.MIGRATIONS_WAIT_SECONDS * 1000,
    onWait: (holder) => logger.info({ holder: holder.owner, lock: holder.generation, leaseEnd: holder.leaseEnd }, 'another service is migrating the schema; waiting for it'),
  });
  if (applied.length > 0) logger.info({ applied }, 'applied migrations');
  const retention = await applyRetention(store.client, config);
  if (retention.length > 0) logger.info({ retention }, 'set how long data is kept');
  return store;
}

export async function startServices(config: Config, roles: Roles, logger: Logger): Promise<RunningServices> {
  const metrics = createMetrics();
  const health = createHealth();
  const topics = pipelineTopics(config);
  const bus = createBus(config, logger);
  await ensurePipelineTopics(bus, topics);

  // The processor and the api need ClickHouse; ingest uses it for stored sources when it has one.
  const readsStore = roles.processor || roles.api;
  const store = readsStore || (roles.ingest && config.CLICKHOUSE_URL) ? await openStore(config, logger) : undefined;
  let directory: DirectoryService | undefined;
  if (store && readsStore) {
    const { client } = store;
    health.addCheck('clickhouse', async () => {
      const ping = await client.ping();
      if (!ping.success) throw ping.error;
    });
    // The group directory: placements for the processor; imports, drill-down and coverage for the api.
    directory = await startDirectoryService({ client, logger, phoneCountry: config.PHONE_DEFAULT_COUNTRY, releaseMemory: () => store.releaseMemory(), onLoaded: (version) => metrics.directoryVersion.set(version) });
  }

  const context: RoleContext = {
    config, logger, metrics, health, bus, topics, store, directory,
    // Wrong DIRECTORY_IMPORT_TOKEN / METRICS_TOKEN attempts, per client address.
    secretGuard: createSecretGuard(createFailureLimit({ limit: config.TOKEN_MAX_FAILURES_PER_ADDRESS, windowMs: config.AUTH_SIGNIN_WINDOW_MINUTES * MINUTE_MS })),
  };
  const ingest = roles.ingest ? buildIngest(context) : undefined;
  const api = roles.api ? await buildApi(context) : undefined;
  const processor = roles.processor ? buildProcessor(context) : undefined;
  /** In the order they start: the api's live socket reads the live topic before the processor writes to it. */
  const running = [ingest, api, processor].filter((role): role is Role => role !== undefined);

  const app = createHttpApp({ config, logger, health, metrics, secretGuard: context.secretGuard, routers: running.flatMap((role) => role.routers) });
  const server: HttpServer = createServer({ connectionsCheckingInterval: Math.min(1000, config.HTTP_HEADERS_TIMEOUT_MS) }, app);
  // Slow clients: a request whose headers / whole body do not arrive in time is dropped (408).
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  for (const role of running) await role.start(server);

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
    firstAdmin: api?.firstAdmin,
    async stop(timeoutMs = 15_000) {
      let closed: Promise<void> | undefined;
      const steps: ShutdownStep[] = [
        { name: 'readiness off', run: () => health.setReady(false) },
        {
          name: 'stop taking HTTP requests',
          run: () => {
            closed = new Promise<void>((resolve) => server.close(() => resolve()));
            server.closeIdleConnections();
          },
        },
        // The processor first: it finishes and commits the batch in hand (and drains the local log).
        ...(processor ? [{ name: 'processor', run: () => processor.stop(timeoutMs) }] : []),
        ...(api ? [{ name: 'api', run: () => api.stop(timeoutMs) }] : []),
        ...(ingest ? [{ name: 'ingest', run: () => ingest.stop(timeoutMs) }] : []),
        { name: 'directory', run: () => directory?.stop() },
        {
          name: 'close HTTP connections',
          run: async () => {
            server.closeAllConnections();
            await closed;
          },
        },
        { name: 'bus', run: () => bus.close() },
        { name: 'store', run: () => store?.close() },
      ];
      await runShutdown(steps, timeoutMs, logger);
    },
  };
}
