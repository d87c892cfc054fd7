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
    const issued = await issuer.issue('lead-a');
    expect(issued.expiresAt.getTime()).toBe(clock + 60_000);
    expect(await issuer.verify(issued.token)).toMatchObject({ ok: true, claims: { username: 'lead-a', jti: issued.jti } });
    clock += 61_000;
    expect(await issuer.verify(issued.token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses tokens signed with another key, tampered or of another kind', async () => {
    const issuer = createTokenIssuer({ secret: SECRET, ttlSeconds: 60 });
    const other = createTokenIssuer({ secret: new Uint8Array(32).fill(8), ttlSeconds: 60 });
    const { token } = await other.issue('admin');
    expect(await issuer.verify(token)).toEqual({ ok: false, reason: 'invalid' });
    const mine = (await issuer.issue('lead')).token;
    const [h, , s] = mine.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
    expect(await issuer.verify(forged)).toEqual({ ok: false, reason: 'invalid' });
    expect(await issuer.verify('test-source-token')).toEqual({ ok: false, reason: 'invalid' });
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
