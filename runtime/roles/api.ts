/**
 * The api role: sign-in and users (access/), the read API and the board's reads, the analysts' SQL,
 * the directory API, alerts, the live socket with the alerts fan-out, and the built board — every
 * router of api/, mounted in order, and Socket.io on the process's HTTP server.
 */
import type { Server as HttpServer } from 'node:http';
import express from 'express';
import { createAccessControl } from '../../access/access-control.ts';
import { openAlerts } from '../../alerts/service.ts';
import { createRequireUser } from '../../api/access/require-user.ts';
import { scopeOf, type AuthUser } from '../../access/roles.ts';
import { widenScope } from '../../directory/scope.ts';
import { createAuthRouter } from '../../api/access/router.ts';
import { createAdminRouter } from '../../api/admin/router.ts';
import { createAlertsRouter } from '../../api/alerts/routes.ts';
import { createNotifyRouter } from '../../api/notify/routes.ts';
import { createNotifyStore } from '../../alerts/notify/store.ts';
import { createAckLinkRouter } from '../../api/notify/ack-link.ts';
import { createAcknowledgeAs } from '../../alerts/notify/acknowledge.ts';
import { channelsOn, contactsCipher } from '../../alerts/notify/setup.ts';
import { createAlertMetrics } from '../../alerts/metrics.ts';
import { createUsersRepository } from '../../access/users-repository.ts';
import { startAlertsBroadcast, type AlertsBroadcast } from '../../api/alerts/socket.ts';
import { createBoardRouter } from '../../api/board/routes.ts';
import { createReachRouter } from '../../api/board/reach-routes.ts';
import { createBoardStaticRouter } from '../../api/board/static.ts';
import { createUnitReads } from '../../api/board/unit-reads.ts';
import { createDirectoryRouter } from '../../api/directory/routes.ts';
import { authorizeDirectoryWrite } from '../../api/directory/write-access.ts';
import { createLiveServer, startLiveSocket, type LiveServer, type LiveSocket } from '../../api/live/live-socket.ts';
import { createAnalystConnection } from '../../api/sql/analyst-client.ts';
import { createAuditLog } from '../../api/sql/audit.ts';
import { createFairQueue } from '../../api/sql/fair-queue.ts';
import { createSqlRouter } from '../../api/sql/router.ts';
import { createCatalogue } from '../../api/sql/sandbox.ts';
import { createSummaryRouter } from '../../api/summary/routes.ts';
import { MINUTE_MS } from '../../common/time.ts';
import { complianceSettings } from '../compliance-settings.ts';
import { corsForBoard } from '../http-security.ts';
import type { Role, RoleContext } from './role.ts';

export interface ApiRole extends Role {
  /** Set when this start created the first admin: its generated password is shown once, never logged. */
  firstAdmin?: { username: string; generatedPassword?: string };
}

export async function buildApi(context: RoleContext): Promise<ApiRole> {
  const { config, logger, metrics, bus, topics, store, directory } = context;
  if (!store || !directory) throw new Error('the api needs ClickHouse');
  const { client } = store;
  const access = await createAccessControl(config, client, logger);
  // A lead of a unit above the division level reads every division under it (directory/scope.ts#widenScope).
  const scopeFor = (user: AuthUser) => widenScope(scopeOf(user), directory.directory.index);
  const requireUser = createRequireUser(access.auth, scopeFor);
  const analyst = await createAnalystConnection(config, config.SQL_MAX_CONCURRENT_QUERIES);
  const alerts = await openAlerts({ config, bus, client, metrics, logger });
  const unitReads = createUnitReads({ client, directory: directory.directory, groupPaths: directory.groupPaths });

  // Set by start(): the admin routes drop sockets through it.
  let io: LiveServer | undefined;
  let live: LiveSocket | undefined;
  let alertsBroadcast: AlertsBroadcast | undefined;

  const cors = express.Router();
  cors.use('/api', corsForBoard(config.BOARD_ORIGIN));
  const notifyStore = createNotifyStore(client, { cipher: contactsCipher(config) });
  const routers = [
    cors,
    createAuthRouter({
      auth: access.auth,
      requireUser,
      signInMaxFailures: config.AUTH_SIGNIN_MAX_FAILURES,
      signInMaxFailuresPerAddress: config.AUTH_SIGNIN_MAX_FAILURES_PER_ADDRESS,
      signInWindowMs: config.AUTH_SIGNIN_WINDOW_MINUTES * MINUTE_MS,
    }),
    createAdminRouter({
      client,
      users: access.users,
      userAdmin: access.userAdmin,
      displays: access.displays,
      requireUser,
      dropSockets: (matches) => live?.drop(matches),
      boardOrigin: config.BOARD_ORIGIN,
      knownUnit: (id) => directory.directory.index.units.has(id),
      unitCount: () => directory.directory.index.units.size,
      rules: alerts.book,
    }),
    createSqlRouter({
      client,
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
      catalogue: createCatalogue(client),
      audit: createAuditLog(client),
      limits: {
        maxExecutionSeconds: config.SQL_MAX_EXECUTION_SECONDS,
        maxResultRows: config.SQL_MAX_RESULT_ROWS,
        maxResultBytes: config.SQL_MAX_RESULT_BYTES,
        maxMemoryBytes: config.SQL_MAX_MEMORY_BYTES,
      },
      requireUser,
      logger,
    }),
    createSummaryRouter({ client, requireUser }),
    createDirectoryRouter({
      client,
      directory: directory.directory,
      unitReads,
      importer: directory.importer,
      requireUser,
      authorizeWrite: authorizeDirectoryWrite(requireUser, config.DIRECTORY_IMPORT_TOKEN, context.secretGuard),
    }),
    createBoardRouter({
      client, directory: directory.directory, unitReads, requireUser,
      rules: async () => (await alerts.book.refresh()).rules,
      representatives: { target: config.REPRESENTATIVE_FOLLOWER_TARGET, timeZone: config.BOARD_TIME_ZONE },
      compliance: complianceSettings(config, logger),
    }),
    createReachRouter({ client, directory: directory.directory, requireUser, timeZone: config.BOARD_TIME_ZONE }),
    createAlertsRouter({ client, repository: alerts.repository, directory: directory.directory, rules: async () => (await alerts.book.refresh()).rules, requireUser, publish: alerts.publish, deliverySummaries: (ids) => notifyStore.deliverySummaries(ids), now: Date.now }),
    createNotifyRouter({
      store: notifyStore,
      users: createUsersRepository(client),
      alerts: alerts.repository,
      requireUser,
      botUsername: config.TELEGRAM_BOT_USERNAME?.replace(/^@/, ''),
      channelsOn: channelsOn(config),
      defaultCountry: config.PHONE_DEFAULT_COUNTRY,
      now: Date.now,
    }),
    createAckLinkRouter({
      secret: config.NOTIFY_LINK_SECRET,
      acknowledgeAs: createAcknowledgeAs({
        alerts: alerts.repository, users: createUsersRepository(client), publish: alerts.publish, now: Date.now, counter: createAlertMetrics(metrics).notifications, logger,
      }),
      language: (username) => notifyStore.language(username),
      now: Date.now,
    }),
    createBoardStaticRouter(),
  ];

  return {
    routers,
    firstAdmin: access.firstAdmin,
    async start(server: HttpServer) {
      io = createLiveServer(server, config.BOARD_ORIGIN);
      live = await startLiveSocket({
        io,
        bus,
        client,
        liveTopic: topics.live,
        groupIdPrefix: config.KAFKA_TOPIC_PREFIX,
        timeZone: config.BOARD_TIME_ZONE,
        intervalMs: config.LIVE_INTERVAL_MS,
        resyncMs: config.LIVE_RESYNC_MS,
        logger,
        metrics,
        authenticate: access.auth.authenticate,
        scopeFor,
      });
      alertsBroadcast = await startAlertsBroadcast({ io, bus, topic: alerts.topic, groupIdPrefix: config.KAFKA_TOPIC_PREFIX, logger });
      // A board that stops moving is a stall too: the live consumers and the counts' re-reads are checked.
      context.health.addCheck('live', async () => {
        const problem = live?.problem() ?? alertsBroadcast?.problem();
        if (problem) throw new Error(problem);
      });
    },
    async stop() {
      await alertsBroadcast?.stop();
      await live?.stop();
      await io?.close();
      await analyst.close();
    },
  };
}
