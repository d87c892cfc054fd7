/**
 * Wires the directory into a running process: the live directory (for the processor's `place` and
 * the api's reads), the importer and the api routes. Only runtime/services.ts calls this.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { NextFunction, Request, Response, Router } from 'express';
import { createDirectoryRouter } from '../api/directory-routes.ts';
import type { RequireUser } from '../api/auth/require-user.ts';
import type { SecretGuard } from '../api/auth/secret-guard.ts';
import type { Logger } from '../common/logger.ts';
import { bearerToken } from '../ingest/router.ts';
import { secretsEqual } from '../ingest/sources.ts';
import { createGroupPaths, type GroupPaths } from './group-paths.ts';
import { createImporter } from './importer.ts';
import { createLiveDirectory, type LiveDirectory } from './live-directory.ts';

export interface DirectoryService {
  directory: LiveDirectory;
  /** The directory's group paths kept in ClickHouse for drill-down in the engine (one keeper per process). */
  groupPaths: GroupPaths;
  /**
   * The api routes (mount when this process serves the api). With `requireUser`, reads need a
   * signed-in user (a lead sees only their divisions) and imports an admin — or DIRECTORY_IMPORT_TOKEN.
   */
  routes(requireUser?: RequireUser): Router;
  stop(): Promise<void>;
}

export interface DirectoryServiceOptions {
  client: ClickHouseClient;
  logger: Logger;
  /** Bearer token also allowed to import (DIRECTORY_IMPORT_TOKEN: scripts, the simulator). */
  adminToken?: string;
  /** Counts wrong tokens on imports per client address and turns a guessing address away. */
  secretGuard?: SecretGuard;
  pollMs?: number;
  /** Called after a large load (Store.releaseMemory). */
  releaseMemory?: () => Promise<void>;
  /** Told the version loaded after each change (the directory_version metric). */
  onLoaded?: (version: number) => void;
}

export async function startDirectoryService(options: DirectoryServiceOptions): Promise<DirectoryService> {
  const directory = createLiveDirectory({ client: options.client, logger: options.logger, pollMs: options.pollMs, releaseMemory: options.releaseMemory, onLoaded: options.onLoaded });
  await directory.start();
  const importer = createImporter(options.client, () => directory.refresh());
  const groupPaths = createGroupPaths(options.client, (error) => options.logger.warn({ err: error }, 'copying the group paths failed; drill-down joins in memory until the next try'));
  function routes(requireUser?: RequireUser): Router {
    const requireAdmin = requireUser?.('admin');
    return createDirectoryRouter({
      client: options.client,
      directory,
      groupPaths,
      importer,
      requireUser,
      authorizeWrite: function authorizeDirectoryWrite(req: Request, res: Response, next: NextFunction) {
        const guard = options.secretGuard;
        if (guard && !guard.admit(req, res)) return;
        const token = bearerToken(req.headers.authorization);
        if (token && options.adminToken && secretsEqual(token, options.adminToken)) {
          next();
          return;
        }
        // Neither the import token nor (as requireAdmin will say) a valid sign-in: a wrong token.
        if (guard) res.on('finish', () => res.statusCode === 401 && guard.failed(req));
        if (requireAdmin) {
          void requireAdmin(req, res, next);
          return;
        }
        res.set('WWW-Authenticate', 'Bearer').status(401).json({ error: 'sign in as an admin (or send DIRECTORY_IMPORT_TOKEN) to import into the directory' });
      },
    });
  }
  return {
    directory,
    groupPaths,
    routes,
    stop: async () => {
      await directory.stop();
      await groupPaths.settled();
    },
  };
}
