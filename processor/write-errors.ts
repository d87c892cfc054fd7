/**
 * Why a write failed decides what happens next: the engine refused the data itself (it will refuse
 * it again: isolate the rows and set them aside), or anything else — store down, timeouts, too many
 * parts, memory, a missing table — which passes: retry, lose nothing. Unknown errors count as the
 * second kind, so a surprise never turns good events into dead letters.
 */

/** ClickHouse error codes meaning "this data cannot be stored as it is" (input parsing and conversion). */
const REJECTED_DATA_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE (a lone UTF-16 surrogate)
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED (e.g. 1e+21 where an integer goes)
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  130, // CANNOT_READ_ARRAY_FROM_TEXT
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  407, // DECIMAL_OVERFLOW
  469, // VIOLATED_CONSTRAINT
]);

export type WriteFailure = 'rejected-data' | 'retry';

export function classifyWriteError(error: unknown): WriteFailure {
  const code = Number((error as { code?: unknown }).code);
  return Number.isInteger(code) && REJECTED_DATA_CODES.has(code) ? 'rejected-data' : 'retry';
}

/** The engine's reason in one line, without its stack or the data it quoted at length. */
export function engineReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0]!.replace(/\s*\(version [^)]*\)\s*$/, '');
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
