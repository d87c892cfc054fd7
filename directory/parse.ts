/**
 * Import files → records with their line (CSV) or item number (JSON), before validation.
 * CSV is read with csv-parse (header row required); JSON is an array of objects, or an object
 * with a `units` / `groups` array. Column names are matched case-insensitively; aliases map the
 * usual spellings (unit_id, group_id, target_size…) onto one name.
 */
import { parse as parseCsv } from 'csv-parse/sync';

export type ImportFormat = 'csv' | 'json';

export interface ImportRecord {
  /** CSV: the line the record ends on (header = line 1). JSON: the item number, from 1. */
  line: number;
  fields: Record<string, string>;
}

export interface Problem {
  /** 0 = the file as a whole. */
  line: number;
  problem: string;
}

export type Parsed = { ok: true; records: ImportRecord[] } | { ok: false; problems: Problem[] };

export interface ColumnSpec {
  required: string[];
  optional: string[];
  aliases: Record<string, string>;
}

export const UNIT_COLUMNS: ColumnSpec = {
  required: ['id', 'name', 'level'],
  optional: ['parent', 'voters'],
  aliases: { unit_id: 'id', unitid: 'id', parent_id: 'parent', parentid: 'parent', unit_name: 'name' },
};

export const GROUP_COLUMNS: ColumnSpec = {
  required: ['id', 'unit', 'category'],
  optional: ['title', 'platform', 'target_size'],
  aliases: { group_id: 'id', groupid: 'id', group: 'id', unit_id: 'unit', unitid: 'unit', targetsize: 'target_size', target: 'target_size' },
};

export const CONTACT_COLUMNS: ColumnSpec = {
  required: ['person', 'phone'],
  optional: ['id', 'role', 'unit', 'group'],
  aliases: {
    contact_id: 'id', name: 'person', person_name: 'person', mobile: 'phone', phone_number: 'phone', mobile_number: 'phone',
    unit_id: 'unit', unitid: 'unit', group_id: 'group', groupid: 'group', designation: 'role',
  },
};

export const REPRESENTATIVE_COLUMNS: ColumnSpec = {
  required: ['person', 'role', 'unit', 'platform', 'account'],
  optional: ['id'],
  aliases: { name: 'person', unit_id: 'unit', account_id: 'account', handle: 'account', designation: 'role' },
};

function canonical(column: string, spec: ColumnSpec): string {
  const lower = column.trim().toLowerCase();
  return spec.aliases[lower] ?? lower;
}

function missingColumns(columns: string[], spec: ColumnSpec): string[] {
  const present = new Set(columns.map((c) => canonical(c, spec)));
  return spec.required.filter((c) => !present.has(c));
}

export function detectFormat(contentType: string | undefined, text: string): ImportFormat {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('csv')) return 'csv';
  if (type.includes('json')) return 'json';
  const first = text.trimStart()[0];
  return first === '[' || first === '{' ? 'json' : 'csv';
}

export function parseImport(text: string, format: ImportFormat, spec: ColumnSpec, key: 'units' | 'groups' | 'contacts' | 'representatives'): Parsed {
  return format === 'csv' ? parseCsvRecords(text, spec) : parseJsonRecords(text, spec, key);
}

function parseCsvRecords(text: string, spec: ColumnSpec): Parsed {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { columns: (header: string[]) => header.map((c) => canonical(c, spec)), info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    return { ok: false, problems: [{ line: 0, problem: `not valid CSV: ${(error as Error).message}` }] };
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const columns = header.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  const missing = missingColumns(columns, spec);
  if (missing.length > 0) {
    return { ok: false, problems: [{ line: 1, problem: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header has: ${columns.join(', ') || 'nothing'})` }] };
  }
  return { ok: true, records: rows.map((r) => ({ line: r.info.lines, fields: r.record })) };
}

function parseJsonRecords(text: string, spec: ColumnSpec, key: 'units' | 'groups' | 'contacts' | 'representatives'): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ line: 0, problem: `not valid JSON: ${(error as Error).message}` }] };
  }
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(list)) return { ok: false, problems: [{ line: 0, problem: `expected a JSON array of ${key}, or an object with a "${key}" array` }] };
  const records: ImportRecord[] = [];
  const problems: Problem[] = [];
  list.forEach((item: unknown, index) => {
    const line = index + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ line, problem: 'expected an object' });
      return;
    }
    const fields: Record<string, string> = {};
    for (const [column, raw] of Object.entries(item)) {
      if (raw === null || raw === undefined) continue;
      fields[canonical(column, spec)] = typeof raw === 'string' ? raw.trim() : String(raw);
    }
    const missing = spec.required.filter((c) => !(c in fields));
    if (missing.length > 0) problems.push({ line, problem: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` });
    else records.push({ line, fields });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, records };
}
