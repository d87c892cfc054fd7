/**
 * Who is signed in on this board. The live socket (and the read API) take a user token from
 * `POST /api/v1/auth/sign-in`; it is short-lived, so an expired or revoked token sends the board
 * back to the sign-in form with the server's reason. Kept in sessionStorage: it survives a reload
 * of the tab, not closing it.
 */

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

async function errorOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string' && body.error) return body.error;
  } catch {
    // not JSON: fall through
  }
  return `sign-in failed (HTTP ${response.status})`;
}

export class Session {
  token = $state<string | null>(null);
  user = $state<SessionUser | null>(null);
  expiresAt = $state<Date | null>(null);
  /** Why the board is showing the sign-in form (a failed attempt, an expired token), if it says. */
  notice = $state('');
  busy = $state(false);

  #storage: Storage | undefined;

  constructor(storage: Storage | undefined = globalThis.sessionStorage) {
    this.#storage = storage;
    const stored = this.#read();
    if (stored && new Date(stored.expiresAt).getTime() > Date.now()) this.#set(stored);
    else this.#storage?.removeItem(STORAGE_KEY);
  }

  /** Exchange a username and password for a token; on failure `notice` says why. */
  async signIn(username: string, password: string): Promise<boolean> {
    this.busy = true;
    this.notice = '';
    try {
      const response = await fetch('/api/v1/auth/sign-in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (!response.ok) {
        this.notice = await errorOf(response);
        return false;
      }
      const body: unknown = await response.json();
      if (!isStoredSession(body)) {
        this.notice = 'the server answered the sign-in in an unexpected shape';
        return false;
      }
      this.#set(body);
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(body));
      return true;
    } catch {
      this.notice = 'could not reach the server; check the connection and try again';
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
    this.notice = reason;
    this.#storage?.removeItem(STORAGE_KEY);
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
