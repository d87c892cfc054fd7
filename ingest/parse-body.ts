/**
 * Reading a posted body into items: a JSON array (or one object), or NDJSON.
 * A malformed NDJSON line is a rejection of that line only; a malformed JSON body is a 400.
 */

export type ParsedBody =
  | { ok: true; items: { index: number; value: unknown }[]; lineErrors: { index: number; error: string }[] }
  | { ok: false; error: string };

/** Deeper nesting than any real event or webhook payload: refused before parsing (deep values break recursive code later). */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of JSON text beyond `maxDepth`, found by scanning brackets outside strings; undefined when within. */
export function jsonTooDeep(text: string, maxDepth = MAX_JSON_DEPTH): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return `JSON nested deeper than ${maxDepth} levels`;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return undefined;
}

export function parseJsonBody(text: string): ParsedBody {
  const tooDeep = jsonTooDeep(text);
  if (tooDeep) return { ok: false, error: `body refused: ${tooDeep}` };
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
    const tooDeep = jsonTooDeep(line);
    if (tooDeep) {
      lineErrors.push({ index, error: `line ${lineNumber + 1} refused: ${tooDeep}` });
      index += 1;
      continue;
    }
    try {
      items.push({ index, value: JSON.parse(line) });
    } catch (error) {
      lineErrors.push({ index, error: `line ${lineNumber + 1} is not valid JSON: ${(error as Error).message}` });
    }
    index += 1;
  }
  return { ok: true, items, lineErrors };
}
