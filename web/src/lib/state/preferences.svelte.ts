/**
 * The viewer's language and time zone, remembered in localStorage (they outlive a sign-in):
 * English or Hindi; IST unless the viewer picks their own zone. `t()` looks words up in the
 * catalogue of the current language (English when a key is missing there).
 */
import { labelOf } from '../format.ts';
import { HINDI_NAMES, LANGUAGES, translate, type Language, type Translate } from '../i18n/messages.ts';

const STORAGE_KEY = 'grouppulse.preferences';
export const IST = 'Asia/Kolkata';

export type ZoneChoice = 'ist' | 'local';

interface Stored {
  language: Language;
  zone: ZoneChoice;
  sunlight: boolean;
}

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || IST;
  } catch {
    return IST;
  }
}

export class Preferences {
  language = $state<Language>('en');
  zone = $state<ZoneChoice>('ist');
  /** A high-contrast light theme for reading outdoors. */
  sunlight = $state(false);
  /** The browser's own zone, offered beside IST. */
  readonly localZone = browserZone();
  /** The zone every time on the board is written in. */
  timeZone = $derived(this.zone === 'local' ? this.localZone : IST);
  /** BCP 47 tag for Intl: numbers keep Latin digits with Indian grouping in both languages. */
  locale = $derived(this.language === 'hi' ? 'hi-IN-u-nu-latn' : 'en-IN');

  #storage: Storage | undefined;

  constructor(storage: Storage | undefined = globalThis.localStorage) {
    this.#storage = storage;
    try {
      const stored = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null') as Partial<Stored> | null;
      if (stored?.language && LANGUAGES.includes(stored.language)) this.language = stored.language;
      if (stored?.zone === 'local' || stored?.zone === 'ist') this.zone = stored.zone;
      if (stored?.sunlight === true) this.sunlight = true;
    } catch {
      // unreadable: keep the defaults
    }
    this.#applyToDocument();
  }

  setLanguage(language: Language): void {
    this.language = language;
    this.#save();
    this.#applyToDocument();
  }

  setZone(zone: ZoneChoice): void {
    this.zone = zone;
    this.#save();
  }

  setSunlight(on: boolean): void {
    this.sunlight = on;
    this.#save();
    this.#applyToDocument();
  }

  /** The current language's text for `key`, with `{name}` filled from `values`. */
  t: Translate = (key, values = {}) => translate(this.language, key, values);

  /** A category or level id as the viewer reads it: its Hindi name in Hindi when it has one, else the id as words. */
  label = (id: string): string => (this.language === 'hi' ? HINDI_NAMES[id] : undefined) ?? labelOf(id);

  #save(): void {
    try {
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify({ language: this.language, zone: this.zone, sunlight: this.sunlight } satisfies Stored));
    } catch {
      // storage full or blocked: the choice lasts this page only
    }
  }

  #applyToDocument(): void {
    if (typeof document === 'undefined') return;
    document.documentElement.lang = this.language === 'hi' ? 'hi-IN' : 'en-IN';
    if (this.sunlight) document.documentElement.dataset.theme = 'sunlight';
    else delete document.documentElement.dataset.theme;
  }
}
