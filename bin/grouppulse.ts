#!/usr/bin/env -S npx tsx
/**
 * GroupPulse command line. `start` runs everything in one process (the embedded default);
 * `ingest`, `processor` and `api` run one service each for the distributed mode; `migrate` applies the
 * schema migrations and exits.
 */
import 'dotenv/config';
import { Command } from 'commander';
import { registerUserCommands } from '../access/cli.ts';
import { registerNotifyCommand } from '../alerts/notify/cli.ts';
import { exitWithError, loadConfigOrExit } from '../common/cli.ts';
import type { Config } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { DIRECTORY_IMPORT_TOKEN_FILE, INGEST_TOKEN_FILE, loadOrCreateSecretFile } from '../common/secret-file.ts';
import { ALL_ROLES, startServices, type Roles } from '../runtime/services.ts';
import { readyzCheck, STALL_EXIT_CODE, watchForStall } from '../runtime/stall-exit.ts';
import { registerDirectoryCommands, unknownUnits } from '../directory/cli.ts';
import { registerSourceCommands } from '../ingest/cli.ts';
import { registerMigrateCommand } from '../common/store/cli.ts';
import { startDemoSimulation } from '../simulator/demo.ts';

function parseRoles(list: string): Roles {
  const names = list.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in ALL_ROLES));
  if (unknown.length > 0 || names.length === 0) fail(`--roles takes ingest, processor and/or api (got "${list}")`);
  return { ingest: names.includes('ingest'), processor: names.includes('processor'), api: names.includes('api') };
}

function fail(message: string): never {
  return exitWithError('grouppulse', message);
}
function readConfig(): Config {
  return loadConfigOrExit('grouppulse');
}

/** `tokenFromEnv`: INGEST_TOKEN was set (the curl line names the variable instead of printing it). */
function printWelcome(url: string, config: Config, tokenFromEnv: boolean): void {
  const bus = config.KAFKA_BROKERS ? `Kafka at ${config.KAFKA_BROKERS}` : 'in-process bus';
  const store = config.CLICKHOUSE_URL ? `ClickHouse at ${new URL(config.CLICKHOUSE_URL).host}` : `embedded ClickHouse in ${config.DATA_DIR}`;
  const token = tokenFromEnv ? '$INGEST_TOKEN' : config.INGEST_TOKEN;
  const lines = [
    '',
    `GroupPulse is running (${bus}, ${store}).`,
    `  Board:   ${url}/`,
    `  Ingest:  ${url}/v1/events`,
    `  Summary: ${url}/api/v1/summary?from=<ISO>&to=<ISO>`,
    '',
    'Sign in (board: the form at /; APIs: the token as Authorization: Bearer <token>):',
    `  curl -X POST ${url}/api/v1/auth/sign-in -H "Content-Type: application/json" -d '{"username":"admin","password":"<password>"}'`,
    '  More users: `npx tsx bin/grouppulse.ts users add <name> --role lead --unit <unit id>` (server stopped) or POST /api/v1/admin/users.',
    '',
    'Send a first event:',
    `  curl -X POST ${url}/v1/events -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" \\`,
    `    -d '[{"type":"message","id":"first-1","group":"wa:demo@g.us","at":"'$(date -u +%Y-%m-%dT%H:%M:%SZ)'","sender":"919800000001","kind":"text"}]'`,
    '',
    'Or play a simulated organisation into it (another terminal, this directory): npm run simulate',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** The first admin's generated password goes to the terminal once, never to the log. */
function printFirstAdmin(admin: { username: string; generatedPassword?: string }): void {
  const password = admin.generatedPassword ? `password ${admin.generatedPassword}  (shown only now: store it, or change it with \`users set-password\`)` : 'the password from ADMIN_PASSWORD';
  process.stdout.write(`\nCreated the first admin: user "${admin.username}", ${password}\n`);
}

async function run(roles: Roles, distributed: boolean): Promise<void> {
  const config = readConfig();
  if (distributed) {
    const missing = [
      roles.ingest || roles.processor || roles.api ? (config.KAFKA_BROKERS ? null : 'KAFKA_BROKERS') : null,
      (roles.processor || roles.api) && !config.CLICKHOUSE_URL ? 'CLICKHOUSE_URL' : null,
    ].filter(Boolean);
    if (missing.length > 0) {
      fail(`a service on its own needs ${missing.join(' and ')} (the embedded bus and ClickHouse engine live inside one process: use \`npm start\` for that)`);
    }
  }
  const logger = createLogger(config.LOG_LEVEL);
  const tokenFromEnv = config.INGEST_TOKEN !== undefined;
  if (!distributed && roles.ingest && !config.INGEST_TOKEN) {
    // A single-node start should take events at once: a source token of its own, kept in DATA_DIR.
    const generated = loadOrCreateSecretFile(config.DATA_DIR, INGEST_TOKEN_FILE, 24);
    config.INGEST_TOKEN = generated.secret;
    logger.info({ file: generated.file }, generated.created ? 'generated an ingest token for the source "default"' : 'using the ingest token kept in DATA_DIR');
  }
  if (!distributed && roles.api && !config.DIRECTORY_IMPORT_TOKEN) {
    // `npm run simulate` (and the demo) import an organisation: a directory import token of its own, kept in DATA_DIR.
    const generated = loadOrCreateSecretFile(config.DATA_DIR, DIRECTORY_IMPORT_TOKEN_FILE, 24);
    config.DIRECTORY_IMPORT_TOKEN = generated.secret;
    logger.info({ file: generated.file }, generated.created ? 'generated a directory import token' : 'using the directory import token kept in DATA_DIR');
  }
  const services = await startServices(config, roles, logger).catch((error: unknown) => fail(`could not start: ${(error as Error).message}`));
  if (services.firstAdmin) printFirstAdmin(services.firstAdmin);
  if (roles.api && roles.ingest) printWelcome(services.url, config, tokenFromEnv);
  if (roles.api && roles.ingest) startDemoSimulation(services.url, config, logger);
  else logger.info({ url: services.url, roles }, 'service started');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight work');
    services.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  if (roles.processor && config.STALL_EXIT_SECONDS > 0) {
    watchForStall({
      problem: () => readyzCheck(services.url, 'processor'),
      afterMs: config.STALL_EXIT_SECONDS * 1000,
      logger,
      onStalled(problem) {
        if (stopping) return;
        stopping = true;
        logger.fatal({ problem, exitCode: STALL_EXIT_CODE }, `stalled for STALL_EXIT_SECONDS (${config.STALL_EXIT_SECONDS} s): exiting so the supervisor starts a fresh process`);
        // The batch in hand may be what hangs: a bounded stop, then out.
        void services.stop(10_000).finally(() => process.exit(STALL_EXIT_CODE));
      },
    });
  }
}

const program = new Command('grouppulse').description('Real-time activity monitoring for networks of chat groups');
registerUserCommands(program, unknownUnits);
registerNotifyCommand(program.commands.find((c) => c.name() === 'users')!);
program
  .command('start')
  .description('run ingest + processor + api + board in one process')
  .option('--roles <roles>', 'only these roles in this process, comma-separated: ingest,processor,api', 'ingest,processor,api')
  .action((options: { roles: string }) => run(parseRoles(options.roles), false));
program.command('ingest').description('run only the ingest service (needs KAFKA_BROKERS)').action(() => run({ ingest: true, processor: false, api: false }, true));
program.command('processor').description('run only the processor (needs KAFKA_BROKERS and CLICKHOUSE_URL)').action(() => run({ ingest: false, processor: true, api: false }, true));
program.command('api').description('run only the read API, live socket and board (needs KAFKA_BROKERS and CLICKHOUSE_URL)').action(() => run({ ingest: false, processor: false, api: true }, true));
registerMigrateCommand(program);
registerDirectoryCommands(program);
registerSourceCommands(program);
await program.parseAsync();
