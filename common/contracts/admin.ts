/** What admins read besides users: the dead letters (GET /api/v1/admin/dead-letters). */

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
