/**
 * Who is signed in on this board. The live socket (and the read API) take a user token from
 * `POST /api/v1/auth/sign-in`; it is short-lived, so an expired or revoked token sends the board
 * back to the sign-in form with the server's reason. Kept in sessionStorage: it survives a reload
 * of the tab, not closing it.
 */
import { translate, type Translate } from '../i18n/messages.ts';

import type { AuthUser, SignInAnswer } from '../../../../common/contracts/access.ts';

/** The user as the sign-in answer describes them. */
export type SessionUser = AuthUser;

/** What is kept in sessionStorage: the sign-in answer as it came. */
type StoredSession = SignInAnswer;

const STORAGE_KEY = 'grouppulse.session';

function isStoredSession(value: unknown): value is StoredSession {
  const v = value as Partial<StoredSession> | null;
  return typeof v?.token === 'string' && typeof v.expiresAt === 'string' && typeof v.user?.username === 'string';
}

/** The server's reason for refusing a sign-in, if it gave one. */
async function reasonOf(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string' && body.error) return body.error;
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

export class Session {
  token = $state<string | null>(null);
  user = $state<SessionUser | null>(null);
  expiresAt = $state<Date | null>(null);
  /** Why the board is showing the sign-in form (a failed attempt, an expired token), if it says. */
  get notice(): string {
    return this.#notice();
  }
  busy = $state(false);
  /** The username of the last refused sign-in ('' when the last one went through). */
  refusedAs = $state('');

  #storage: Storage | undefined;
  #t: Translate;
  /** The notice, written when read: the board's own notices follow a change of language. */
  #notice = $state<() => string>(() => '');

  /** `t` writes the board's own notices in the viewer's language. */
  constructor(t: Translate = (key, values) => translate('en', key, values), storage: Storage | undefined = globalThis.sessionStorage) {
    this.#t = t;
    this.#storage = storage;
    const stored = this.#read();
    if (stored && new Date(stored.expiresAt).getTime() > Date.now()) this.#set(stored);
    else this.#storage?.removeItem(STORAGE_KEY);
  }

  /** Exchange a username and password for a token; on failure `notice` says why. */
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
      this.#set(body);
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(body));
      return true;
    } catch {
      this.#notice = () => this.#t('error.unreachable');
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Sign out here and revoke the token on the server (best effort: it expires soon anyway). */
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

  /** Forget the token locally, showing `reason` on the sign-in form (e.g. the server said it expired). */
  end(reason: string): void {
    this.token = null;
    this.user = null;
    this.expiresAt = null;
    this.#notice = () => reason;
    this.#storage?.removeItem(STORAGE_KEY);
  }

  /** Why a sign-in was refused, in the viewer's language where the board knows the reason (the server's words otherwise). */
  async #refusal(response: Response): Promise<() => string> {
    // Every 401 of the sign-in is a wrong username or password (api/auth/auth-service.ts).
    if (response.status === 401) return () => this.#t('auth.wrong');
    const retryAfter = Number(response.headers.get('Retry-After'));
    if (response.status === 429 && retryAfter > 0) return () => this.#t('auth.tooMany', { minutes: Math.ceil(retryAfter / 60) });
    const reason = await reasonOf(response);
    return () => reason ?? this.#t('auth.failed', { status: response.status });
  }

  #set(session: StoredSession): void {
    this.token = session.token;
    this.user = session.user;
    this.expiresAt = new Date(session.expiresAt);
  }

  #read(): StoredSession | null {
    try {
      const parsed: unknown = JSON.parse(this.#storage?.getItem(STORAGE_KEY) ?? 'null');
      return isStoredSession(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
}
