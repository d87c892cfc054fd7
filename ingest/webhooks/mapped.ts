/**
 * What a webhook mapper hands to the acceptor: contract events (the same shape collectors post to
 * /v1/events, so one validator and one pseudonymiser see everything), each with the payload path it
 * came from; items that could not be read; and how many items were ignored by design.
 */

export interface MappedEvent {
  /** Where in the delivered payload this came from, e.g. `entry[0].changes[1].value.messages[2]`. */
  path: string;
  event: Record<string, unknown>;
}

export interface MappedProblem {
  path: string;
  error: string;
}

export interface MappedPayload {
  events: MappedEvent[];
  problems: MappedProblem[];
  /** Items read and deliberately not counted (statuses, settings, private chats, edits, …). */
  ignored: number;
}

/** Keyed digest used to build event ids that must not carry raw personal ids (the pseudonymiser). */
export type IdDigest = (value: string) => string;

export function emptyMapped(): MappedPayload {
  return { events: [], problems: [], ignored: 0 };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An array field, or [] when absent; a non-array is a problem of its own. */
export function arrayAt(record: Record<string, unknown>, key: string, path: string, problems: MappedProblem[]): unknown[] {
  const value = record[key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  problems.push({ path: `${path}.${key}`, error: `${key} must be an array` });
  return [];
}
