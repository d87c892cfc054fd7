/**
 * What the admin page reads and does: the wall displays (make one, revoke one), the users (create one,
 * disable or enable one, change their roles and units, sign one out everywhere), the alert rules (read, save,
 * go back to the file) and the personal notifications that failed, through /api/v1/admin and /api/v1/notify. A new display's address is kept here only until the page closes:
 * the server never shows its token again.
 */
import type { DisplayCreated, DisplayInfo } from '../../../../common/contracts/access.ts';
import type { AlertRulesAnswer, PublicUser, UsersAnswer } from '../../../../common/contracts/admin.ts';
import type { FailedDelivery, FailuresAnswer } from '../../../../common/contracts/notify.ts';
import { apiFetch, noError, type Bearer } from '../api.ts';

export class AdminView {
  displays = $state<DisplayInfo[]>([]);
  users = $state<PublicUser[]>([]);
  /** The address of the display made last (shown once). */
  createdUrl = $state('');
  /** Who was signed out everywhere last. */
  signedOut = $state('');
  /** The user made last, and the password made for them (shown once). */
  createdUser = $state<{ username: string; generatedPassword?: string } | null>(null);
  /** Personal notifications that failed lately (any channel), newest first. */
  failures = $state<FailedDelivery[]>([]);
  /** The alert rules in effect, where they come from, and the defaults. */
  rules = $state<AlertRulesAnswer | null>(null);
  /** The rules' last save went through (cleared by the next action). */
  rulesSaved = $state(false);
  /** Why the rules were refused, as the server said it ('' when they were not). */
  get rulesError(): string {
    return this.#rulesError();
  }
  #rulesError = $state<() => string>(noError);
  /** Why the last read or action failed ('' when it did not), said in the viewer's language when read. */
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);
  busy = $state(false);

  #bearer: Bearer;
  /** Actions done so far: a read that began before the latest one is read again. */
  #changes = 0;

  constructor(bearer: Bearer) {
    this.#bearer = bearer;
  }

  async load(): Promise<void> {
    const changesBefore = this.#changes;
    const [displays, users, rules, failures] = await Promise.all([
      apiFetch<{ displays: DisplayInfo[] }>(this.#bearer, '/api/v1/admin/displays'),
      apiFetch<UsersAnswer>(this.#bearer, '/api/v1/admin/users'),
      apiFetch<AlertRulesAnswer>(this.#bearer, '/api/v1/admin/alert-rules'),
      apiFetch<FailuresAnswer>(this.#bearer, '/api/v1/notify/failures?limit=50'),
    ]);
    // An action finished while this read ran (a display made, a user disabled): its answer is older than the page.
    if (changesBefore !== this.#changes) return this.load();
    if (failures.ok) this.failures = failures.data.failures;
    if (displays.ok) this.displays = displays.data.displays;
    // Enabled first, then by name: a disabled user stays listed (and can be enabled again).
    if (users.ok) this.users = users.data.users.sort((a, b) => Number(a.disabled) - Number(b.disabled) || a.username.localeCompare(b.username));
    if (rules.ok) this.rules = rules.data;
    this.#error = !displays.ok ? displays.say : !users.ok ? users.say : !rules.ok ? rules.say : noError;
  }

  async createUser(username: string, password: string, roles: string[], units: string[]): Promise<boolean> {
    let made = false;
    await this.#act(async () => {
      const outcome = await apiFetch<{ user: PublicUser; generatedPassword?: string }>(
        this.#bearer,
        '/api/v1/admin/users',
        post({ username, roles, units, ...(password ? { password } : {}) }),
      );
      if (!outcome.ok) return withWords(outcome);
      this.createdUser = { username: outcome.data.user.username, generatedPassword: outcome.data.generatedPassword };
      this.users = [...this.users.filter((u) => u.username !== username), outcome.data.user];
      made = true;
      return noError;
    });
    return made;
  }

  async setDisabled(username: string, disabled: boolean): Promise<void> {
    await this.updateUser(username, { disabled });
  }

  /** Change a user's roles, units or whether they are disabled; false when refused (error says why). */
  async updateUser(username: string, change: { disabled?: boolean; roles?: string[]; units?: string[] }): Promise<boolean> {
    let done = false;
    await this.#act(async () => {
      const outcome = await apiFetch<{ user: PublicUser }>(this.#bearer, `/api/v1/admin/users/${encodeURIComponent(username)}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(change),
      });
      if (!outcome.ok) return withWords(outcome);
      this.users = this.users.map((u) => (u.username === username ? outcome.data.user : u));
      done = true;
      return noError;
    });
    return done;
  }

  /** Save `text` (the rules as JSON) as the rules in effect; false when refused (rulesError says why). */
  async saveRules(text: string, notJson: (error: string) => string): Promise<boolean> {
    this.rulesSaved = false;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      this.#rulesError = () => notJson(message);
      return false;
    }
    return this.#rulesCall({ method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** Withdraw the screen's edit: the rules file (or the defaults) is in effect again. */
  revertRules(): Promise<boolean> {
    this.rulesSaved = false;
    return this.#rulesCall({ method: 'DELETE' });
  }

  async #rulesCall(init: RequestInit): Promise<boolean> {
    this.busy = true;
    try {
      const outcome = await apiFetch<AlertRulesAnswer>(this.#bearer, '/api/v1/admin/alert-rules', init);
      if (!outcome.ok) {
        this.#rulesError = withWords(outcome);
        return false;
      }
      this.#rulesError = noError;
      this.rules = outcome.data;
      this.rulesSaved = init.method === 'PUT';
      return true;
    } finally {
      this.#changes++;
      this.busy = false;
    }
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
      this.#changes++;
      this.busy = false;
    }
  }
}

/** The board's sentence and the server's words after it: an admin needs to know which key or unit is at fault. */
function withWords(outcome: { say: () => string; words: string }): () => string {
  return () => {
    const said = outcome.say();
    return said === outcome.words ? said : `${said} ${outcome.words}`;
  };
}

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
