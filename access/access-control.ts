/**
 * Builds the access-control parts an api process needs from the config and the store: the users
 * table, the token issuer (key from AUTH_JWT_SECRET or DATA_DIR/auth-jwt.key), the revocation
 * list, the auth service, user administration — and creates the first admin on a
 * fresh store.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { createAuthService, type AuthService } from './auth-service.ts';
import { createRevocations } from './revocations.ts';
import { createTokenIssuer, loadOrCreateJwtSecret } from './tokens.ts';
import { createUserAdmin, ensureFirstAdmin, type UserAdmin } from './user-admin.ts';
import { createUsersRepository, type UsersRepository } from './users-repository.ts';

export interface AccessControl {
  users: UsersRepository;
  userAdmin: UserAdmin;
  auth: AuthService;
  /** Set when this start created the first admin; `generatedPassword` must be shown once, never logged. */
  firstAdmin?: { username: string; generatedPassword?: string };
}

type AccessConfig = Pick<Config, 'AUTH_JWT_SECRET' | 'AUTH_TOKEN_TTL_MINUTES' | 'ADMIN_PASSWORD' | 'DATA_DIR'>;

export async function createAccessControl(config: AccessConfig, client: ClickHouseClient, logger: Logger): Promise<AccessControl> {
  const { secret, created, file } = loadOrCreateJwtSecret(config.AUTH_JWT_SECRET, config.DATA_DIR);
  if (created) logger.warn({ file }, 'generated a new token signing key; set AUTH_JWT_SECRET when running more than one api instance');
  const users = createUsersRepository(client);
  const auth = createAuthService({
    users,
    revocations: createRevocations(client),
    tokens: createTokenIssuer({ secret, ttlSeconds: config.AUTH_TOKEN_TTL_MINUTES * 60 }),
  });
  const userAdmin = createUserAdmin(users);
  const firstAdmin = await ensureFirstAdmin(users, userAdmin, config.ADMIN_PASSWORD);
  if (firstAdmin) logger.warn({ username: firstAdmin.username }, 'created the first admin user');
  return { users, userAdmin, auth, firstAdmin };
}
