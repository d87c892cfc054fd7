/**
 * Creating and changing users — the one place the CLI and the admin API both go through, so the
 * rules (valid names, roles, password strength, leads need units) hold whichever door is used.
 */
import { z } from 'zod';
import { describeZodError } from '../common/events.ts';
import { encodedKeysLength, MAX_PARAMETER_BYTES } from '../common/store/query-params.ts';
import { generatePassword, hashPassword, passwordProblem } from './password.ts';
import { roleSchema, type Role } from './roles.ts';
import type { StoredUser, UsersRepository } from './users-repository.ts';

export const usernameSchema = z
  .string({ required_error: 'username is required' })
  .regex(/^[a-z0-9][a-z0-9._@-]{1,63}$/, 'username must be 2–64 characters: lower-case letters, digits, . _ @ - (starting with a letter or digit)');

/** A user's units filter every read of theirs as one query parameter (divisions IN {…}): they must fit one. */
const unitsSchema = z
  .array(z.string().trim().min(1, 'unit ids must not be empty').max(200))
  .max(1000)
  .refine((units) => encodedKeysLength(units) <= MAX_PARAMETER_BYTES, {
    message: `the units are too long together: they go to ClickHouse as one query parameter of at most ${MAX_PARAMETER_BYTES / 1024} KiB URL-encoded (give fewer, or shorter ids)`,
  });

export const newUserSchema = z.object({
  username: usernameSchema,
  password: z.string().optional(),
  roles: z.array(roleSchema).min(1, 'give at least one role'),
  units: unitsSchema.default([]),
});
export type NewUser = z.input<typeof newUserSchema>;

export const userChangeSchema = z
  .object({
    password: z.string().optional(),
    roles: z.array(roleSchema).min(1, 'give at least one role').optional(),
    units: unitsSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export type UserChange = z.input<typeof userChangeSchema>;

export type AdminOutcome = { ok: true; user: StoredUser; generatedPassword?: string } | { ok: false; status: 400 | 404 | 409; error: string };

/** A user as shown to admins: never the hash. */
export function publicUser(user: StoredUser) {
  return {
    username: user.username,
    roles: user.roles,
    units: user.units,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

function leadProblem(roles: Role[], units: string[]): string | undefined {
  return roles.includes('lead') && units.length === 0 ? 'a lead needs at least one unit (the divisions they may see)' : undefined;
}

export interface UserAdmin {
  create(input: unknown): Promise<AdminOutcome>;
  update(username: string, change: unknown): Promise<AdminOutcome>;
}

export function createUserAdmin(users: UsersRepository, now: () => number = Date.now): UserAdmin {
  return {
    async create(input) {
      const parsed = newUserSchema.safeParse(input);
      if (!parsed.success) return { ok: false, status: 400, error: describeZodError(parsed.error) };
      const { username, roles, units } = parsed.data;
      const generated = parsed.data.password === undefined ? generatePassword() : undefined;
      const password = parsed.data.password ?? generated!;
      const problem = passwordProblem(password) ?? leadProblem(roles, units);
      if (problem) return { ok: false, status: 400, error: problem };
      if (await users.get(username)) return { ok: false, status: 409, error: `user "${username}" already exists` };
      const at = new Date(now());
      const user: StoredUser = {
        username,
        passwordHash: await hashPassword(password),
        roles: [...new Set(roles)],
        units: [...new Set(units)],
        disabled: false,
        createdAt: at,
        updatedAt: at,
        sessionsValidAfter: new Date(0),
      };
      await users.save(user);
      return { ok: true, user, generatedPassword: generated };
    },
    async update(username, change) {
      const parsed = userChangeSchema.safeParse(change);
      if (!parsed.success) return { ok: false, status: 400, error: describeZodError(parsed.error) };
      const current = await users.get(username);
      if (!current) return { ok: false, status: 404, error: `no user "${username}"` };
      const { password, roles, units, disabled } = parsed.data;
      if (password !== undefined) {
        const problem = passwordProblem(password);
        if (problem) return { ok: false, status: 400, error: problem };
      }
      const next: StoredUser = {
        ...current,
        roles: roles ? [...new Set(roles)] : current.roles,
        units: units ? [...new Set(units)] : current.units,
        disabled: disabled ?? current.disabled,
        updatedAt: new Date(now()),
      };
      const problem = leadProblem(next.roles, next.units);
      if (problem) return { ok: false, status: 400, error: problem };
      if (password !== undefined) next.passwordHash = await hashPassword(password);
      // A new password or a disable ends every session the user had.
      if (password !== undefined || (disabled === true && !current.disabled)) next.sessionsValidAfter = new Date(now());
      await users.save(next);
      return { ok: true, user: next };
    },
  };
}

/**
 * When no active admin exists (a fresh store, or only users added by the CLI), create `admin` with
 * ADMIN_PASSWORD, or a generated password that the caller prints once. Returns undefined when an active
 * admin exists, or when the name `admin` is taken by a user who is not one (then use the CLI).
 */
export async function ensureFirstAdmin(users: UsersRepository, admin: UserAdmin, configuredPassword: string | undefined): Promise<{ username: string; generatedPassword?: string } | undefined> {
  const all = await users.list();
  if (all.some((u) => u.roles.includes('admin') && !u.disabled)) return undefined;
  if (all.some((u) => u.username === 'admin')) return undefined;
  const created = await admin.create({ username: 'admin', password: configuredPassword, roles: ['admin'] });
  if (!created.ok) throw new Error(`could not create the first admin: ${created.error}`);
  return { username: created.user.username, generatedPassword: created.generatedPassword };
}
