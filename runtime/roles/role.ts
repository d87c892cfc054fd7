/**
 * What a role (ingest, processor, api) is to the process that runs it: the routers it mounts on the
 * process's one Express app, how it starts once the HTTP server exists, and how it stops. Each
 * builder takes the process's shared parts (RoleContext) and returns one of these.
 */
import type { Server as HttpServer } from 'node:http';
import type { Router } from 'express';
import type { Bus } from '../../common/bus/bus.ts';
import type { Config } from '../../common/config.ts';
import type { SecretGuard } from '../../common/http/secret-guard.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import type { Store } from '../../common/store/store.ts';
import type { DirectoryService } from '../../directory/service.ts';
import type { PipelineTopics } from '../bus.ts';
import type { Health } from '../health.ts';

export interface Role {
  /** Mounted in this order, before the error handler. */
  routers: Router[];
  /** Begins the role's work; the server exists but does not listen yet (the api attaches Socket.io to it). */
  start(server: HttpServer): Promise<void>;
  /** Stops taking work and lets what is in hand finish, within `timeoutMs`; closes what the role opened. */
  stop(timeoutMs: number): Promise<void>;
}

/** What the process builds once and every role shares. */
export interface RoleContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  bus: Bus;
  topics: PipelineTopics;
  /** ClickHouse, migrated: there when the process runs the processor or the api, or ingest with CLICKHOUSE_URL. */
  store?: Store;
  /** The group directory, kept current: there with the store. */
  directory?: DirectoryService;
  /** Counts wrong fixed secrets (METRICS_TOKEN, DIRECTORY_IMPORT_TOKEN) per client address. */
  secretGuard: SecretGuard;
}
