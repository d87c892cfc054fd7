import { describe, expect, it } from 'vitest';
import type { Alert, AlertMessage } from '../../common/contracts/alerts.ts';
import { createLogger } from '../../common/logger.ts';
import { createNotifier, recipientsOf } from './notifier.ts';
import type { LedgerEntry, NotifyStore } from './store.ts';
import { createRateLimit, type BotAnswer, type BotApi } from './telegram.ts';
import { BOT_TEXTS } from './texts.ts';
import { telegramChannel } from './channels.ts';
import { DEFAULT_PREFS } from './prefs.ts';

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let t = 1_000_000;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (slept.push(ms), (t += ms)), slept };
}

describe('the per-bot rate limit', () => {
  it('lets 30 sends through in a second, then waits for the second to pass', async () => {
    const time = fakeTime();
    const wait = createRateLimit(30, time.now, time.sleep);
    for (let i = 0; i < 30; i++) await wait();
    expect(time.slept).toEqual([]);
    await wait();
    expect(time.slept).toEqual([1000]);
  });
});

describe('the notifier', () => {
  const alert = { id: 'x'.repeat(32), message: 'quiet', unit: 'div-n', division: 'div-n', since: 0, recipients: ['lead'], escalatedTo: [] } as unknown as Alert;
  function store(claimed: boolean): NotifyStore & { entries: LedgerEntry[] } {
    const entries: LedgerEntry[] = [];
    return {
      entries,
      prefs: async () => ({ ...DEFAULT_PREFS }),
      contacts: async () => ({}),
      ledger: async () => entries,
      telegramChat: async () => 42,
      claim: async () => claimed,
      record: async (e: LedgerEntry[]) => void entries.push(...e),
    } as unknown as NotifyStore & { entries: LedgerEntry[] };
  }
  function bot(answers: BotAnswer<{ message_id: number }>[]): BotApi & { sent: number } {
    const api = { sent: 0, sendMessage: async () => (api.sent++, answers.shift()!), answerCallbackQuery: async () => ({ ok: true as const, result: true }) };
    return api;
  }
  const message: AlertMessage = { kind: 'alert', change: 'fired', alert };
  const rest = { alerts: { get: async () => undefined }, digestHour: 8, digestCap: 20 };

  it('retries with doubling backoff, honours retry_after on 429 and gives up after the policy\'s attempts', async () => {
    const time = fakeTime();
    const s = store(true);
    const b = bot([
      { ok: false, status: 500, description: 'sendMessage: HTTP 500' },
      { ok: false, status: 429, description: 'sendMessage: HTTP 429', retryAfterSeconds: 7 },
      { ok: false, status: 500, description: 'sendMessage: HTTP 500' },
    ]);
    const outcomes: string[] = [];
    const notifier = createNotifier({ store: s, channels: [telegramChannel(b)], ...rest, policy: { maxAttempts: 3, backoffMs: 100, maxBackoffMs: 1000 }, now: time.now, sleep: time.sleep, counter: { inc: (l) => outcomes.push(l.outcome) }, logger: createLogger('silent') });
    await notifier.notify(message);
    expect(time.slept).toEqual([100, 7000]);
    expect(s.entries.map((e) => [e.status, e.attempt])).toEqual([['failed', 1], ['failed', 2], ['gave_up', 3]]);
    expect(outcomes).toEqual(['failed', 'failed', 'gave_up']);
  });

  it('addresses a fired alert to its recipients and an escalation to the leads above only', () => {
    const a = { ...alert, recipients: ['lead', 'lead'], escalatedTo: ['state-lead'] } as Alert;
    expect(recipientsOf({ kind: 'alert', change: 'fired', alert: a })).toEqual(['lead']);
    expect(recipientsOf({ kind: 'alert', change: 'escalated', alert: a })).toEqual(['state-lead']);
    expect(recipientsOf({ kind: 'alert', change: 'acknowledged', alert: a })).toEqual([]);
  });

  it('sends nothing when another process holds the claim', async () => {
    const time = fakeTime();
    const b = bot([]);
    const outcomes: string[] = [];
    const notifier = createNotifier({ store: store(false), channels: [telegramChannel(b)], ...rest, policy: { maxAttempts: 3, backoffMs: 100, maxBackoffMs: 1000 }, now: time.now, sleep: time.sleep, counter: { inc: (l) => outcomes.push(l.outcome) }, logger: createLogger('silent') });
    await notifier.notify(message);
    expect(b.sent).toBe(0);
    expect(outcomes).toEqual(['duplicate']);
  });
});

describe('the fall-back', () => {
  const alert = { id: 'y'.repeat(32), rule: 'group-inactive', message: 'quiet', details: {}, unit: 'div-n', division: 'div-n', since: 0, recipients: ['lead'], escalatedTo: [] } as unknown as Alert;
  const channel = (name: 'telegram' | 'whatsapp', sent: string[]) => ({ name, send: async () => (sent.push(name), { ok: true as const, providerMessageId: `${name}-1` }) });

  it('after a restart, moves past a channel the ledger shows given up instead of stopping at its claim', async () => {
    const sent: string[] = [];
    const entries: LedgerEntry[] = [{ alertId: alert.id, username: 'lead', channel: 'telegram', providerMessageId: '', status: 'gave_up', error: 'chat not found', attempt: 2, at: 1 }];
    const store = {
      prefs: async () => ({ ...DEFAULT_PREFS }),
      contacts: async () => ({ whatsapp: '+919876543210' }),
      telegramChat: async () => 42,
      claim: async (key: string) => !key.endsWith('telegram'),
      ledger: async () => entries,
      record: async (e: LedgerEntry[]) => void entries.push(...e),
    } as unknown as NotifyStore;
    const time = fakeTime();
    const notifier = createNotifier({
      store, channels: [channel('telegram', sent), channel('whatsapp', sent)], alerts: { get: async () => undefined }, digestHour: 8, digestCap: 20,
      policy: { maxAttempts: 2, backoffMs: 1, maxBackoffMs: 1 }, now: time.now, sleep: time.sleep, counter: { inc: () => undefined }, logger: createLogger('silent'),
    });
    await notifier.notify({ kind: 'alert', change: 'escalated', alert: { ...alert, escalatedTo: ['lead'] } });
    expect(sent).toEqual(['whatsapp']);
    expect(entries.at(-1)).toMatchObject({ channel: 'whatsapp', status: 'sent', providerMessageId: 'whatsapp-1' });
  });
});

describe("the bot's words", () => {
  it('are said in English and Hindi, with the same placeholders', () => {
    for (const key of Object.keys(BOT_TEXTS.en) as (keyof typeof BOT_TEXTS.en)[]) {
      expect(BOT_TEXTS.hi[key], key).toBeTruthy();
      expect(BOT_TEXTS.hi[key], key).not.toBe(BOT_TEXTS.en[key]);
      // Hindi puts them in its own word order.
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(BOT_TEXTS.hi[key]), key).toEqual(names(BOT_TEXTS.en[key]));
    }
  });
});
