#!/usr/bin/env -S npx tsx
/**
 * `npm run simulate -- [flags]`: generate an organisation at the field's scale, import it, and play
 * a realistic stream through the real ingest API. See docs/directory.md.
 */
import 'dotenv/config';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfigOrExit } from '../common/cli.ts';
import { configuredOrKept, DIRECTORY_IMPORT_TOKEN_FILE, INGEST_TOKEN_FILE } from '../common/secret-file.ts';
import { simulate } from './simulate.ts';

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
  .option('--seed <n>', 'seed of the generated organisation', positive('seed'), 7)
  .option('--no-import', 'do not import the organisation (it is already there)')
  .option('--json', 'print the summary as JSON');

program.action(async (options: { url: string; token?: string; importToken?: string; scale: number; speed: number; duration: number; rate: number; atHour?: number; bursts: number; seed: number; import: boolean; json?: boolean }) => {
  const token = options.token ?? configuredOrKept(config.INGEST_TOKEN, config.DATA_DIR, INGEST_TOKEN_FILE);
  if (!token) {
    process.stderr.write('simulate: no ingest token: pass --token, set INGEST_TOKEN, or run `npm start` first (it keeps one in DATA_DIR/ingest.token)\n');
    process.exit(1);
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    const summary = await simulate({ url: options.url, token, importToken: options.importToken ?? configuredOrKept(config.DIRECTORY_IMPORT_TOKEN, config.DATA_DIR, DIRECTORY_IMPORT_TOKEN_FILE), scale: options.scale, speed: options.speed, durationSeconds: options.duration, rate: options.rate, atHour: options.atHour, burstsPerHour: options.bursts, seed: options.seed, import: options.import, signal: controller.signal });
    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const s = summary;
      process.stdout.write([
        '',
        `Simulated ${s.simulatedHours} h in ${s.seconds} s against ${options.url}`,
        `  organisation: ${s.org.units} units, ${s.org.booths} booths, ${s.org.groups} groups (${s.org.silentGroups} silent), ${s.org.members} members`,
        s.import ? `  import: units ${s.import.unitsMs} ms, groups ${s.import.groupsMs} ms` : '  import: skipped',
        `  sent: ${s.sent.messages} messages (${s.sent.forwarded} forwarded, ${s.sent.bursts} bursts), ${s.sent.joins} joins, ${s.sent.leaves} leaves, ${s.sent.snapshots} snapshots; ${s.sent.groupsThatSpoke} groups spoke`,
        `  server: ${s.server.accepted} accepted, ${s.server.rejected} rejected, ${s.server.requests} requests, ${s.server.retries} retries, ${s.server.failedRequests} failed`,
        ...s.server.reasons.map((r) => `    e.g. ${r}`),
        '',
      ].join('\n'));
    }
    process.exit(summary.server.failedRequests > 0 ? 2 : 0);
  } catch (error) {
    process.stderr.write(`simulate: ${(error as Error).message}\n`);
    process.exit(1);
  }
});

await program.parseAsync();
