/**
 * `grouppulse directory settings|import-units|import-groups|import-contacts|import-representatives|status` — the directory from the shell.
 * Directly on the store (a ClickHouse server any time; the embedded engine only while the server is
 * stopped, one process per data directory), or through a running server's api with `--api <url>`
 * (and `--token`: an admin's sign-in token, default DIRECTORY_IMPORT_TOKEN or DATA_DIR/directory-import.token). Same validation either way:
 * a bad file is refused as a whole and every problem is printed with its line.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Command } from 'commander';
import { exitWithError, loadConfigOrExit, say, withStore } from '../common/cli.ts';
import type { Config } from '../common/config.ts';
import { configuredOrKept, DIRECTORY_IMPORT_TOKEN_FILE } from '../common/secret-file.ts';
import { createImporter, type Importer, type ImportResult } from './importer.ts';
import { detectFormat, type ImportFormat } from './parse.ts';
import { createDirectoryRepository } from './repository.ts';
import type { ImportMode } from './validate.ts';

interface Target {
  api?: string;
  token?: string;
}

interface ImportFlags extends Target {
  mode: string;
  format?: string;
}

function fail(message: string): never {
  return exitWithError('grouppulse directory', message);
}

function readConfig(): Config {
  return loadConfigOrExit('grouppulse directory');
}

function report(result: ImportResult, what: string): void {
  if (result.ok) {
    say(`${what}: ${result.written} written, ${result.removed} removed, version ${result.version} (${result.ms} ms)`);
    return;
  }
  process.stderr.write(`${what} refused, nothing was applied (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):\n`);
  for (const p of result.problems) process.stderr.write(`  ${p.line > 0 ? `line ${p.line}` : 'file'}: ${p.problem}\n`);
  process.exit(2);
}

/** Runs `task` with an importer on the store, closing it afterwards. */
function withImporter<T>(task: (importer: Importer) => Promise<T>): Promise<T> {
  const config = readConfig();
  return withStore('grouppulse directory', config, (store) => task(createImporter(store.client, { phoneCountry: config.PHONE_DEFAULT_COUNTRY })));
}

function apiToken(given: string | undefined): string {
  const config = readConfig();
  const token = given ?? configuredOrKept(config.DIRECTORY_IMPORT_TOKEN, config.DATA_DIR, DIRECTORY_IMPORT_TOKEN_FILE);
  if (!token) fail('--api needs --token (an admin sign-in token), or DIRECTORY_IMPORT_TOKEN');
  return token;
}

async function callApi(target: Target, method: string, route: string, body: string, contentType: string): Promise<ImportResult> {
  const response = await fetch(new URL(route, target.api), {
    method,
    headers: { authorization: `Bearer ${apiToken(target.token)}`, 'content-type': contentType },
    body,
  }).catch((error: unknown) => fail(`cannot reach ${target.api}: ${(error as Error).message}`));
  const answer = (await response.json().catch(() => ({}))) as ImportResult & { error?: string };
  if (response.ok || response.status === 422) return answer;
  return fail(`${method} ${route} answered ${response.status}: ${answer.error ?? 'no details'}`);
}

function readInput(file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  if (!existsSync(file)) fail(`no file ${file}`);
  return readFileSync(file, 'utf8');
}

function parseMode(mode: string): ImportMode {
  if (mode !== 'merge' && mode !== 'replace') fail(`--mode is merge or replace (got "${mode}")`);
  return mode;
}

function formatOf(file: string, text: string, given: string | undefined): ImportFormat {
  if (given === 'csv' || given === 'json') return given;
  if (given) fail(`--format is csv or json (got "${given}")`);
  if (file.endsWith('.csv')) return 'csv';
  if (file.endsWith('.json')) return 'json';
  return detectFormat(undefined, text);
}

type ImportKind = 'units' | 'groups' | 'contacts' | 'representatives';

function importInto(importer: Importer, kind: ImportKind): (text: string, format: ImportFormat, mode: ImportMode) => Promise<ImportResult> {
  return { units: importer.importUnits, groups: importer.importGroups, contacts: importer.importContacts, representatives: importer.importRepresentatives }[kind];
}

const IMPORT_COLUMNS: Record<ImportKind, string> = {
  units: 'import units: id,name,level,parent[,voters]',
  groups: 'import groups: id,unit,category[,title,platform,target_size]',
  contacts: 'import contacts, the people to call: person,phone,unit or group[,role,id]',
  representatives: 'import representatives and their public accounts: person,role,unit,platform,account[,id]',
};

function importCommand(kind: ImportKind) {
  return async function runImport(file: string, flags: ImportFlags): Promise<void> {
    const mode = parseMode(flags.mode);
    const text = readInput(file);
    const format = formatOf(file, text, flags.format);
    const result = flags.api
      ? await callApi(flags, 'POST', `/api/v1/directory/${kind}?mode=${mode}`, text, format === 'csv' ? 'text/csv' : 'application/json')
      : await withImporter((importer) => importInto(importer, kind)(text, format, mode));
    report(result, `${kind} import`);
  };
}

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

/** Which of `units` the directory lacks: none before its first import (users may be given the units it will bring). */
export async function unknownUnits(client: ClickHouseClient, units: string[]): Promise<string[]> {
  if (units.length === 0) return [];
  const known = await createDirectoryRepository(client).loadUnits();
  return known.size === 0 ? [] : units.filter((unit) => !known.has(unit));
}

export function registerDirectoryCommands(program: Command): void {
  const directory = program.command('directory').description('the organisation tree and group directory: levels, units, groups, contacts, representatives');
  const targetOptions = (command: Command) =>
    command.option('--api <url>', 'go through a running server (e.g. http://127.0.0.1:8080) instead of opening the store').option('--token <token>', 'bearer token for --api');

  targetOptions(
    directory
      .command('settings')
      .description('set the levels (top first), the division level and the categories')
      .requiredOption('--levels <names>', 'comma-separated, top first, e.g. state,division,district,mandal,booth')
      .option('--division-level <name>', 'level used as `division` in rollups (default: `division`, else the second level)')
      .option('--categories <names>', 'comma-separated group categories (default: keep the current ones)'),
  ).action(async (flags: Target & { levels: string; divisionLevel?: string; categories?: string }) => {
    const input = { levels: list(flags.levels), divisionLevel: flags.divisionLevel, categories: flags.categories ? list(flags.categories) : undefined };
    const result = flags.api
      ? await callApi(flags, 'PUT', '/api/v1/directory/settings', JSON.stringify(input), 'application/json')
      : await withImporter((importer) => importer.importSettings(input));
    report(result, 'settings');
  });

  for (const kind of ['units', 'groups', 'contacts', 'representatives'] as const) {
    targetOptions(
      directory
        .command(`import-${kind}`)
        .argument('<file>', `CSV (header row) or JSON file of ${kind}; - reads stdin`)
        .description(IMPORT_COLUMNS[kind])
        .option('--mode <mode>', 'merge (upsert into what is there) or replace (the file is the whole set)', 'merge')
        .option('--format <format>', 'csv or json (default: from the file name or content)'),
    ).action(importCommand(kind));
  }

  directory
    .command('status')
    .description('levels, categories and counts of the stored directory')
    .action(async () => {
      await withImporter(async (importer) => {
        const [settings, units, groups, mark] = await Promise.all([
          importer.repository.loadSettings(),
          importer.repository.loadUnits(),
          importer.repository.groupIds(),
          importer.repository.mark(),
        ]);
        say(`levels: ${settings.levels.join(' > ')} (division level: ${settings.divisionLevel})`);
        say(`categories: ${settings.categories.join(', ')}`);
        say(`units: ${units.size}, groups: ${groups.size}, version ${mark.version} (${mark.count} imports)`);
      });
    });
}
