import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../common/contracts/errors.ts';
import { codeKey } from '../../web/src/lib/error-text.ts';
import { CATALOGUE, type MessageKey } from '../../web/src/lib/i18n/messages.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const keys = Object.keys(CATALOGUE.en) as MessageKey[];

describe("the board's catalogues", () => {
  it('say every string in Hindi too, with the same values filled in', () => {
    for (const key of keys) {
      expect(CATALOGUE.hi[key], key).toBeTruthy();
      expect(CATALOGUE.hi[key], key).not.toBe(CATALOGUE.en[key]);
      expect(placeholders(CATALOGUE.hi[key]), key).toEqual(placeholders(CATALOGUE.en[key]));
    }
    expect(Object.keys(CATALOGUE.hi).sort()).toEqual([...keys].sort());
  });

  it('write Hindi in Devanagari: no English words left in it beyond names (SQL, CSV, IST, HTTP, admin, WhatsApp, Telegram\'s Start)', () => {
    // Start and /start are what Telegram's button and command say, whatever the language.
    const NAMES = /\b(SQL|CSV|IST|HTTP|SELECT|Ctrl\+Enter|ms|admin|ADMIN_PASSWORD|v1|events|WhatsApp|Start|start)\b/g;
    for (const key of keys) {
      const rest = CATALOGUE.hi[key].replace(/\{\w+\}/g, '').replace(NAMES, '').replace(/\/v1\/events/g, '');
      expect(rest, key).not.toMatch(/[A-Za-z]{2,}/);
    }
  });

  it("say every error code of the api in the board's words", () => {
    for (const code of ERROR_CODES) expect(CATALOGUE.en[codeKey(code)], code).toBeTruthy();
  });

  it('call a unit with no active group by what it is, never "closed" (बंद)', () => {
    expect(CATALOGUE.hi['rule.unit-dark']).not.toMatch(/बंद/);
    expect(CATALOGUE.hi['alertText.unitDark']).not.toMatch(/बंद/);
    expect(CATALOGUE.hi['rule.unit-dark']).toMatch(/सक्रिय नहीं/);
  });

  it('name the two time-zone choices apart', () => {
    for (const language of ['en', 'hi'] as const) {
      const ist = CATALOGUE[language]['prefs.zoneIst'];
      const own = CATALOGUE[language]['prefs.zoneLocal'].replace('{zone}', 'London (GMT+1)');
      expect(own).not.toBe(ist);
      expect(own).not.toMatch(/IST/);
    }
  });
});
