import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTokenIssuer, loadOrCreateJwtSecret } from './tokens.ts';

const SECRET = new Uint8Array(32).fill(7);

describe('sign-in tokens', () => {
  it('verifies its own tokens until they expire', async () => {
    let clock = Date.UTC(2026, 10, 22, 10, 0, 0);
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 60, now: () => clock });
    const issued = await issuer.issue({ username: 'lead-a', sessionId: 's1' });
    expect(issued.expiresAt.getTime()).toBe(clock + 60_000);
    expect(await issuer.verify(issued.token)).toMatchObject({ ok: true, claims: { username: 'lead-a', sessionId: 's1', jti: issued.jti } });
    clock += 61_000;
    expect(await issuer.verify(issued.token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses tokens signed with another key, tampered or of another kind', async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 60 });
    const other = createTokenIssuer({ secret: new Uint8Array(32).fill(8), ttlSeconds: 60 });
    const { token } = await other.issue({ username: 'admin', sessionId: 's1' });
    expect(await issuer.verify(token)).toEqual({ ok: false, reason: 'invalid' });
    const mine = (await issuer.issue({ username: 'lead', sessionId: 's2' })).token;
    const [h, , s] = mine.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
    expect(await issuer.verify(forged)).toEqual({ ok: false, reason: 'invalid' });
    expect(await issuer.verify('test-source-token')).toEqual({ ok: false, reason: 'invalid' });
  });

  it("carries a display's binding, and none for a user", async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 60 });
    const display = await issuer.issue({ username: 'display:Hall', sessionId: 'd1', display: { label: 'Hall', unit: 'jaipur' } });
    expect(await issuer.verify(display.token)).toMatchObject({ ok: true, claims: { sessionId: 'd1', display: { label: 'Hall', unit: 'jaipur' } } });
    const user = await issuer.verify((await issuer.issue({ username: 'lead', sessionId: 's3' })).token);
    expect(user.ok && 'display' in user.claims).toBe(false);
  });

  it('keeps a generated key in DATA_DIR and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-jwt-'));
    const first = loadOrCreateJwtSecret(undefined, dir);
    const again = loadOrCreateJwtSecret(undefined, dir);
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(Buffer.from(again.secret).equals(Buffer.from(first.secret))).toBe(true);
    expect(() => loadOrCreateJwtSecret('too short', dir)).toThrow(/at least 32 bytes/);
  });
});
