#!/usr/bin/env -S npx tsx
/**
 * `npm run simulate -- [flags]`: generate an organisation at the field's scale, import it, and play
 * a realistic stream through the real ingest API. See docs/directory.md.
 */
import 'dotenv/config';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfigOrExit } from '../common/cli.ts';
import { DIRECTORY_IMPORT_TOKEN_FILE, INGEST_TOKEN_FILE } from '../common/secret-file.ts';
import { RefusedError, simulate } from './simulate.ts';
import { findToken, missingToken, refusedToken, type TokenPlace } from './tokens.ts';

function positive(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

/** An hour of the day, 0–23. */
function hourOfDay(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 23) throw new InvalidArgumentError('hour must be a whole number from 0 to 23');
  return n;
}

/** `90`, `90s`, `15m`, `2h` → seconds; `0` or `forever` → Infinity. */
export function parseDuration(value: string): number {
  if (value === 'forever' || value === '0') return Infinity;
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('duration looks like 90, 90s, 15m, 2h or forever');
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[(match[2] ?? 's') as 's' | 'm' | 'h'];
}

const config = loadConfigOrExit('simulate');

function fail(message: string): never {
  process.stderr.write(`simulate: ${message}\n`);
  process.exit(1);
}

const program = new Command('simulate')
  .description('Play a simulated organisation (units, groups, members, a day of activity) into a running GroupPulse')
  .option('--url <url>', 'GroupPulse base URL', `http://127.0.0.1:${config.PORT}`)
  .option('--token <token>', 'ingest bearer token (default: INGEST_TOKEN, else DATA_DIR/ingest.token)')
  .option('--import-token <token>', 'token for the directory import (default: DIRECTORY_IMPORT_TOKEN, else DATA_DIR/directory-import.token)')
  .option('--scale <factor>', 'share of the field scale (1 = 52,000 booths, 100,000 groups, 5 M members)', positive('scale'), 0.01)
  .option('--speed <factor>', 'simulated seconds per real second (60 = a day in 24 minutes)', positive('speed'), 60)
  .option('--duration <time>', 'how long to play: 90s, 15m, 2h, forever', parseDuration, 60)
  .option('--rate <n>', 'mean messages per simulated second at scale 1', positive('rate'), 300)
  .option('--at-hour <h>', "play traffic at this IST hour's share of the day (0–23) whatever the clock says, e.g. 20 for the evening peak", hourOfDay)
  .option('--bursts <n>', 'forward bursts per simulated hour', positive('bursts'), 1)
  .option('--central <n>', 'central messages sent down the tree per simulated day', positive('central'), 4)
  .option('--seed <n>', 'seed of the generated organisation', positive('seed'), 7)
  .option('--no-import', 'do not import the organisation (it is already there)')
  .option('--json', 'print the summary as JSON');

program.action(async (options: { url: string; token?: string; importToken?: string; scale: number; speed: number; duration: number; rate: number; atHour?: number; bursts: number; central: number; seed: number; import: boolean; json?: boolean }) => {
  const ingestPlace: TokenPlace = { flag: '--token', given: options.token, variable: 'INGEST_TOKEN', configured: config.INGEST_TOKEN, dataDir: config.DATA_DIR, file: INGEST_TOKEN_FILE };
  const importPlace: TokenPlace = { flag: '--import-token', given: options.importToken, variable: 'DIRECTORY_IMPORT_TOKEN', configured: config.DIRECTORY_IMPORT_TOKEN, dataDir: config.DATA_DIR, file: DIRECTORY_IMPORT_TOKEN_FILE };
  const ingest = findToken(ingestPlace);
  if (!ingest) fail(missingToken(ingestPlace, 'ingest token'));
  // Only the import needs the import token; --no-import goes without.
  const directoryImport = options.import ? findToken(importPlace) : undefined;
  if (options.import && !directoryImport) fail(`${missingToken(importPlace, 'directory import token')}; or --no-import when the organisation is there already`);
  process.stderr.write(`simulate: ingest token from ${ingest.from}${directoryImport ? `; directory import token from ${directoryImport.from}` : ''}\n`);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    const summary = await simulate({ url: options.url, token: ingest.token, importToken: directoryImport?.token, scale: options.scale, speed: options.speed, durationSeconds: options.duration, rate: options.rate, atHour: options.atHour, burstsPerHour: options.bursts, cascadesPerDay: options.central, seed: options.seed, import: options.import, signal: controller.signal });
    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const s = summary;
      process.stdout.write([
        '',
        `Simulated ${s.simulatedHours} h in ${s.seconds} s against ${options.url}`,
        `  organisation: ${s.org.units} units, ${s.org.booths} booths, ${s.org.groups} groups (${s.org.silentGroups} silent), ${s.org.members} members`,
        s.import ? `  import: units ${s.import.unitsMs} ms, groups ${s.import.groupsMs} ms` : '  import: skipped',
        `  sent: ${s.sent.messages} messages (${s.sent.forwarded} forwarded, ${s.sent.bursts} bursts, ${s.sent.cascades} central messages sent down in ${s.sent.cascadeCopies} copies), ${s.sent.joins} joins, ${s.sent.leaves} leaves, ${s.sent.snapshots} snapshots; ${s.sent.groupsThatSpoke} groups spoke`,
        `  server: ${s.server.accepted} accepted, ${s.server.rejected} rejected, ${s.server.requests} requests, ${s.server.retries} retries, ${s.server.failedRequests} failed`,
        ...s.server.reasons.map((r) => `    e.g. ${r}`),
        '',
      ].join('\n'));
    }
    process.exit(summary.server.failedRequests > 0 ? 2 : 0);
  } catch (error) {
    if (error instanceof RefusedError) fail(error.token === 'import' ? refusedToken(directoryImport!, 'directory import token', config.DATA_DIR) : refusedToken(ingest, 'ingest token', config.DATA_DIR));
    fail((error as Error).message);
  }
});

await program.parseAsync();
