import { afterEach, describe, expect, it, vi } from 'vitest';
import { translate, type Language } from '../../web/src/lib/i18n/messages.ts';
import { localExpiry, renewalDueAt, Session } from '../../web/src/lib/state/session.svelte.ts';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } }));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the board's sign-in notices", () => {
  it("say a refused sign-in in the viewer's language, and follow a change of it", async () => {
    let language: Language = 'en';
    const session = new Session((key, values) => translate(language, key, values), memoryStorage());
    vi.stubGlobal('fetch', answer(401, { error: 'wrong username or password', code: 'wrong-credentials' }));
    expect(await session.signIn('admin', 'nope')).toBe(false);
    expect(session.notice).toBe('Wrong username or password.');
    expect(session.refusedAs).toBe('admin');
    language = 'hi';
    expect(session.notice).toBe('उपयोगकर्ता नाम या पासवर्ड ग़लत है।');
  });

  it('say how long to wait after too many attempts, and keep a reason the board does not know', async () => {
    const session = new Session(undefined, memoryStorage());
    vi.stubGlobal('fetch', answer(429, { error: 'too many failed sign-ins' }, { 'Retry-After': '600' }));
    await session.signIn('lead', 'nope');
    expect(session.notice).toBe('Too many failed sign-ins: try again in 10 min.');
    vi.stubGlobal('fetch', answer(400, { error: 'username is required' }));
    await session.signIn('', 'x');
    expect(session.notice).toBe('username is required');
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));
    await session.signIn('lead', 'x');
    expect(session.notice).toBe('Could not reach the server; check the connection and try again.');
  });

  it('forget who was refused once a sign-in goes through', async () => {
    const session = new Session(undefined, memoryStorage());
    vi.stubGlobal('fetch', answer(401, { error: 'wrong username or password', code: 'wrong-credentials' }));
    await session.signIn('admin', 'nope');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    vi.stubGlobal('fetch', answer(200, { token: 't', expiresAt: later, refreshToken: 'r', refreshExpiresAt: later, user: { username: 'admin', roles: ['admin'], units: [] } }));
    expect(await session.signIn('admin', 'right')).toBe(true);
    expect([session.refusedAs, session.notice, session.token]).toEqual(['', '', 't']);
  });
});

describe("the board's renewals", () => {
  it('fall two minutes before the token expires, or half way through a shorter lifetime', () => {
    const at = Date.UTC(2026, 11, 7, 9, 0);
    expect(renewalDueAt(at + 60 * 60_000, at)).toBe(at + 58 * 60_000);
    expect(renewalDueAt(at + 60_000, at)).toBe(at + 30_000);
  });

  it("count the token's lifetime on the board's own clock, whatever the server's clock says", async () => {
    // The viewer's clock is 3 h ahead of the server's: the server's expiresAt is in the board's past.
    const serverNow = Date.now() - 3 * 3_600_000;
    const body = { token: 't', expiresAt: new Date(serverNow + 15 * 60_000).toISOString(), expiresInSeconds: 900, refreshToken: 'r', refreshExpiresAt: new Date(serverNow + 3_600_000).toISOString(), user: { username: 'lead', roles: ['lead'], units: ['d1'] } };
    expect(localExpiry(body, 1_000)).toBe(901_000);
    expect(localExpiry({ expiresAt: body.expiresAt } as typeof body, 1_000)).toBe(Date.parse(body.expiresAt));
    const storage = memoryStorage();
    const session = new Session(undefined, storage);
    vi.stubGlobal('fetch', answer(200, body));
    const before = Date.now();
    expect(await session.signIn('lead', 'right')).toBe(true);
    expect(session.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 900_000);
    // A reload within the lifetime resumes the same token instead of taking it for expired.
    const reloaded = new Session(undefined, storage);
    expect([reloaded.token, reloaded.resuming]).toEqual(['t', false]);
  });

  it("keep the reason a display's session ended with when a request sent before then is refused after", async () => {
    const displays = memoryStorage();
    displays.setItem('grouppulse.display', 'd1');
    const session = new Session(undefined, memoryStorage(), displays);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    vi.stubGlobal('fetch', answer(200, { token: 't1', expiresAt: later, user: { username: 'wall', roles: ['display'], units: [] } }));
    await session.renew();
    expect(session.token).toBe('t1');
    // Revoked: the renewal a refused request asks for ends the session with the display's own reason.
    vi.stubGlobal('fetch', answer(401, { error: 'this display token no longer works', code: 'display-token-invalid' }));
    session.refused('signed out', 'signed-out', 't1');
    await session.renew();
    expect(session.notice).toBe('This display’s address no longer works. Ask an admin for a new one.');
    // A read still out with the old token comes back refused: the notice stays.
    session.refused('signed out', 'signed-out', 't1');
    session.refused('signed out', 'signed-out', '');
    expect(session.notice).toBe('This display’s address no longer works. Ask an admin for a new one.');
  });

  it('try a renewal a refusal asked for again at the next check when the server could not answer it', async () => {
    const session = new Session(undefined, memoryStorage(), memoryStorage());
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const signedIn = (token: string) => answer(200, { token, expiresAt: later, refreshToken: `r-${token}`, refreshExpiresAt: later, user: { username: 'lead', roles: ['lead'], units: ['JPR'] } });
    vi.stubGlobal('fetch', signedIn('t1'));
    expect(await session.signIn('lead', 'right')).toBe(true);
    // The socket is refused (the token was revoked and renewed elsewhere, say); the renewal meets a busy server.
    vi.stubGlobal('fetch', answer(503, { error: 'busy' }));
    session.refused('token expired', 'token-expired', 't1');
    await session.renew();
    expect(session.token).toBe('t1');
    // The wall-clock check (every 15 s) renews now, not when the token would be due in an hour.
    let check: (() => void) | undefined;
    const events = { addEventListener: () => undefined, removeEventListener: () => undefined };
    const win = { ...events, document: { ...events, visibilityState: 'visible' }, setInterval: (fn: () => void) => ((check = fn), 1), clearInterval: () => undefined } as unknown as Window;
    const renewal = signedIn('t2');
    vi.stubGlobal('fetch', renewal);
    const stop = session.keepAlive(win);
    check!();
    expect(renewal).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(session.token).toBe('t2'));
    stop();
  });

  it("say an ended session in the viewer's language, and an unknown code in the server's words", () => {
    let language: Language = 'hi';
    const session = new Session((key, values) => translate(language, key, values), memoryStorage(), memoryStorage());
    session.refused('session ended: sign in again', 'session-ended');
    expect(session.notice).toMatch(/^आपका सत्र समाप्त हो गया/);
    language = 'en';
    session.refused('the server says something new', 'a-code-from-the-future');
    expect(session.notice).toBe('the server says something new');
  });
});
