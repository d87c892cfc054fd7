/**
 * `grouppulse migrate`: apply the schema migrations and exit. A deployment runs it once before its
 * services (docker-compose's one-shot `migrate` service, which the others wait for); the services
 * themselves then find every migration applied. Waits, as a starting service does, while another
 * migrator holds the lock, for at most MIGRATIONS_WAIT_SECONDS. Exits 1 with the reason on failure.
 */
import type { Command } from 'commander';
import { exitWithError, loadConfigOrExit, say } from '../cli.ts';
import { createLogger } from '../logger.ts';
import { migrate } from './migrate.ts';
import { applyRetention } from './retention.ts';
import { createStore, type Store } from './store.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the schema migrations to the store and exit (run it once before starting the services of a deployment)')
    .action(async function migrateCommand() {
      const command = 'grouppulse migrate';
      const config = loadConfigOrExit(command);
      const logger = createLogger(config.LOG_LEVEL);
      let store: Store;
      try {
        store = await createStore(config);
      } catch (error) {
        exitWithError(command, `cannot open the store (${(error as Error).message})`);
      }
      try {
        const applied = await migrate(store.client, undefined, {
          waitMs: config.MIGRATIONS_WAIT_SECONDS * 1000,
          onWait: (holder) => logger.info({ holder: holder.owner, lock: holder.generation, leaseEnd: holder.leaseEnd }, 'another process is migrating the schema; waiting for it'),
        });
        say(applied.length > 0 ? `applied ${applied.length} migration(s) to ${store.location}: ${applied.join(', ')}` : `the schema of ${store.location} is up to date`);
        const retention = await applyRetention(store.client, config);
        if (retention.length > 0) say(`set how long data is kept: ${retention.join(', ')}`);
      } catch (error) {
        await store.close();
        exitWithError(command, `migrating failed: ${(error as Error).message}`);
      }
      await store.close();
    });
}
