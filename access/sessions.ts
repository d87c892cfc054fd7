/**
 * Sessions that outlast one sign-in token (table `sessions`, migration 0023): a user's refresh session
 * and a wall display's token. Either token reads `<id>.<secret>`: the id finds the row, the secret is
 * compared with the SHA-256 digest the row keeps; the secret itself is stored nowhere. Reads are not
 * cached: a session is read once per renewal or display sign-in, not per request.
 */
import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { digestToken, secretsEqual } from '../common/http/credentials.ts';
import { createVersionClock } from '../common/store/row-version.ts';

export type SessionKind = 'refresh' | 'display';

export interface StoredSession {
  id: string;
  kind: SessionKind;
  /** The user a refresh session belongs to; '' for a display. */
  username: string;
  /** A display's name. */
  label: string;
  /** The unit a display shows; '' = the whole board. */
  unit: string;
  /** SHA-256 of the current secret, hex. */
  secretDigest: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revoked: boolean;
}

export interface SessionsRepository {
  get(id: string): Promise<StoredSession | undefined>;
  /** Write the whole session (create, rotate or revoke). */
  save(session: StoredSession): Promise<void>;
  /** Displays not revoked and not expired, newest first. */
  listDisplays(now: Date): Promise<StoredSession[]>;
}

/** A new secret for a session: the token to hand out once, and the digest to keep. */
export function newSecret(id: string): { token: string; secretDigest: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${id}.${secret}`, secretDigest: digestToken(secret).toString('hex') };
}

export function newSessionId(): string {
  return randomBytes(12).toString('base64url');
}

/** The id and secret of a token, or undefined when it is not of this form. */
export function splitSessionToken(token: string): { id: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

/** Whether `secret` is the session's current one (constant time). */
export function secretMatches(session: StoredSession, secret: string): boolean {
  return secretsEqual(digestToken(secret).toString('hex'), session.secretDigest);
}

interface SessionRow {
  id: string;
  kind: SessionKind;
  username: string;
  label: string;
  unit: string;
  secret_digest: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked: boolean | number;
}

const SELECT_SESSIONS = 'SELECT id, kind, username, label, unit, secret_digest, created_by, created_at, expires_at, revoked FROM sessions FINAL';

/** ClickHouse DateTime64 text is UTC without a zone marker. */
function parseUtc(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

function fromRow(row: SessionRow): StoredSession {
  return {
    id: row.id,
    kind: row.kind,
    username: row.username,
    label: row.label,
    unit: row.unit,
    secretDigest: row.secret_digest,
    createdBy: row.created_by,
    createdAt: parseUtc(row.created_at),
    expiresAt: parseUtc(row.expires_at),
    revoked: Boolean(row.revoked),
  };
}

export function createSessionsRepository(client: ClickHouseClient): SessionsRepository {
  const nextVersion = createVersionClock();
  return {
    async get(id) {
      const result = await client.query({ query: `${SELECT_SESSIONS} WHERE id = {id:String}`, query_params: { id }, format: 'JSONEachRow' });
      const [row] = await result.json<SessionRow>();
      return row ? fromRow(row) : undefined;
    },
    async save(session) {
      const version = nextVersion();
      await client.insert({
        table: 'sessions',
        format: 'JSONEachRow',
        values: [
          {
            id: session.id,
            kind: session.kind,
            username: session.username,
            label: session.label,
            unit: session.unit,
            secret_digest: session.secretDigest,
            created_by: session.createdBy,
            created_at: session.createdAt.getTime(),
            expires_at: session.expiresAt.getTime(),
            revoked: session.revoked,
            version,
          },
        ],
      });
    },
    async listDisplays(now) {
      const result = await client.query({
        query: `${SELECT_SESSIONS} WHERE kind = 'display' AND NOT revoked AND expires_at > {now:DateTime64(3, 'UTC')} ORDER BY created_at DESC`,
        query_params: { now: now.getTime() / 1000 },
        format: 'JSONEachRow',
      });
      return (await result.json<SessionRow>()).map(fromRow);
    },
  };
}
