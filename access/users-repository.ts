/**
 * Users in ClickHouse (table `users`, migration 0020): one row per change, the newest version wins.
 * Reads go through a short cache so authenticating a request does not cost a query each time;
 * writes from this process clear it at once, writes from another api instance show within `cacheMs`.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Role } from './roles.ts';
import { createVersionClock } from '../common/store/row-version.ts';

export interface StoredUser {
  username: string;
  passwordHash: string;
  roles: Role[];
  units: string[];
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Tokens issued before this instant are refused (set on password change and disable). */
  sessionsValidAfter: Date;
}

export interface UsersRepository {
  get(username: string): Promise<StoredUser | undefined>;
  list(): Promise<StoredUser[]>;
  /** Write the whole user (create or replace). */
  save(user: StoredUser): Promise<void>;
  count(): Promise<number>;
}

interface UserRow {
  username: string;
  password_hash: string;
  roles: string[];
  units: string[];
  disabled: boolean | number;
  created_at: string;
  updated_at: string;
  sessions_valid_after: string;
}

const SELECT_USERS = `SELECT username, password_hash, roles, units, disabled, created_at, updated_at, sessions_valid_after
                      FROM users FINAL`;

/** ClickHouse DateTime64 text is UTC without a zone marker. */
function parseUtc(text: string): Date {
  return new Date(text.includes('T') ? text : `${text.replace(' ', 'T')}Z`);
}

function fromRow(row: UserRow): StoredUser {
  return {
    username: row.username,
    passwordHash: row.password_hash,
    roles: row.roles as Role[],
    units: row.units,
    disabled: Boolean(row.disabled),
    createdAt: parseUtc(row.created_at),
    updatedAt: parseUtc(row.updated_at),
    sessionsValidAfter: parseUtc(row.sessions_valid_after),
  };
}

export function createUsersRepository(client: ClickHouseClient, options: { cacheMs?: number; now?: () => number } = {}): UsersRepository {
  const cacheMs = options.cacheMs ?? 5_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { user: StoredUser | undefined; at: number }>();
  const nextVersion = createVersionClock();

  return {
    async get(username) {
      const cached = cache.get(username);
      if (cached && now() - cached.at < cacheMs) return cached.user;
      const result = await client.query({ query: `${SELECT_USERS} WHERE username = {username:String}`, query_params: { username }, format: 'JSONEachRow' });
      const [row] = await result.json<UserRow>();
      const user = row ? fromRow(row) : undefined;
      cache.set(username, { user, at: now() });
      return user;
    },
    async list() {
      const result = await client.query({ query: `${SELECT_USERS} ORDER BY username`, format: 'JSONEachRow' });
      return (await result.json<UserRow>()).map(fromRow);
    },
    async save(user) {
      const version = nextVersion();
      await client.insert({
        table: 'users',
        format: 'JSONEachRow',
        values: [
          {
            username: user.username,
            password_hash: user.passwordHash,
            roles: user.roles,
            units: user.units,
            disabled: user.disabled,
            created_at: user.createdAt.getTime(),
            updated_at: user.updatedAt.getTime(),
            sessions_valid_after: user.sessionsValidAfter.getTime(),
            version,
          },
        ],
      });
      cache.delete(user.username);
    },
    async count() {
      const result = await client.query({ query: 'SELECT count() AS n FROM users FINAL', format: 'JSONEachRow' });
      const [row] = await result.json<{ n: string | number }>();
      return Number(row?.n ?? 0);
    },
  };
}
