/**
 * What the "My alerts" page reads and does through /api/v1/me/notify (an admin's view of someone else's:
 * /api/v1/users/{username}/notify): the language, channels (Telegram linked
 * by a one-time code, a WhatsApp number, an email address — shown masked), their order, quiet hours and
 * per-rule immediate or digest. A link code is kept here only while the page is open.
 */
import type { NotifyAnswer, NotifyChange, TelegramLinkAnswer } from '../../../../common/contracts/notify.ts';
import { apiFetch, noError, type Bearer } from '../api.ts';

export class NotifyView {
  prefs = $state<NotifyAnswer | null>(null);
  /** The Telegram link made last, until it is used or the page closes. */
  link = $state<TelegramLinkAnswer | null>(null);
  /** The last save went through (cleared by the next action). */
  saved = $state(false);
  busy = $state(false);
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);
  #bearer: Bearer;
  /** Whose settings: '' the signed-in user's own, else a user's an admin opened. */
  #user: string;

  constructor(bearer: Bearer, user = '') {
    this.#bearer = bearer;
    this.#user = user;
  }

  get #settings(): string {
    return this.#user ? `/api/v1/users/${encodeURIComponent(this.#user)}/notify` : '/api/v1/me/notify';
  }

  async load(): Promise<void> {
    const outcome = await apiFetch<NotifyAnswer>(this.#bearer, this.#settings);
    if (outcome.ok) this.prefs = outcome.data;
    this.#error = outcome.ok ? noError : outcome.say;
  }

  async save(update: NotifyChange): Promise<boolean> {
    return this.#act(async () => {
      const outcome = await apiFetch<NotifyAnswer>(this.#bearer, this.#settings, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(update) });
      if (!outcome.ok) return outcome.say;
      this.prefs = outcome.data;
      this.saved = true;
      return noError;
    });
  }

  async linkTelegram(): Promise<boolean> {
    return this.#act(async () => {
      const outcome = await apiFetch<TelegramLinkAnswer>(this.#bearer, '/api/v1/me/telegram/link', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(this.#user ? { username: this.#user } : {}) });
      if (!outcome.ok) return outcome.say;
      this.link = outcome.data;
      return noError;
    });
  }

  async unlinkTelegram(): Promise<boolean> {
    return this.#act(async () => {
      const outcome = await apiFetch<unknown>(this.#bearer, this.#user ? `/api/v1/users/${encodeURIComponent(this.#user)}/telegram` : '/api/v1/me/telegram', { method: 'DELETE' });
      // 204 has no body: apiFetch's ok is what counts.
      if (!outcome.ok) return outcome.say;
      this.link = null;
      await this.load();
      return noError;
    });
  }

  async #act(step: () => Promise<() => string>): Promise<boolean> {
    this.busy = true;
    this.saved = false;
    try {
      this.#error = await step();
      return this.#error === noError;
    } finally {
      this.busy = false;
    }
  }
}
