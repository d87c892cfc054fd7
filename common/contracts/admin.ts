/** What admins read: users (GET /api/v1/admin/users) and the dead letters (GET /api/v1/admin/dead-letters). */

export type DeadLetterStage = 'decode' | 'write';

/** A record the processor set aside instead of counting, as stored in dead_letters. */
export interface StoredDeadLetter {
  setAsideAt: string;
  topic: string;
  partition: number;
  offset: string;
  stage: DeadLetterStage;
  reason: string;
  group: string;
  id: string;
  record: string;
}

/** The newest dead letters first, and how many there are in all. */
export interface DeadLettersAnswer {
  total: number;
  letters: StoredDeadLetter[];
}

/** A user as GET /api/v1/admin/users answers them: never the password hash. */
export interface PublicUser {
  username: string;
  roles: string[];
  units: string[];
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface UsersAnswer {
  users: PublicUser[];
}

/** Where the alert rules in effect come from (alerts/rules-store.ts): the screen's edit wins over the file, the file over the defaults. */
export type AlertRulesOrigin =
  | { kind: 'defaults' }
  | { kind: 'file'; file: string }
  | { kind: 'screen'; editedBy: string; editedAt: number; file?: string };

/**
 * GET/PUT/DELETE /api/v1/admin/alert-rules. `rules` are the rules in effect with every key filled in;
 * `edited` what was saved on the screen as written (null when the file or the defaults are in effect).
 * The rules' shape is alerts/rules.ts's (kept loose here: the board edits them as JSON).
 */
export interface AlertRulesAnswer {
  rules: Record<string, unknown> & { inactivity: { defaultHours: number; byCategory: Record<string, number>; byLevel: Record<string, number>; newGraceHours: number } };
  origin: AlertRulesOrigin;
  edited: unknown;
  defaults: Record<string, unknown>;
}
