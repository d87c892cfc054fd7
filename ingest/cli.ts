/**
 * `grouppulse sources add|list|revoke` and `grouppulse import-export <file> --group <id>`.
 *
 * Sources are written straight to the store (a ClickHouse server any time; the embedded engine only
 * while the server is stopped — one process per data directory). With a ClickHouse server, a
 * revocation stops the token on every running ingest instance at its next request (within
 * INGEST_SOURCES_CACHE_MS when that is set above 0).
 *
 * import-export uploads the file to a running server's POST /v1/imports/whatsapp-export, so the
 * events go through the same acceptor as everything else, whatever the bus.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { exitWithError, loadConfigOrExit, say, withStore } from '../common/cli.ts';
import type { Config } from '../common/config.ts';
import { configuredOrKept, INGEST_TOKEN_FILE } from '../common/secret-file.ts';
import { createSourcesStore, type SourcesStore } from './sources-store.ts';

function fail(message: string, code = 1): never {
  return exitWithError('grouppulse', message, code);
}
function readConfig(): Config {
  return loadConfigOrExit('grouppulse');
}

function withSources<T>(task: (sources: SourcesStore) => Promise<T>): Promise<T> {
  return withStore('grouppulse sources', readConfig(), (store) => task(createSourcesStore(store.client)));
}

/** The default token for uploads: INGEST_TOKEN, else the one `npm start` generated in DATA_DIR. */
function defaultToken(config: Config): string | undefined {
  return configuredOrKept(config.INGEST_TOKEN, config.DATA_DIR, INGEST_TOKEN_FILE);
}

export function registerSourceCommands(program: Command): void {
  const sources = program.command('sources').description('programs allowed to post events (collectors), each with its own token');

  sources
    .command('add <name>')
    .description('register a source and print its token (shown once; only its SHA-256 digest is kept)')
    .action(async (name: string) => {
      const outcome = await withSources((s) => s.add(name));
      if (!outcome.ok) fail(outcome.error, 2);
      say(`source "${outcome.value.name}" registered. Its token (shown only now; keep it secret):`);
      say(outcome.value.token);
      say(`Post with: Authorization: Bearer <token> to /v1/events`);
    });

  sources
    .command('list')
    .description('registered sources: name, created, revoked')
    .action(async () => {
      const rows = await withSources((s) => s.list());
      if (rows.length === 0) say('no sources registered (INGEST_TOKEN, when set, is the source "default")');
      for (const row of rows) say(`${row.name}\tcreated ${row.createdAt.toISOString()}\t${row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : 'active'}`);
    });

  sources
    .command('revoke <name>')
    .description("revoke a source: its token stops working at once (events it sent stay, attributed to it)")
    .action(async (name: string) => {
      const outcome = await withSources((s) => s.revoke(name));
      if (!outcome.ok) fail(outcome.error, 2);
      say(`source "${name}" revoked at ${outcome.value.revokedAt?.toISOString()}`);
    });

  program
    .command('import-export <file>')
    .description("import a WhatsApp \"Export chat\" .txt file as message and join/leave events for one group (no text is kept; importing twice counts once)")
    .requiredOption('--group <id>', 'the group the export belongs to, e.g. wa:booth-114')
    .option('--url <url>', 'a running GroupPulse server (default http://127.0.0.1:$PORT)')
    .option('--token <token>', 'source token (default INGEST_TOKEN, else DATA_DIR/ingest.token)')
    .option('--time-zone <zone>', 'IANA time zone of the exporting phone (default CHAT_EXPORT_TIME_ZONE)')
    .option('--date-order <order>', 'dmy or mdy, used only when the file does not reveal it')
    .action(async (file: string, options: { group: string; url?: string; token?: string; timeZone?: string; dateOrder?: string }) => {
      const config = readConfig();
      if (!existsSync(file)) fail(`no such file: ${file}`);
      if (/\.zip$/i.test(file)) fail('this is the zipped export: unzip it and pass the .txt file inside');
      const token = options.token ?? defaultToken(config);
      if (!token) fail('no source token: pass --token, or set INGEST_TOKEN');
      const base = options.url ?? `http://127.0.0.1:${config.PORT}`;
      const query = new URLSearchParams({ group: options.group });
      if (options.timeZone) query.set('timeZone', options.timeZone);
      if (options.dateOrder) query.set('dateOrder', options.dateOrder);
      const response = await fetch(`${base}/v1/imports/whatsapp-export?${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain; charset=utf-8' },
        body: readFileSync(file),
      }).catch((error: unknown) => fail(`cannot reach ${base} (${(error as Error).message}): is the server running? pass --url`));
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.status !== 202) fail(`import refused (${response.status}): ${String(body.error ?? 'no reason given')}`, 2);
      say(`${file} → ${options.group}: ${body.format} export, dates ${body.dateOrder}${body.dateOrderAssumed ? ' (assumed: pass --date-order if wrong)' : ''}, time zone ${body.timeZone}`);
      say(`  ${body.messages} messages, ${body.joins} joins, ${body.leaves} leaves found; ${body.accepted} accepted, ${body.rejectedCount} rejected, ${body.skipped} system lines skipped`);
      for (const r of (body.rejected as { line?: number; event?: number; error: string }[] | undefined) ?? []) say(`  ${r.line !== undefined ? `line ${r.line}` : `event ${r.event}`}: ${r.error}`);
    });
}
