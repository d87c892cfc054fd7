/**
 * `grouppulse users add|list|set-password|disable|enable` — user management from the shell, on the
 * same rules as the admin API (access/user-admin.ts). Passwords come from stdin
 * (`--password-stdin`, so they stay out of shell history and `ps`) or are generated and printed once.
 * With the embedded engine the server must be stopped first (one process per data directory);
 * while it runs, use the admin API instead.
 */
import { createInterface } from 'node:readline';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Command } from 'commander';
import { exitWithError, loadConfigOrExit, say, withStore } from '../common/cli.ts';
import { generatePassword } from './password.ts';
import { USER_ROLES } from './roles.ts';
import { createUserAdmin, publicUser, type AdminOutcome, type UserAdmin } from './user-admin.ts';
import { createUsersRepository, type UsersRepository } from './users-repository.ts';

interface Tools {
  users: UsersRepository;
  admin: UserAdmin;
  client: ClickHouseClient;
}

/**
 * Which of `units` the directory lacks ([] when it has them all, or has no units yet: before the first
 * import users may be given the units it will bring). Given by the caller (bin/), which knows the directory.
 */
export type UnknownUnits = (client: ClickHouseClient, units: string[]) => Promise<string[]>;

function fail(message: string): never {
  return exitWithError('grouppulse users', message);
}

function withUsers<T>(work: (tools: Tools) => Promise<T>): Promise<T> {
  return withStore('grouppulse users', loadConfigOrExit('grouppulse users'), (store) => {
    const users = createUsersRepository(store.client, { cacheMs: 0 });
    return work({ users, admin: createUserAdmin(users), client: store.client });
  });
}

async function readPasswordFromStdin(): Promise<string> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  fail('--password-stdin given but stdin was empty');
}

function report(outcome: AdminOutcome, what: string): void {
  if (!outcome.ok) fail(outcome.error);
  const user = publicUser(outcome.user);
  say(`${what} ${user.username} (roles: ${user.roles.join(', ')}${user.units.length ? `; units: ${user.units.join(', ')}` : ''}${user.disabled ? '; disabled' : ''})`);
  if (outcome.generatedPassword) say(`password (shown once, store it now): ${outcome.generatedPassword}`);
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

export function registerUserCommands(program: Command, unknownUnits: UnknownUnits = async () => []): void {
  const users = program.command('users').description('manage the people who sign in (admins, monitors, leads, analysts)');

  users
    .command('add <username>')
    .description('create a user; the password is read from stdin with --password-stdin, else generated and printed once')
    .requiredOption('-r, --role <role>', `role (repeatable or comma-separated): ${USER_ROLES.join(', ')}`, collect, [])
    .option('-u, --unit <unit>', 'unit a lead may see, and everything under it (repeatable or comma-separated; ids the directory has)', collect, [])
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, options: { role: string[]; unit: string[]; passwordStdin?: boolean }) => {
      const password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
      await withUsers(async ({ admin, client }) => {
        const unknown = await unknownUnits(client, options.unit);
        if (unknown.length > 0) fail(`no unit ${unknown.slice(0, 5).map((u) => `"${u}"`).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} in the directory: give ids of units it has (grouppulse directory import-units first)`);
        report(await admin.create({ username, password, roles: options.role, units: options.unit }), 'created');
      });
    });

  users
    .command('list')
    .description('list users, their roles and units')
    .action(async () => {
      await withUsers(async ({ users: repository }) => {
        const all = (await repository.list()).map(publicUser);
        if (all.length === 0) say('no users yet (the first admin is created when the server first starts)');
        for (const user of all) say(`${user.username}\t${user.roles.join(',')}\t${user.units.join(',') || '-'}\t${user.disabled ? 'disabled' : 'active'}`);
      });
    });

  users
    .command('set-password <username>')
    .description('set a new password (from stdin with --password-stdin, else generated and printed once); ends the user\'s sessions')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, options: { passwordStdin?: boolean }) => {
      const generated = options.passwordStdin ? undefined : generatePassword();
      const password = generated ?? (await readPasswordFromStdin());
      await withUsers(async ({ admin }) => {
        const outcome = await admin.update(username, { password });
        report(outcome.ok && generated ? { ...outcome, generatedPassword: generated } : outcome, 'new password for');
      });
    });

  users
    .command('disable <username>')
    .description('disable a user (kept on record); ends their sessions')
    .action(async (username: string) => {
      await withUsers(async ({ admin }) => report(await admin.update(username, { disabled: true }), 'disabled'));
    });

  users
    .command('enable <username>')
    .description('enable a disabled user again')
    .action(async (username: string) => {
      await withUsers(async ({ admin }) => report(await admin.update(username, { disabled: false }), 'enabled'));
    });
}
