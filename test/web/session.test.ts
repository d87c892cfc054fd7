import { afterEach, describe, expect, it, vi } from 'vitest';
import { translate, type Language } from '../../web/src/lib/i18n/messages.ts';
import { Session } from '../../web/src/lib/state/session.svelte.ts';

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
    vi.stubGlobal('fetch', answer(401, { error: 'wrong username or password' }));
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
    vi.stubGlobal('fetch', answer(401, { error: 'wrong username or password' }));
    await session.signIn('admin', 'nope');
    vi.stubGlobal('fetch', answer(200, { token: 't', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), user: { username: 'admin', roles: ['admin'], units: [] } }));
    expect(await session.signIn('admin', 'right')).toBe(true);
    expect([session.refusedAs, session.notice, session.token]).toEqual(['', '', 't']);
  });
});
