/**
 * What every command-line command needs: print, stop with a message, read the config, and open
 * the store with its migrations applied — with errors a person can act on.
 */
import { ConfigError, loadConfig, type Config } from './config.ts';
import { migrate } from './store/migrate.ts';
import { createStore, type Store } from './store/store.ts';

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Print `grouppulse[ command]: message` on stderr and exit. */
export function exitWithError(command: string, message: string, code = 1): never {
  process.stderr.write(`${command}: ${message}\n`);
  process.exit(code);
}

export function loadConfigOrExit(command: string): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWithError(command, error.message);
    throw error;
  }
}

/** Run `work` with the store open and migrated, then close it. */
export async function withStore<T>(command: string, config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  let store: Store;
  try {
    store = await createStore(config);
    await migrate(store.client, undefined, { waitMs: config.MIGRATIONS_WAIT_SECONDS * 1000 });
  } catch (error) {
    const hint = config.CLICKHOUSE_URL
      ? ''
      : ` With the embedded engine, stop the running server first (one process per data directory: ${config.DATA_DIR}), set CLICKHOUSE_URL, or use the HTTP API.`;
    exitWithError(command, `cannot open the store (${(error as Error).message}).${hint}`);
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
