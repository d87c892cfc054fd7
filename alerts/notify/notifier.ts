/**
 * Personal notifications of alerts on every channel (channels.ts). For each alert change on the alerts
 * topic that concerns people (fired: the leads of its units; escalated: alert.escalatedTo) and each such
 * user (and for a unit's daily compliance digest, each of its leads, sent at once under the digest's id): in their quiet hours the message is held until they end, a rule they take as a digest goes to
 * their daily digest (both kept in notify_pending, so they survive a restart, and released by `tick`),
 * else it is sent now.
 *
 * Sending goes to every channel the user set up, or (useChannels 'first') tries them in their order, the
 * next only when one gives up (after the policy's attempts). No duplicates: before sending on a channel, the
 * (alert, user, channel) delivery is claimed in ClickHouse (store.ts#claim: the first insert of the key
 * wins; another process, this one after a restart, a redelivered bus record are refused). Only the
 * claim's owner sends. A refused claim on a channel the ledger shows as given up moves on to the next
 * channel (the fall-back of a process that died after giving up). The window that remains: a process
 * that dies after its claim and before the provider's answer leaves that delivery claimed and not
 * retried (at most once: the alert is still on the board and in the webhooks).
 *
 * Every attempt goes to the ledger (notify_deliveries): sent, failed (retried with doubling backoff, or
 * after the provider's retry-after), gave_up, held, digest.
 */
import { randomUUID } from 'node:crypto';
import type { Alert, AlertMessage } from '../../common/contracts/alerts.ts';
import type { Logger } from '../../common/logger.ts';
import type { Channel, Notice } from './channels.ts';
import { inQuietHours, nextDigest, quietHoursEnd, type NotifyChannel, type NotifyPrefs } from './prefs.ts';
import type { DeliveryStatus, LedgerEntry, NotifyStore, Pending } from './store.ts';
import { unitsNamed, type AlertChange, type UnitNames } from './texts.ts';

export interface NotifyPolicy {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export interface NotifyCounter {
  inc(labels: { channel: string; outcome: string }): void;
}

export interface NotifierOptions {
  store: NotifyStore;
  /** The channels this deployment has set up (rate-limited already: channels.ts#rateLimited). */
  channels: Channel[];
  /** Reads an alert again when its held message or digest is due. */
  alerts: { get(id: string): Promise<Alert | undefined> };
  policy: NotifyPolicy;
  /** Local hour of the daily digest (NOTIFY_DIGEST_HOUR) and its longest list (NOTIFY_DIGEST_CAP). */
  digestHour: number;
  digestCap: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  counter: NotifyCounter;
  logger: Logger;
  /** This process's name in claims (default: a random id per notifier), for whoever reads notify_claims. */
  owner?: string;
  /** A unit's name in the directory (undefined when it has none): messages name units by it. */
  unitName?: (unit: string) => string | undefined;
}

export interface Notifier {
  notify(message: AlertMessage): Promise<void>;
  /** Sends what is due: held messages whose quiet hours ended, digests whose hour came. */
  tick(): Promise<void>;
}

export function recipientsOf(message: AlertMessage): string[] {
  if (message.kind !== 'alert') return [];
  if (message.change === 'fired') return [...new Set(message.alert.recipients)];
  if (message.change === 'escalated') return [...new Set(message.alert.escalatedTo)];
  return [];
}

export function claimKey(alertId: string, username: string, channel: string): string {
  return `delivery\u0000${alertId}\u0000${username}\u0000${channel}`;
}

const isOpen = (alert: Alert) => alert.state === 'firing';

export function createNotifier(options: NotifierOptions): Notifier {
  const log = options.logger.child({ component: 'alerts-notify' });
  const owner = options.owner ?? randomUUID();
  const { store, counter } = options;
  const channelByName = new Map(options.channels.map((c) => [c.name, c]));

  /** The names of the units these alerts name, read from the directory when the notice is made. */
  function namesOf(alerts: readonly Alert[]): UnitNames {
    const names: Record<string, string> = {};
    for (const unit of unitsNamed(alerts)) {
      const name = options.unitName?.(unit);
      if (name) names[unit] = name;
    }
    return names;
  }

  // A fresh owner per claim: the same process seeing the same record again (the bus redelivers) is refused too.
  const claim = (key: string) => store.claim(key, `${owner}/${randomUUID()}`, options.now());
  const record = (entries: LedgerEntry[]) => store.record(entries).catch((error: unknown) => log.warn({ err: error }, 'could not record a notification'));

  /** The user's set-up channels, in their order, with their addresses. */
  async function routes(username: string, prefs: NotifyPrefs): Promise<{ channel: Channel; address: string }[]> {
    const [chat, contacts] = await Promise.all([store.telegramChat(username), store.contacts(username)]);
    const address: Record<NotifyChannel, string | undefined> = { telegram: chat === undefined ? undefined : String(chat), whatsapp: contacts.whatsapp, email: contacts.email };
    return prefs.order.flatMap((name) => {
      const channel = channelByName.get(name);
      const to = address[name];
      return channel && to ? [{ channel, address: to }] : [];
    });
  }

  /** Attempts on one channel: 'sent' or 'gave_up'. Ledger rows for every alert the notice carries. */
  async function attempt(channel: Channel, username: string, address: string, prefs: NotifyPrefs, notice: Notice, alertIds: string[]): Promise<'sent' | 'gave_up'> {
    for (let n = 1; n <= options.policy.maxAttempts; n++) {
      const answer = await channel.send({ username, address, language: prefs.language, timeZone: prefs.timeZone }, notice);
      const last = n === options.policy.maxAttempts || (!answer.ok && answer.final === true);
      const status: DeliveryStatus = answer.ok ? 'sent' : last ? 'gave_up' : 'failed';
      const at = options.now();
      await record(alertIds.map((alertId) => ({ alertId, username, channel: channel.name, providerMessageId: answer.ok ? answer.providerMessageId : '', status, error: answer.ok ? '' : answer.error, attempt: n, at })));
      counter.inc({ channel: channel.name, outcome: status });
      if (answer.ok) return 'sent';
      if (last) {
        log.warn({ alerts: alertIds.length, user: username, channel: channel.name, attempts: n, error: answer.error }, 'notification gave up on a channel');
        return 'gave_up';
      }
      await options.sleep(answer.retryAfterSeconds !== undefined ? answer.retryAfterSeconds * 1000 : Math.min(options.policy.maxBackoffMs, options.policy.backoffMs * 2 ** (n - 1)));
    }
    return 'gave_up';
  }

  /**
   * One notice to one user: on every channel they set up (useChannels 'all'), or their channels in order,
   * the next only when one gives up ('first').
   */
  async function deliver(username: string, prefs: NotifyPrefs, notice: Notice, key: (channel: NotifyChannel) => string, alertIds: string[]): Promise<void> {
    const every = prefs.useChannels === 'all';
    for (const { channel, address } of await routes(username, prefs)) {
      if (!(await claim(key(channel.name)))) {
        counter.inc({ channel: channel.name, outcome: 'duplicate' });
        if (every) continue;
        const gaveUp = (await store.ledger(alertIds[0]!)).some((e) => e.username === username && e.channel === channel.name && e.status === 'gave_up');
        if (gaveUp) continue;
        return;
      }
      if ((await attempt(channel, username, address, prefs, notice, alertIds)) === 'sent' && !every) return;
    }
  }

  /** Keep for later (quiet hours, digest): once per alert and user, even when the bus redelivers. */
  async function keep(kind: Pending['kind'], username: string, alert: Alert, change: AlertChange, dueAt: number, prefs: NotifyPrefs): Promise<void> {
    const first = (await routes(username, prefs))[0];
    if (!first) return;
    if (!(await claim(`${kind}\u0000${alert.id}\u0000${username}\u0000${change}`))) return;
    await store.addPending([{ kind, username, alertId: alert.id, change, dueAt }]);
    const status: DeliveryStatus = kind === 'held' ? 'held' : 'digest';
    await record([{ alertId: alert.id, username, channel: first.channel.name, providerMessageId: '', status, error: '', attempt: 0, at: options.now() }]);
    counter.inc({ channel: first.channel.name, outcome: status });
  }

  async function notifyUser(alert: Alert, change: AlertChange, username: string): Promise<void> {
    const prefs = await store.prefs(username);
    const now = options.now();
    // An escalation means nobody acted in time: it never waits for a digest.
    if (change === 'fired' && prefs.ruleModes[alert.rule] === 'digest') {
      return keep('digest', username, alert, change, nextDigest(now, prefs.timeZone, options.digestHour).dueAt, prefs);
    }
    if (prefs.quietHours && inQuietHours(now, prefs.timeZone, prefs.quietHours)) {
      return keep('held', username, alert, change, quietHoursEnd(now, prefs.timeZone, prefs.quietHours), prefs);
    }
    await deliver(username, prefs, { kind: 'alert', alert, change, units: namesOf([alert]) }, (channel) => claimKey(alert.id, username, channel), [alert.id]);
  }

  async function releaseHeld(): Promise<void> {
    const due = await store.duePending('held', options.now());
    for (const item of due) {
      const alert = await options.alerts.get(item.alertId);
      if (alert && isOpen(alert)) {
        const prefs = await store.prefs(item.username);
        await deliver(item.username, prefs, { kind: 'alert', alert, change: item.change, units: namesOf([alert]) }, (channel) => claimKey(alert.id, item.username, channel), [alert.id]);
      }
      await store.donePending([item]);
    }
  }

  async function sendDigests(): Promise<void> {
    const due = await store.duePending('digest', options.now());
    const byUser = new Map<string, Pending[]>();
    for (const item of due) byUser.set(item.username, [...(byUser.get(item.username) ?? []), item]);
    for (const [username, items] of byUser) {
      const prefs = await store.prefs(username);
      const alerts = (await Promise.all(items.map((i) => options.alerts.get(i.alertId)))).filter((a): a is Alert => a !== undefined && isOpen(a));
      if (alerts.length > 0) {
        const day = nextDigest(items[0]!.dueAt - 1, prefs.timeZone, options.digestHour).day;
        const notice: Notice = { kind: 'digest', alerts, day, cap: options.digestCap, units: namesOf(alerts) };
        await deliver(username, prefs, notice, (channel) => `digest\u0000${username}\u0000${day}\u0000${channel}`, alerts.map((a) => a.id));
      }
      await store.donePending(items);
    }
  }

  return {
    async notify(message) {
      if (message.kind === 'digest') {
        // A unit's daily compliance goes to its leads' channels (the hourly quiet digest stays on the board and webhooks).
        const { id, compliance, recipients } = message.digest;
        if (!compliance) return;
        for (const username of new Set(recipients)) {
          await deliver(username, await store.prefs(username), { kind: 'compliance', id, compliance }, (channel) => `compliance\u0000${id}\u0000${username}\u0000${channel}`, [id]);
        }
        return;
      }
      const change: AlertChange = message.change === 'escalated' ? 'escalated' : 'fired';
      for (const username of recipientsOf(message)) await notifyUser(message.alert, change, username);
    },
    async tick() {
      await releaseHeld();
      await sendDigests();
    },
  };
}
