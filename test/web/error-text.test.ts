import { describe, expect, it } from 'vitest';
import { errorText } from '../../web/src/lib/error-text.ts';
import { translate, type Language } from '../../web/src/lib/i18n/messages.ts';

const t = (language: Language) => (key: Parameters<typeof translate>[1], values?: Record<string, string | number>) => translate(language, key, values);

describe("the board's words for an api error", () => {
  it("say a known code in the viewer's language, whatever the server's English", () => {
    expect(errorText(t('hi'), { code: 'forbidden' }, 'you may not read unit "AJM"')).toBe('यह आपके देखने या करने के दायरे से बाहर है।');
    expect(errorText(t('en'), { code: 'too-many-requests' }, 'too many queries at once')).toBe('Too many requests at once: wait a moment and try again.');
  });

  it("name the field of a form in the viewer's language, and fall back to the code's words for a field it does not know", () => {
    expect(errorText(t('hi'), { code: 'invalid-request', field: 'from' }, 'from must be between 2000-01-01 and 2099-12-31')).toBe('“से” जाँचें: सर्वर इसे स्वीकार नहीं कर सका।');
    expect(errorText(t('en'), { code: 'invalid-request', field: 'unit' }, 'no unit "X"')).toBe('Check “Unit”: the server could not accept it.');
    expect(errorText(t('en'), { code: 'invalid-request', field: 'constructor' }, 'odd')).toBe('The server could not accept this request.');
  });

  it("frame the SQL engine's words (they quote the query) in the viewer's language", () => {
    expect(errorText(t('hi'), { code: 'sql-refused' }, 'refused: users is not an analytics table')).toBe('यह क्वेरी यहाँ अनुमत नहीं है: refused: users is not an analytics table');
    expect(errorText(t('en'), { code: 'sql-mistake' }, 'syntax error at character 8')).toBe('The query has a mistake: syntax error at character 8');
  });

  it("keep the server's words for a code the board does not know, or none", () => {
    expect(errorText(t('hi'), { code: 'from-a-newer-server' }, 'something new')).toBe('something new');
    expect(errorText(t('hi'), null, 'The server answered HTTP 502.')).toBe('The server answered HTTP 502.');
  });
});
