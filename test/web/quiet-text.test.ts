import { describe, expect, it } from 'vitest';
import { alertText } from '../../web/src/lib/alert-text.ts';
import { translate, type Language } from '../../web/src/lib/i18n/messages.ts';
import { elapsedText, quietMeaning, quietRange, thresholdText } from '../../web/src/lib/quiet-text.ts';

const t = (language: Language) => (key: Parameters<typeof translate>[1], values?: Record<string, string | number>) => translate(language, key, values);

describe('quiet in words', () => {
  it('says sub-hour thresholds and silences in minutes, never "0 h"', () => {
    expect(thresholdText(0.25, t('en'))).toBe('15 min');
    expect(thresholdText(0.25, t('hi'))).toBe('15 मिनट');
    expect(elapsedText(20 / 60, t('en'))).toBe('20 min');
    expect(thresholdText(0.001, t('en'))).toBe('4 s');
    expect(thresholdText(6, t('en'))).toBe('6 h');
    expect(thresholdText(1.5, t('en'))).toBe('1.5 h');
    expect(thresholdText(72, t('en'))).toBe('3 days');
    expect(elapsedText(50, t('en'))).toBe('2 days');
  });

  it('names what quiet means wherever a group is called quiet', () => {
    expect(quietMeaning(6, t('en'))).toBe('quiet: no message in 6 h');
    expect(quietMeaning(6, t('hi'))).toBe('शांत: 6 घं से कोई संदेश नहीं');
    expect(quietRange({ defaultHours: 48, byCategory: { 'office-bearers': 24 }, byLevel: {} }, t('en'))).toBe('quiet: no message in 24 h – 2 days');
    expect(quietRange({ defaultHours: 0.25, byCategory: {}, byLevel: {} }, t('en'))).toBe('quiet: no message in 15 min');
  });

  it('writes a 15-minute group-inactive alert in minutes in both languages', () => {
    const alert = { rule: 'group-inactive', subjectKind: 'group', subject: 'g1', message: 'x', since: 0, firedAt: 0, details: { thresholdHours: 0.25, silentHours: 0, silentMinutes: 20 } };
    const en = alertText(alert, { t: t('en'), label: (id) => id, nameOf: (id) => id });
    expect(en).toContain('20 min');
    expect(en).toContain('15 min');
    expect(en).not.toContain('0 h');
    expect(alertText(alert, { t: t('hi'), label: (id) => id, nameOf: (id) => id })).toContain('15 मिनट');
  });
});
