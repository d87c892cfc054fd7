/**
 * Builds the access-control parts an api process needs from the config and the store: the users
 * table, the sessions table, the token issuer (key from AUTH_JWT_SECRET or DATA_DIR/auth-jwt.key),
 * the revocation list, the auth service, user and display administration — and creates the first
 * admin on a fresh store.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../common/time.ts';
import { createAuthService, type AuthService } from './auth-service.ts';
import { createDisplays, type Displays } from './displays.ts';
import { createRevocations } from './revocations.ts';
import { createSessionsRepository } from './sessions.ts';
import { createTokenIssuer, loadOrCreateJwtSecret } from './tokens.ts';
import { createUserAdmin, ensureFirstAdmin, type UserAdmin } from './user-admin.ts';
import { createUsersRepository, type UsersRepository } from './users-repository.ts';

export interface AccessControl {
  users: UsersRepository;
  userAdmin: UserAdmin;
  auth: AuthService;
  displays: Displays;
  /** Set when this start created the first admin; `generatedPassword` must be shown once, never logged. */
  firstAdmin?: { username: string; generatedPassword?: string };
}

type AccessConfig = Pick<
  Config,
  'AUTH_JWT_SECRET' | 'AUTH_TOKEN_TTL_MINUTES' | 'AUTH_SESSION_IDLE_HOURS' | 'AUTH_SESSION_MAX_DAYS' | 'AUTH_DISPLAY_TOKEN_DAYS' | 'ADMIN_PASSWORD' | 'DATA_DIR'
>;

export async function createAccessControl(config: AccessConfig, client: ClickHouseClient, logger: Logger): Promise<AccessControl> {
  const { secret, created, file } = loadOrCreateJwtSecret(config.AUTH_JWT_SECRET, config.DATA_DIR);
  if (created) logger.warn({ file }, 'generated a new token signing key; set AUTH_JWT_SECRET when running more than one api instance');
  const users = createUsersRepository(client);
  const sessions = createSessionsRepository(client);
  const revocations = createRevocations(client);
  const auth = createAuthService({
    users,
    sessions,
    revocations,
    tokens: createTokenIssuer({ secret, ttlSeconds: (config.AUTH_TOKEN_TTL_MINUTES * MINUTE_MS) / 1000 }),
    lifetimes: { idleMs: config.AUTH_SESSION_IDLE_HOURS * HOUR_MS, maxMs: config.AUTH_SESSION_MAX_DAYS * DAY_MS },
  });
  const displays = createDisplays({ sessions, revocations, lifetimeMs: config.AUTH_DISPLAY_TOKEN_DAYS * DAY_MS });
  const userAdmin = createUserAdmin(users);
  const firstAdmin = await ensureFirstAdmin(users, userAdmin, config.ADMIN_PASSWORD);
  if (firstAdmin) logger.warn({ username: firstAdmin.username }, 'created the first admin user');
  return { users, userAdmin, auth, displays, firstAdmin };
}
