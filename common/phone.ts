/**
 * Member and sender ids that are phone numbers are brought to one form (E.164) before they are
 * pseudonymised, so `+91 98123 45678`, `919812345678` and `09812345678` are one person. Numbers
 * without a country code are read as numbers of the configured default country first (the WhatsApp
 * adapter adds the plus to the international digits WhatsApp sends). Any other id (a Telegram
 * `tg:…`, a business-scoped user id, a name) is returned as it is.
 */
import { parsePhoneNumberFromString, isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { LRUCache } from 'lru-cache';

/** Digits with the separators people write between them: spaces, dots, dashes, parentheses. */
const LOOKS_LIKE_A_NUMBER = /^[+(\d][\d\s().+-]*\d$/;

export type NormalisePerson = (id: string) => string;

/**
 * Numbers normalised lately, kept: parsing one costs ~35 µs of CPU, more than the rest of the door per
 * event, and the same people write again and again. 200,000 numbers hold ~20 MB.
 */
const REMEMBERED_NUMBERS = 200_000;

export function createPersonNormaliser(defaultCountry: string): NormalisePerson {
  if (!isSupportedCountry(defaultCountry)) throw new Error(`unknown country "${defaultCountry}" for phone numbers: give an ISO 3166 code such as IN`);
  const country = defaultCountry as CountryCode;
  const remembered = new LRUCache<string, string>({ max: REMEMBERED_NUMBERS });
  return function normalisePerson(id: string): string {
    if (!LOOKS_LIKE_A_NUMBER.test(id)) return id;
    let normalised = remembered.get(id);
    if (normalised === undefined) {
      normalised = normaliseNumber(id, country);
      remembered.set(id, normalised);
    }
    return normalised;
  };
}

/** One id that looks like a number → E.164 when it is a valid number, else its digits (with the plus it had). */
function normaliseNumber(id: string, country: CountryCode): string {
  const valid = validNumber(id, country);
  if (valid !== undefined) return valid;
  const digits = id.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 15) return id;
  // Not a valid number anywhere: at least the ways of writing it are one.
  return /^\(?\+/.test(id) ? `+${digits}` : digits;
}

/** E.164 of a valid number written any usual way (the default country first when it has no plus); else undefined. */
function validNumber(text: string, country: CountryCode): string | undefined {
  const digits = text.replace(/\D/g, '');
  if (!LOOKS_LIKE_A_NUMBER.test(text) || digits.length < 6 || digits.length > 15) return undefined;
  const asWritten = parsePhoneNumberFromString(text, country);
  if (asWritten?.isValid()) return asWritten.number;
  if (/^\(?\+/.test(text)) return undefined;
  const withPlus = parsePhoneNumberFromString(`+${digits}`);
  return withPlus?.isValid() ? withPlus.number : undefined;
}

/**
 * A phone number people will call (a directory contact): E.164, the same form ingest gives member ids, or
 * undefined when it is not a valid number. `defaultCountry` as for createPersonNormaliser.
 */
export function phoneNumberOf(text: string, defaultCountry: string): string | undefined {
  if (!isSupportedCountry(defaultCountry)) throw new Error(`unknown country "${defaultCountry}" for phone numbers: give an ISO 3166 code such as IN`);
  return validNumber(text.trim(), defaultCountry as CountryCode);
}
