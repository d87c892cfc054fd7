/**
 * Sources are the programs allowed to post events, each with its own bearer token.
 * Tokens are kept and compared as SHA-256 digests, so lookups take the same time whatever
 * the token, and no token is ever held in a form that could be logged by accident.
 */
import { digestToken } from '../common/http/credentials.ts';

export interface Source {
  name: string;
}

export interface SourceRegistry {
  /** The source owning this bearer token, or undefined. */
  authenticate(token: string): Promise<Source | undefined>;
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
