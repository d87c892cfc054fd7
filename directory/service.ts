/**
 * The directory in a running process: the live directory (the processor's `place`, the api's reads),
 * the importer, and the copy of the group paths kept in ClickHouse for drill-down in the engine.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../common/logger.ts';
import { createGroupPaths, type GroupPaths } from './group-paths.ts';
import { createImporter, type Importer } from './importer.ts';
import { createLiveDirectory, type LiveDirectory } from './live-directory.ts';

export interface DirectoryService {
  directory: LiveDirectory;
  importer: Importer;
  /** The directory's group paths kept in ClickHouse for drill-down in the engine (one keeper per process). */
  groupPaths: GroupPaths;
  stop(): Promise<void>;
}

export interface DirectoryServiceOptions {
  client: ClickHouseClient;
  logger: Logger;
  pollMs?: number;
  /** Called after a large load (Store.releaseMemory). */
  releaseMemory?: () => Promise<void>;
  /** Told the version loaded after each change (the directory_version metric). */
  onLoaded?: (version: number) => void;
  /** PHONE_DEFAULT_COUNTRY: the country of contacts' numbers written without a code. */
  phoneCountry?: string;
}

export async function startDirectoryService(options: DirectoryServiceOptions): Promise<DirectoryService> {
  const directory = createLiveDirectory({ client: options.client, logger: options.logger, pollMs: options.pollMs, releaseMemory: options.releaseMemory, onLoaded: options.onLoaded });
  await directory.start();
  const importer = createImporter(options.client, { onImported: () => directory.refresh(), phoneCountry: options.phoneCountry });
  const groupPaths = createGroupPaths(options.client, (error) => options.logger.warn({ err: error }, 'copying the group paths failed; drill-down joins in memory until the next try'));
  return {
    directory,
    importer,
    groupPaths,
    stop: async () => {
      await directory.stop();
      await groupPaths.settled();
    },
  };
}
