/**
 * Reading a posted body into items: a JSON array (or one object), or NDJSON.
 * A malformed NDJSON line is a rejection of that line only; a malformed JSON body is a 400.
 */

export type ParsedBody =
  | { ok: true; items: { index: number; value: unknown }[]; lineErrors: { index: number; error: string }[] }
  | { ok: false; error: string };

export function parseJsonBody(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `body is not valid JSON: ${(error as Error).message}` };
  }
  if (Array.isArray(value)) return { ok: true, items: value.map((v, index) => ({ index, value: v })), lineErrors: [] };
  if (typeof value === 'object' && value !== null) return { ok: true, items: [{ index: 0, value }], lineErrors: [] };
  return { ok: false, error: 'body must be a JSON array of events (or one event object)' };
}

export function parseNdjsonBody(text: string): ParsedBody {
  const items: { index: number; value: unknown }[] = [];
  const lineErrors: { index: number; error: string }[] = [];
  let index = 0;
  const lines = text.split('\n');
  for (const [lineNumber, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      items.push({ index, value: JSON.parse(line) });
    } catch (error) {
      lineErrors.push({ index, error: `line ${lineNumber + 1} is not valid JSON: ${(error as Error).message}` });
    }
    index += 1;
  }
  return { ok: true, items, lineErrors };
}
