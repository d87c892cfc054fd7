/**
 * Who is signed in on this board, and keeping them signed in. The token from
 * `POST /api/v1/auth/sign-in` is short-lived; the board trades its refresh token for a new one
 * (`POST /api/v1/auth/renew`) a little before it expires, when the tab shows again and when the
 * computer wakes (the wall clock is checked, not a timer that sleep stops). A refused renewal ends
 * the session with the reason in the viewer's language. The session is kept in sessionStorage: it
 * survives a reload of the tab, not closing it.
 *
 * A wall display opens `/#display=<token>` (docs/access.md): the token is kept in localStorage (so the
 * display signs in again after a reboot), taken out of the address bar, and traded for short-lived
 * read-only tokens (`POST /api/v1/auth/display`) the same way.
 */
import { untrack } from 'svelte';
import type { AuthUser, SessionAnswer, SignInAnswer } from '../../../../common/contracts/access.ts';
import type { Bearer } from '../api.ts';
import { errorText } from '../error-text.ts';
import { translate, type Translate } from '../i18n/messages.ts';

/** The user as the sign-in answer describes them. */
export type SessionUser = AuthUser;

/** What is kept in sessionStorage: the last sign-in or renewal answer as it came, and when (this clock) it came. */
type StoredSession = SessionAnswer & { receivedAt?: number };

const SESSION_KEY = 'grouppulse.session';
const DISPLAY_KEY = 'grouppulse.display';
/** Renew this long before the token expires (or half way through a shorter lifetime). */
const RENEW_AHEAD_MS = 2 * 60_000;
/** How often the wall clock is checked for a renewal that is due (a timer would not count a sleep). */
const CHECK_EVERY_MS = 15_000;

/**
 * When the token of `answer`, received at `receivedAt` by this clock, expires by this clock: its lifetime
 * counts from the answer, so a clock ahead of or behind the server's does not matter (older answers without
 * the lifetime fall back to the server's time).
 */
export function localExpiry(answer: Pick<SignInAnswer, 'expiresAt' | 'expiresInSeconds'>, receivedAt: number): number {
  return typeof answer.expiresInSeconds === 'number' ? receivedAt + answer.expiresInSeconds * 1000 : Date.parse(answer.expiresAt);
}

/** When a token received at `receivedAt` and expiring at `expiresAt` should be renewed. */
export function renewalDueAt(expiresAt: number, receivedAt: number): number {
  return expiresAt - Math.min(RENEW_AHEAD_MS, (expiresAt - receivedAt) / 2);
}

function isSignInAnswer(value: unknown): value is SignInAnswer {
  const v = value as Partial<SignInAnswer> | null;
  return typeof v?.token === 'string' && typeof v.expiresAt === 'string' && typeof v.user?.username === 'string';
}

function isStoredSession(value: unknown): value is StoredSession {
  return isSignInAnswer(value) && typeof (value as Partial<StoredSession>).refreshToken === 'string';
}

/** The server's reason, code and field for refusing, if it gave them. */
async function refusalOf(response: Response): Promise<{ error?: string; code?: unknown; field?: unknown }> {
  try {
    const body = (await response.json()) as { error?: unknown; code?: unknown; field?: unknown };
    return { error: typeof body.error === 'string' && body.error ? body.error : undefined, code: body.code, field: body.field };
  } catch {
    return {}; // not JSON
  }
}

/** The display token of a `#display=<token>` address, taken out of the address bar. */
function takeDisplayTokenFromAddress(win: Window | undefined): string | undefined {
  const match = /^#display=([\w.-]+)$/.exec(win?.location.hash ?? '');
  if (!match) return undefined;
  win!.history.replaceState(null, '', '#/');
  return match[1];
}

export class Session {
  token = $state<string | null>(null);
  user = $state<SessionUser | null>(null);
  expiresAt = $state<Date | null>(null);
  /** Signing in without a form: a display's token or a stored refresh token is being traded. */
  resuming = $state(false);
  busy = $state(false);
  /** The username of the last refused sign-in ('' when the last one went through). */
  refusedAs = $state('');
  /** Why the board is showing the sign-in form (a failed attempt, an ended session), if it says. */
  get notice(): string {
    return this.#notice();
  }

  /**
   * The current token, read at each request: renewals take effect without rebuilding anything. Read
   * untracked: an effect that starts a request must not start again at every renewal.
   */
  readonly bearer: Bearer = () => untrack(() => this.token ?? '');

  #storage: Storage | undefined;
  #displayStorage: Storage | undefined;
  #t: Translate;
  /** The notice, written when read: the board's own notices follow a change of language. */
  #notice = $state<() => string>(() => '');
  #refreshToken: string | null = null;
  #displayToken: string | null = null;
  #renewAt = 0;
  #renewing: Promise<void> | undefined;
  #onRenewed = new Set<(token: string) => void>();

  /** `t` writes the board's notices in the viewer's language. */
  constructor(
    t: Translate = (key, values) => translate('en', key, values),
    storage: Storage | undefined = globalThis.sessionStorage,
    displayStorage: Storage | undefined = globalThis.localStorage,
    win: Window | undefined = globalThis.window,
  ) {
    this.#t = t;
    this.#storage = storage;
    this.#displayStorage = displayStorage;
    const fromAddress = takeDisplayTokenFromAddress(win);
    if (fromAddress) displayStorage?.setItem(DISPLAY_KEY, fromAddress);
    this.#displayToken = fromAddress ?? displayStorage?.getItem(DISPLAY_KEY) ?? null;
    if (this.#displayToken) {
      this.resuming = true;
      return;
    }
    const stored = this.#read();
    if (!stored) return;
    this.#refreshToken = stored.refreshToken;
    if (localExpiry(stored, stored.receivedAt ?? Date.now()) > Date.now()) this.#accept(stored, stored.receivedAt);
    else this.resuming = true;
  }

  get isDisplay(): boolean {
    return this.user?.roles.includes('display') ?? false;
  }

  /** Exchange a username and password for a session; on failure `notice` says why. */
  async signIn(username: string, password: string): Promise<boolean> {
    this.busy = true;
    this.#notice = () => '';
    try {
      const response = await fetch('/api/v1/auth/sign-in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (!response.ok) {
        this.#notice = await this.#refusal(response);
        this.refusedAs = username;
        return false;
      }
      const body: unknown = await response.json();
      if (!isStoredSession(body)) {
        this.#notice = () => this.#t('auth.unexpected');
        return false;
      }
      this.refusedAs = '';
      this.#refreshToken = body.refreshToken;
      this.#accept(body);
      return true;
    } catch {
      this.#notice = () => this.#t('error.unreachable');
      return false;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Trade the refresh token (a display: its display token) for a new token, once at a time. A refusal ends
   * the session with its reason; an unreachable server leaves it as it is, to be tried again.
   */
  renew(): Promise<void> {
    this.#renewing ??= this.#renewOnce().finally(() => (this.#renewing = undefined));
    return this.#renewing;
  }

  /**
   * The server refused the token (the socket's handshake, a request). While there is something to renew
   * with, the renewal decides: a new token, or the end with the renewal's own reason (one reason, however
   * many requests were refused at once). `token` is the one refused: a refusal of a token the board no longer
   * holds (renewed since, or the session ended while the request was out) changes nothing, so a late answer
   * cannot replace the reason the session ended with.
   */
  refused(reason: string, code: unknown, token?: string): void {
    if (token !== undefined && token !== this.token) return;
    if (this.#refreshToken || this.#displayToken) {
      // Due now: should this renewal fail for a while (server busy, offline), the next check tries again.
      this.#renewAt = 0;
      void this.renew();
    } else {
      this.end(errorText(this.#t, { code }, reason));
    }
  }

  /** Renew whenever it is due, until the returned function is called. */
  keepAlive(win: Window = window): () => void {
    const check = () => {
      if ((this.token || this.resuming) && Date.now() >= this.#renewAt) void this.renew();
    };
    const onVisible = () => win.document.visibilityState === 'visible' && check();
    const timer = win.setInterval(check, CHECK_EVERY_MS);
    win.document.addEventListener('visibilitychange', onVisible);
    win.addEventListener('online', check);
    // Untracked: the effect that keeps the session alive must not start again at every renewal.
    untrack(check);
    return () => {
      win.clearInterval(timer);
      win.document.removeEventListener('visibilitychange', onVisible);
      win.removeEventListener('online', check);
    };
  }

  /** `listener` gets every renewed token (the live socket takes it over). */
  onRenewed(listener: (token: string) => void): () => void {
    this.#onRenewed.add(listener);
    return () => this.#onRenewed.delete(listener);
  }

  /** Sign out here and end the session on the server (best effort: it expires anyway). */
  async signOut(): Promise<void> {
    const token = this.token;
    this.end('');
    if (!token) return;
    try {
      await fetch('/api/v1/auth/sign-out', { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    } catch {
      // offline: the token still expires on its own
    }
  }

  /** Forget the session (a display: its token too), showing `reason` on the sign-in form. */
  end(reason: string): void {
    this.token = null;
    this.user = null;
    this.expiresAt = null;
    this.resuming = false;
    this.#refreshToken = null;
    this.#displayToken = null;
    this.#notice = () => reason;
    this.#storage?.removeItem(SESSION_KEY);
    this.#displayStorage?.removeItem(DISPLAY_KEY);
  }

  async #renewOnce(): Promise<void> {
    const display = this.#displayToken;
    const refresh = this.#refreshToken;
    if (!display && !refresh) return;
    let response: Response;
    try {
      response = display
        ? await fetch('/api/v1/auth/display', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: display }) })
        : await fetch('/api/v1/auth/renew', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: refresh }) });
    } catch {
      return; // unreachable: the next check tries again
    }
    if (response.status === 401) {
      const refusal = await refusalOf(response);
      this.end(errorText(this.#t, refusal, refusal.error ?? this.#t('auth.failed', { status: response.status })));
      return;
    }
    if (!response.ok) return; // busy or failing now: the next check tries again
    const body: unknown = await response.json();
    if (isStoredSession(body)) this.#refreshToken = body.refreshToken;
    if (!isSignInAnswer(body)) return;
    this.#accept(body);
    for (const listener of this.#onRenewed) listener(body.token);
  }

  #accept(answer: SignInAnswer, receivedAt = Date.now()): void {
    this.token = answer.token;
    this.user = answer.user;
    this.expiresAt = new Date(localExpiry(answer, receivedAt));
    this.resuming = false;
    this.#renewAt = renewalDueAt(this.expiresAt.getTime(), receivedAt);
    if (isStoredSession(answer)) this.#storage?.setItem(SESSION_KEY, JSON.stringify({ ...answer, receivedAt }));
  }

  /** Why a sign-in was refused, in the viewer's language where the board knows the reason (the server's words otherwise). */
  async #refusal(response: Response): Promise<() => string> {
    const retryAfter = Number(response.headers.get('Retry-After'));
    if (response.status === 429 && retryAfter > 0) return () => this.#t('auth.tooMany', { minutes: Math.ceil(retryAfter / 60) });
    const refusal = await refusalOf(response);
    return () => errorText(this.#t, refusal, refusal.error ?? this.#t('auth.failed', { status: response.status }));
  }

  #read(): StoredSession | null {
    try {
      const parsed: unknown = JSON.parse(this.#storage?.getItem(SESSION_KEY) ?? 'null');
      return isStoredSession(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
}
