/**
 * `grouppulse users notify <username> [--whatsapp N] [--email E] [--language hi] [--order telegram,email] [--channels all|first]
 * [--time-zone Z] [--quiet 22:00-07:00|off]`: a user's notification settings from the shell, by the same
 * rules as PUT /api/v1/users/{username}/notify (settings.ts); prints them, contacts masked. With the
 * embedded engine the server must be stopped first (one process per data directory).
 */
import type { Command } from 'commander';
import { exitWithError, loadConfigOrExit, say, withStore } from '../../common/cli.ts';
import { createUsersRepository } from '../../access/users-repository.ts';
import { changeSettings, settingsOf } from './settings.ts';
import { channelsOn, contactsCipher } from './setup.ts';
import { createNotifyStore } from './store.ts';

interface NotifyOptions {
  whatsapp?: string;
  email?: string;
  language?: string;
  order?: string;
  channels?: string;
  timeZone?: string;
  quiet?: string;
}

/** The options as a PUT body: "" or "off" clears a contact or the quiet hours. */
export function settingsBody(options: NotifyOptions): Record<string, unknown> {
  const clear = (v: string) => (v === '' || v === 'off' ? null : v);
  const body: Record<string, unknown> = {};
  if (options.whatsapp !== undefined) body.whatsapp = clear(options.whatsapp);
  if (options.email !== undefined) body.email = clear(options.email);
  if (options.language !== undefined) body.language = options.language;
  if (options.timeZone !== undefined) body.timeZone = options.timeZone;
  if (options.order !== undefined) body.order = options.order.split(',').map((c) => c.trim()).filter(Boolean);
  if (options.channels !== undefined) body.useChannels = options.channels;
  if (options.quiet !== undefined) {
    const [from, to] = options.quiet.split('-');
    body.quietHours = clear(options.quiet) === null ? null : { from, to };
  }
  return body;
}

export function registerNotifyCommand(users: Command): void {
  users
    .command('notify <username>')
    .description("show or change a user's alert notifications (contacts are kept encrypted and shown masked)")
    .option('--whatsapp <number>', 'WhatsApp number with its country code ("off" removes it)')
    .option('--email <address>', 'email address ("off" removes it)')
    .option('--language <language>', 'en or hi')
    .option('--order <channels>', 'channels in the order to try them, e.g. telegram,whatsapp,email')
    .option('--channels <all|first>', 'all: every channel set up gets each alert; first: the first in the order, the next only when it fails')
    .option('--time-zone <zone>', 'IANA time zone of the quiet hours and the digest, e.g. Asia/Kolkata')
    .option('--quiet <from-to>', 'quiet hours, e.g. 22:00-07:00 ("off" for none)')
    .action(async (username: string, options: NotifyOptions) => {
      const command = 'grouppulse users notify';
      const config = loadConfigOrExit(command);
      await withStore(command, config, async (store) => {
        if (!(await createUsersRepository(store.client, { cacheMs: 0 }).get(username))) exitWithError(command, `no user "${username}"`);
        const notify = createNotifyStore(store.client, { cipher: contactsCipher(config) });
        const body = settingsBody(options);
        if (Object.keys(body).length > 0) {
          const outcome = await changeSettings(notify, username, body, config.PHONE_DEFAULT_COUNTRY);
          if (!outcome.ok) exitWithError(command, outcome.error);
        }
        say(JSON.stringify(await settingsOf(notify, username, channelsOn(config)), null, 2));
      });
    });
}
