/**
 * Sources are the programs allowed to post events, each with its own bearer token.
 * Tokens are kept and compared as SHA-256 digests, so lookups take the same time whatever
 * the token, and no token is ever held in a form that could be logged by accident.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface Source {
  name: string;
}

export interface SourceRegistry {
  /** The source owning this bearer token, or undefined. */
  authenticate(token: string): Promise<Source | undefined>;
}

export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time equality of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digestToken(a), digestToken(b));
}

/** A registry of fixed tokens, e.g. INGEST_TOKEN as the source named `default`. */
export function createStaticSourceRegistry(tokens: { name: string; token: string }[]): SourceRegistry {
  const byDigest = new Map(tokens.map((t) => [digestToken(t.token).toString('hex'), { name: t.name }]));
  return {
    async authenticate(token) {
      return byDigest.get(digestToken(token).toString('hex'));
    },
  };
}
