/**
 * Short-lived sign-in tokens: HS256 JWTs (jose) carrying the username and a random jti (for
 * sign-out). Roles and units are NOT trusted from the token: each request reads the user, so a
 * role change or a disable applies without waiting for tokens to expire.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

const ISSUER = 'grouppulse';
const AUDIENCE = 'grouppulse-users';

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

export interface TokenClaims {
  username: string;
  jti: string;
  issuedAt: Date;
  expiresAt: Date;
}

export type VerifyOutcome = { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

export interface TokenIssuer {
  issue(username: string): Promise<IssuedToken>;
  verify(token: string): Promise<VerifyOutcome>;
}

export function createTokenIssuer(options: { secret: Uint8Array; ttlSeconds: number; now?: () => number }): TokenIssuer {
  if (options.secret.length < 32) throw new Error('the token signing key must be at least 32 bytes');
  const now = options.now ?? Date.now;
  return {
    async issue(username) {
      const jti = randomUUID();
      const issuedAtMs = now();
      const issuedAt = Math.floor(issuedAtMs / 1000);
      const expiresAt = issuedAt + options.ttlSeconds;
      // iat is whole seconds; iat_ms lets "sessions end at a password change" hold within a second.
      const token = await new SignJWT({ iat_ms: issuedAtMs })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(username)
        .setJti(jti)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(options.secret);
      return { token, jti, expiresAt: new Date(expiresAt * 1000) };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, options.secret, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'jti', 'exp', 'iat'],
        });
        return {
          ok: true,
          claims: {
            username: payload.sub!,
            jti: payload.jti!,
            issuedAt: new Date(typeof payload.iat_ms === 'number' ? payload.iat_ms : payload.iat! * 1000),
            expiresAt: new Date(payload.exp! * 1000),
          },
        };
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}

/**
 * The signing key from config (AUTH_JWT_SECRET, hex of ≥ 32 bytes or any string of ≥ 32 bytes), else the
 * one kept in DATA_DIR/auth-jwt.key, else a new random key written there (created: true). Every api
 * instance must share it: set AUTH_JWT_SECRET when running more than one.
 */
export function loadOrCreateJwtSecret(configured: string | undefined, dataDir: string): { secret: Uint8Array; created: boolean; file?: string } {
  if (configured) {
    const secret = /^[0-9a-f]{64,}$/i.test(configured) ? Buffer.from(configured, 'hex') : Buffer.from(configured, 'utf8');
    if (secret.length < 32) throw new Error('AUTH_JWT_SECRET must be at least 32 bytes (e.g. 64 hex digits from `openssl rand -hex 32`)');
    return { secret, created: false };
  }
  const file = path.resolve(dataDir, 'auth-jwt.key');
  if (existsSync(file)) return { secret: Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'), created: false, file };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, created: true, file };
}
