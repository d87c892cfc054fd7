/**
 * What happens to one record on its way, in one vocabulary for ingest, the processor and imports:
 * it goes on (`ok`, with what it became), it is dropped with a reason (a rejection the sender is told
 * of, a repeat that counts once), or it is set aside as a dead letter with a reason an admin reads.
 * Bad records never crash a loop and never vanish without one of these.
 */

export interface OkOutcome<T> {
  kind: 'ok';
  value: T;
}

export interface DropOutcome {
  kind: 'drop';
  reason: string;
}

export interface DeadLetterOutcome {
  kind: 'deadLetter';
  reason: string;
}

export type Outcome<T> = OkOutcome<T> | DropOutcome | DeadLetterOutcome;

export const ok = <T>(value: T): OkOutcome<T> => ({ kind: 'ok', value });
export const drop = (reason: string): DropOutcome => ({ kind: 'drop', reason });
export const deadLetter = (reason: string): DeadLetterOutcome => ({ kind: 'deadLetter', reason });
