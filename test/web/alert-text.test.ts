import { describe, expect, it } from 'vitest';
import { alertText, type AlertTextFields } from '../../web/src/lib/alert-text.ts';
import { HINDI_NAMES, translate, type Language } from '../../web/src/lib/i18n/messages.ts';

const HOUR = 3_600_000;
const FIRED = Date.parse('2026-11-29T06:00:00Z');

function words(language: Language) {
  return {
    t: (key: Parameters<typeof translate>[1], values?: Record<string, string | number>) => translate(language, key, values),
    label: (id: string) => (language === 'hi' ? (HINDI_NAMES[id] ?? id) : id),
    nameOf: (id: string) => ({ JPR: 'Jaipur' })[id] ?? id,
  };
}

function alert(fields: Partial<AlertTextFields>): AlertTextFields {
  return { rule: 'group-inactive', subjectKind: 'group', subject: 'wa:g3', message: 'server text', details: {}, since: FIRED - 50 * HOUR, firedAt: FIRED, ...fields };
}

describe("an alert's sentence in the viewer's language", () => {
  it('writes each known kind from its fields, in English and in Hindi', () => {
    const silent = alert({ details: { silentHours: 50, thresholdHours: 48 } });
    expect(alertText({ ...silent, details: { silentHours: 30, thresholdHours: 24 } }, words('en'))).toBe('Group wa:g3 silent for 30 h (threshold 24 h)');
    expect(alertText(silent, words('en'))).toBe('Group wa:g3 silent for 2 days (threshold 2 days)');
    expect(alertText(silent, words('hi'))).toBe('समूह wa:g3 2 दिन से मौन (सीमा 2 दिन)');
    // Named by the directory's title when the alert carries one (alerts/name-groups.ts).
    const titled = { ...silent, details: { ...silent.details, title: 'Sanganer yuva' } };
    expect(alertText(titled, words('en'))).toBe('Group Sanganer yuva silent for 2 days (threshold 2 days)');
    expect(alertText(titled, words('hi'))).toBe('समूह Sanganer yuva 2 दिन से मौन (सीमा 2 दिन)');

    const never = alert({ details: { silentHours: 72, thresholdHours: 48, neverSpoke: 1 } });
    expect(alertText(never, words('en'))).toBe('Group wa:g3 has not sent a message since it joined the directory 3 days ago');
    expect(alertText(never, words('hi'))).toMatch(/^समूह wa:g3 ने .*3 दिन.*कोई संदेश नहीं भेजा$/);

    const dark = alert({ rule: 'unit-dark', subjectKind: 'unit', subject: 'B102', details: { groups: 1200, level: 'booth', name: 'Booth 102' } });
    expect(alertText(dark, words('en'))).toBe('Booth 102 (booth) is dark: none of its groups is active (1,200 with data)');
    // "Dark" is "no group active", never "बंद" (closed).
    expect(alertText(dark, words('hi'))).toBe('Booth 102 (बूथ) में कोई भी समूह सक्रिय नहीं (डेटा वाले समूह: 1,200)');

    const reach = alert({ rule: 'reach-missed', subjectKind: 'unit', subject: 'JPR/abcdef0123456789', details: { message: 'abcdef0123456789', name: 'Jaipur', share: 0.4, target: 0.6, withinMinutes: 360 } });
    expect(alertText(reach, words('en'))).toBe('Important message abcdef0123456789 reached 40 % of the booth groups of Jaipur within 6 h (target 60 %)');
    expect(alertText(reach, words('hi'))).toBe('महत्वपूर्ण संदेश abcdef0123456789 6 घं में Jaipur के केवल 40 % बूथ समूहों तक पहुँचा (लक्ष्य 60 %)');
    expect(alertText({ ...reach, details: { ...reach.details, withinMinutes: 90 } }, words('en'))).toContain('within 90 min');

    const drop = alert({ rule: 'sharp-drop', subjectKind: 'unit', subject: 'JPR', details: { recent: 12, baselinePerWindow: 80, windowHours: 24 } });
    expect(alertText(drop, words('en'))).toBe('Jaipur: 12 messages in the last 24 h against a usual 80 (15 %)');
    expect(alertText(drop, words('hi'))).toBe('Jaipur: पिछले 24 घं में 12 संदेश, जबकि आम तौर पर 80 (15 %)');
    expect(alertText({ ...drop, subjectKind: 'group', subject: 'wa:g1' }, words('hi'))).toMatch(/^समूह wa:g1: /);
    expect(alertText({ ...drop, subjectKind: 'group', subject: 'wa:g1', details: { ...drop.details, title: 'Kisan manch' } }, words('en'))).toMatch(/^group Kisan manch: /);

    const down = alert({ rule: 'source-down', subjectKind: 'source', subject: 'wa', since: FIRED - 3 * HOUR - 60_000, details: { groups: 20, lastSeenAt: '' } });
    expect(alertText(down, words('en'))).toBe('Source “wa” has sent nothing for 3 h; the 20 groups it feeds show as dark (no data)');
    expect(alertText(down, words('hi'))).toMatch(/^स्रोत “wa” से पिछले 3 घं में कुछ नहीं आया; .*20 समूह/);

    const stalled = alert({ rule: 'pipeline-stalled', subjectKind: 'pipeline', subject: 'events', details: { waiting: 123456, partitions: '0,1', stalledMinutes: 12 } });
    expect(alertText(stalled, words('en'))).toBe('Accepted events have not reached the store for 12 min: 1,23,456 are waiting. Counts on the board are behind until it moves again.');
    expect(alertText(stalled, words('hi'))).toMatch(/^स्वीकार की गई घटनाएँ 12 मिनट से .*1,23,456 प्रतीक्षा में/);
  });

  it("keeps the server's text for a kind it does not know, and for an alert missing a field its sentence needs", () => {
    expect(alertText(alert({ rule: 'new-rule', message: 'something new' }), words('hi'))).toBe('something new');
    expect(alertText(alert({ details: { silentHours: 50 } }), words('hi'))).toBe('server text');
    expect(alertText(alert({ rule: 'unit-dark', details: { groups: 3, level: 'booth' } }), words('hi'))).toBe('server text');
    expect(alertText(alert({ rule: 'sharp-drop', details: { recent: 1, baselinePerWindow: 0, windowHours: 24 } }), words('en'))).toBe('server text');
  });
});
