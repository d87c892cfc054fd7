/**
 * Quiet hours, the daily digest and a restart in the middle of them, on the real ClickHouse engine and a
 * local WhatsApp Cloud API stand-in (test/support/notify-servers.ts), with an injected clock: nothing
 * here waits on the wall clock. An alert in the lead's quiet hours is held (ledger `held`) and sent when
 * they end — not before, not twice after a restart; one acknowledged in the night is not sent at all.
 * Digest-mode alerts become one capped message at the digest hour, once.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertMessage, Digest } from '../../common/contracts/alerts.ts';
import { createLogger } from '../../common/logger.ts';
import { migrate } from '../../common/store/migrate.ts';
import type { Store } from '../../common/store/store.ts';
import { startFakeWhatsApp, type FakeWhatsApp } from '../../test/support/notify-servers.ts';
import { openTestStore } from '../../test/support/store.ts';
import { createAlertRepository } from '../repository.ts';
import { createContactsCipher } from './contacts-crypto.ts';
import { createNotifier, type Notifier } from './notifier.ts';
import { createNotifyStore, type NotifyStore } from './store.ts';
import { whatsAppChannel } from './whatsapp.ts';

const WA = { version: 'v21.0', phoneNumberId: '106540352242922', accessToken: 'EAAG-test-access-token-for-grouppulse' };
const at = (local: string) => Date.parse(`${local}+05:30`);

function alertFor(id: string, rule: Alert['rule'] = 'group-inactive'): Alert {
  const fired = at('2026-12-07T10:00:00');
  return {
    id, rule, subjectKind: 'group', subject: `wa:g-${id.slice(-2)}`, division: 'div-east', divisions: [], unit: 'div-east', unitPath: ['div-east'], category: '', state: 'firing',
    message: 'silent', details: { thresholdHours: 48, silentHours: 72, silentMinutes: 4320 }, since: fired - 3 * 86_400_000, firedAt: fired,
    acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, escalatedAt: null, escalatedUnit: '', recipients: ['lead-east'], escalatedTo: [], version: fired * 1000,
  };
}

describe('quiet hours and digests', () => {
  let store: Store;
  let client: ClickHouseClient;
  let whatsapp: FakeWhatsApp;
  let notify: NotifyStore;
  let clock = at('2026-12-07T23:00:00');
  const notifier = (owner: string): Notifier =>
    createNotifier({
      store: notify,
      channels: [whatsAppChannel({ base: whatsapp.base, ...WA, templateName: 'grouppulse_alert', templateLanguages: { en: 'en', hi: 'hi' } })],
      alerts: createAlertRepository(client),
      policy: { maxAttempts: 2, backoffMs: 10, maxBackoffMs: 100 },
      digestHour: 8,
      digestCap: 3,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
      counter: { inc: () => undefined },
      logger: createLogger('silent'),
      owner,
    });
  const fired = (alert: Alert): AlertMessage => ({ kind: 'alert', change: 'fired', alert });
  const sendsOf = (payload: string) => whatsapp.calls.filter((c) => c.payload === payload && c.answered === 'ok');

  beforeAll(async () => {
    store = await openTestStore('grouppulse-notify-schedule-');
    client = store.client;
    await migrate(client);
    whatsapp = await startFakeWhatsApp(WA);
    notify = createNotifyStore(client, { cipher: createContactsCipher('notify-contacts-key-for-tests') });
    await notify.setContacts('lead-east', { whatsapp: '+919876500001' });
    await notify.setPrefs('lead-east', { language: 'en', timeZone: 'Asia/Kolkata', quietHours: { from: '22:00', to: '07:00' }, ruleModes: { 'sharp-drop': 'digest' }, order: ['whatsapp', 'telegram', 'email'], useChannels: 'first' });
  });

  afterAll(async () => {
    await whatsapp?.close();
    await store?.close();
  });

  it('holds an alert in quiet hours and sends it when they end, once, even after a restart', async () => {
    const held = alertFor('h'.repeat(30) + '01');
    const acked = alertFor('h'.repeat(30) + '02');
    await createAlertRepository(client).write([held, acked]);
    const first = notifier('process-1');
    clock = at('2026-12-07T23:00:00');
    await first.notify(fired(held));
    await first.notify(fired(held)); // the bus redelivers
    await first.notify(fired(acked));
    expect(whatsapp.calls).toHaveLength(0);
    expect((await notify.ledger(held.id)).map((e) => [e.channel, e.status])).toEqual([['whatsapp', 'held']]);

    // Acknowledged on the board in the night: nothing to send in the morning.
    await createAlertRepository(client).acknowledge(acked.id, 'lead-east', at('2026-12-08T01:00:00'), 'board');
    clock = at('2026-12-08T06:59:00');
    await first.tick();
    expect(whatsapp.calls).toHaveLength(0);

    clock = at('2026-12-08T07:00:00');
    await first.tick();
    expect(sendsOf(`ack:${held.id}`)).toHaveLength(1);
    expect(sendsOf(`ack:${acked.id}`)).toHaveLength(0);
    expect((await notify.ledger(held.id)).map((e) => e.status)).toEqual(['held', 'sent']);

    // A process that died after sending and before marking the held item done: the item is due again,
    // a new process takes it up, and the claim keeps it from sending twice.
    await notify.addPending([{ kind: 'held', username: 'lead-east', alertId: held.id, change: 'fired', dueAt: at('2026-12-08T07:00:00') }]);
    clock = at('2026-12-08T07:01:00');
    await notifier('process-2').tick();
    await notifier('process-2').tick();
    expect(sendsOf(`ack:${held.id}`)).toHaveLength(1);
    expect(await notify.duePending('held', clock)).toEqual([]);
  });

  it('gathers digest-mode alerts into one message at the digest hour, capped', async () => {
    const drops = Array.from({ length: 5 }, (_, i) => ({ ...alertFor(`d${'0'.repeat(29)}${i + 1}0`, 'sharp-drop'), details: { recent: 5, baselinePerWindow: 50, windowHours: 6 } }));
    await createAlertRepository(client).write(drops);
    const n = notifier('process-1');
    clock = at('2026-12-08T10:00:00');
    for (const alert of drops) await n.notify(fired(alert));
    expect(whatsapp.calls.filter((c) => c.payload.startsWith('digest:'))).toHaveLength(0);
    expect((await notify.ledger(drops[0]!.id)).map((e) => e.status)).toEqual(['digest']);

    clock = at('2026-12-09T07:59:00');
    await n.tick();
    expect(whatsapp.calls.filter((c) => c.payload.startsWith('digest:'))).toHaveLength(0);
    clock = at('2026-12-09T08:00:00');
    await n.tick();
    await notifier('process-2').tick();
    const digests = whatsapp.calls.filter((c) => c.payload === 'digest:2026-12-09');
    expect(digests).toHaveLength(1);
    const [heading, lines] = digests[0]!.template.components[0]!.parameters.map((p) => p.text!);
    expect(heading).toBe('GroupPulse daily digest: 5 alerts');
    expect(lines!.match(/• /g)).toHaveLength(3);
    expect(lines).toMatch(/and 2 more$/);
    for (const alert of drops) expect((await notify.ledger(alert.id)).map((e) => e.status)).toEqual(['digest', 'sent']);
    expect(whatsapp.problems).toEqual([]);
  });

  it("sends a unit's daily compliance to its leads' channels, in their language, once", async () => {
    await notify.setPrefs('lead-east', { ...(await notify.prefs('lead-east')), language: 'hi' });
    const total = { id: 'mandal-7', name: 'Mandal 7', booths: 12, missingGroups: 2, noPramukh: 1, pramukhAbsent: 1, ruledGroups: 8, adminMissing: 3 };
    const digest: Digest = {
      id: 'compliance-' + 'c'.repeat(32), division: 'div-east', recipients: ['lead-east'], sentAt: clock, silentDays: 0, lines: [], newlyQuiet: [],
      compliance: {
        unit: 'mandal-7', unitName: 'Mandal 7', total, boothsTotal: 4, more: 2, groupsShort: 3,
        booths: [
          { id: 'b1', name: 'Booth 1', missing: ['booth-voters'], pramukh: 'none', pramukhName: '' },
          { id: 'b2', name: 'Booth 2', missing: [], pramukh: 'absent', pramukhName: 'Sunita Devi' },
        ],
      },
    };
    const n = notifier('process-1');
    await n.notify({ kind: 'digest', digest });
    await notifier('process-2').notify({ kind: 'digest', digest }); // the bus redelivers, elsewhere
    const sent = whatsapp.calls.filter((c) => c.payload === `digest:${digest.id}`);
    expect(sent).toHaveLength(1);
    const [heading, lines] = sent[0]!.template.components[0]!.parameters.map((p) => p.text!);
    expect(heading).toBe('GroupPulse अनुपालन, Mandal 7: 12 में से 4 बूथ पीछे हैं');
    expect(lines).toBe('2 में ज़रूरी समूह नहीं · 1 में प्रमुख नहीं · 1 का प्रमुख किसी समूह में नहीं · 8 श्रेणी समूहों में से 3 में ज़रूरी एडमिन नहीं • Booth 1: booth-voters समूह नहीं; प्रमुख नहीं • Booth 2: प्रमुख Sunita Devi किसी समूह में नहीं और 2 अन्य');
    expect((await notify.ledger(digest.id)).map((e) => [e.channel, e.status])).toEqual([['whatsapp', 'sent']]);
  });
});
