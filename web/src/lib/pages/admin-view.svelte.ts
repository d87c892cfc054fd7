/**
 * What the admin page reads and does: the wall displays (make one, revoke one) and the users (sign one
 * out everywhere), through /api/v1/admin. A new display's address is kept here only until the page closes:
 * the server never shows its token again.
 */
import type { DisplayCreated, DisplayInfo } from '../../../../common/contracts/access.ts';
import type { PublicUser, UsersAnswer } from '../../../../common/contracts/admin.ts';
import { apiFetch, noError, type Bearer } from '../api.ts';

export class AdminView {
  displays = $state<DisplayInfo[]>([]);
  users = $state<PublicUser[]>([]);
  /** The address of the display made last (shown once). */
  createdUrl = $state('');
  /** Who was signed out everywhere last. */
  signedOut = $state('');
  /** Why the last read or action failed ('' when it did not), said in the viewer's language when read. */
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);
  busy = $state(false);

  #bearer: Bearer;

  constructor(bearer: Bearer) {
    this.#bearer = bearer;
  }

  async load(): Promise<void> {
    const [displays, users] = await Promise.all([
      apiFetch<{ displays: DisplayInfo[] }>(this.#bearer, '/api/v1/admin/displays'),
      apiFetch<UsersAnswer>(this.#bearer, '/api/v1/admin/users'),
    ]);
    if (displays.ok) this.displays = displays.data.displays;
    if (users.ok) this.users = users.data.users.filter((user) => !user.disabled);
    this.#error = !displays.ok ? displays.say : !users.ok ? users.say : noError;
  }

  async createDisplay(label: string, unit: string): Promise<void> {
    await this.#act(async () => {
      const outcome = await apiFetch<DisplayCreated>(this.#bearer, '/api/v1/admin/displays', post({ label, unit }));
      if (!outcome.ok) return outcome.say;
      this.createdUrl = outcome.data.url;
      this.displays = [outcome.data.display, ...this.displays];
      return noError;
    });
  }

  async revoke(id: string): Promise<void> {
    await this.#act(async () => {
      const outcome = await apiFetch<unknown>(this.#bearer, `/api/v1/admin/displays/${encodeURIComponent(id)}`, { method: 'DELETE' });
      if (!outcome.ok) return outcome.say;
      this.displays = this.displays.filter((display) => display.id !== id);
      return noError;
    });
  }

  async signOutEverywhere(username: string): Promise<void> {
    await this.#act(async () => {
      const outcome = await apiFetch<unknown>(this.#bearer, `/api/v1/admin/users/${encodeURIComponent(username)}/sign-out-everywhere`, { method: 'POST' });
      if (!outcome.ok) return outcome.say;
      this.signedOut = username;
      return noError;
    });
  }

  /** Runs one action at a time; its answer is the error to show (noError when it went through). */
  async #act(action: () => Promise<() => string>): Promise<void> {
    this.busy = true;
    try {
      this.#error = await action();
    } finally {
      this.busy = false;
    }
  }
}

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
