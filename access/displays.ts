/**
 * Wall displays: an admin makes one (a name and the unit it shows, or the whole board) and gets its
 * long-lived token once; the display trades it for short-lived read-only tokens
 * (auth-service.ts#signInDisplay). Revoking it ends its tokens at once (the revocation list).
 */
import { z } from 'zod';
import type { DisplayInfo } from '../common/contracts/access.ts';
import { describeZodError } from '../common/events.ts';
import type { Revocations } from './revocations.ts';
import { newSecret, newSessionId, type SessionsRepository, type StoredSession } from './sessions.ts';

export const newDisplaySchema = z
  .object({
    label: z.string({ required_error: 'label is required' }).trim().min(1, 'label is required').max(80, 'label must be at most 80 characters'),
    unit: z.string().trim().max(200).default(''),
  })
  .strict();

type DisplayFailure = { ok: false; status: 400 | 404; error: string; field?: string };

export interface Displays {
  create(input: unknown, createdBy: string): Promise<{ ok: true; display: DisplayInfo; token: string } | DisplayFailure>;
  list(): Promise<DisplayInfo[]>;
  revoke(id: string): Promise<{ ok: true; display: DisplayInfo } | DisplayFailure>;
}

export function displayInfo(session: StoredSession): DisplayInfo {
  return { id: session.id, label: session.label, unit: session.unit, createdBy: session.createdBy, createdAt: session.createdAt.toISOString(), expiresAt: session.expiresAt.toISOString() };
}

export function createDisplays(deps: { sessions: SessionsRepository; revocations: Revocations; lifetimeMs: number; now?: () => number }): Displays {
  const now = deps.now ?? Date.now;
  return {
    async create(input, createdBy) {
      const parsed = newDisplaySchema.safeParse(input);
      if (!parsed.success) return { ok: false, status: 400, error: describeZodError(parsed.error), field: String(parsed.error.issues[0]?.path[0] ?? '') || undefined };
      const id = newSessionId();
      const { token, secretDigest } = newSecret(id);
      const at = now();
      const session: StoredSession = {
        id,
        kind: 'display',
        username: '',
        label: parsed.data.label,
        unit: parsed.data.unit,
        secretDigest,
        createdBy,
        createdAt: new Date(at),
        expiresAt: new Date(at + deps.lifetimeMs),
        revoked: false,
      };
      await deps.sessions.save(session);
      return { ok: true, display: displayInfo(session), token };
    },
    async list() {
      return (await deps.sessions.listDisplays(new Date(now()))).map(displayInfo);
    },
    async revoke(id) {
      const session = await deps.sessions.get(id);
      if (!session || session.kind !== 'display' || session.revoked) return { ok: false, status: 404, error: `no display "${id}"` };
      await deps.sessions.save({ ...session, revoked: true });
      await deps.revocations.revoke(session.id, '', session.expiresAt);
      return { ok: true, display: displayInfo(session) };
    },
  };
}
