/**
 * Wires the directory into a running process: the live directory (for the processor's `place` and
 * the api's reads), the importer and the api routes. Only runtime/services.ts calls this.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { NextFunction, Request, Response, Router } from 'express';
import { createDirectoryRouter } from '../api/directory-routes.ts';
import type { Logger } from '../common/logger.ts';
import { bearerToken } from '../ingest/router.ts';
import { secretsEqual } from '../ingest/sources.ts';
import { createImporter } from './importer.ts';
import { createLiveDirectory, type LiveDirectory } from './live-directory.ts';

export interface DirectoryService {
  directory: LiveDirectory;
  /** The api routes (mount when this process serves the api). */
  router: Router;
  stop(): Promise<void>;
}

export interface DirectoryServiceOptions {
  client: ClickHouseClient;
  logger: Logger;
  /**
   * Bearer token allowed to import (the deployment's INGEST_TOKEN until user roles guard these
   * routes); unset = imports through the api are off (the CLI still works).
   */
  adminToken?: string;
  pollMs?: number;
}

export async function startDirectoryService(options: DirectoryServiceOptions): Promise<DirectoryService> {
  const directory = createLiveDirectory({ client: options.client, logger: options.logger, pollMs: options.pollMs });
  await directory.start();
  const importer = createImporter(options.client, () => directory.refresh());
  const router = createDirectoryRouter({
    client: options.client,
    directory,
    importer,
    authorizeWrite: function authorizeDirectoryWrite(req: Request, res: Response, next: NextFunction) {
      const token = bearerToken(req.headers.authorization);
      if (!options.adminToken) {
        res.status(403).json({ error: 'directory imports through the api are off: set INGEST_TOKEN, or use `grouppulse directory import-…`' });
        return;
      }
      if (!token || !secretsEqual(token, options.adminToken)) {
        res.set('WWW-Authenticate', 'Bearer').status(401).json({ error: 'send Authorization: Bearer <INGEST_TOKEN> to import into the directory' });
        return;
      }
      next();
    },
  });
  return { directory, router, stop: () => directory.stop() };
}
