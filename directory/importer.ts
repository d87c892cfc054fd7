/**
 * Imports: parse → validate against what is stored → write → record a version. All-or-nothing:
 * nothing is written unless the whole file is valid, and the version row (what running directories
 * poll) is written last, so a reader never sees half an import. Imports in one process run one at
 * a time; across processes, run imports from one place (the api or the CLI) at a time.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { describeZodError } from '../common/events.ts';
import { resolveSettings, settingsInputSchema, type DirectorySettings } from './model.ts';
import { CONTACT_COLUMNS, GROUP_COLUMNS, parseImport, REPRESENTATIVE_COLUMNS, UNIT_COLUMNS, type ColumnSpec, type ImportFormat, type ImportRecord, type Problem } from './parse.ts';
import { createDirectoryRepository, nextVersion, type DirectoryRepository } from './repository.ts';
import { validateContacts, validateGroups, validateRepresentatives, validateUnits, type ImportMode, type Validated } from './validate.ts';
import { phoneNumberOf } from '../common/phone.ts';

export type ImportResult =
  | { ok: true; version: number; written: number; removed: number; ms: number; steps: ImportSteps }
  | { ok: false; problems: Problem[] };

/** Where an import's time went, ms: reading the file, checking it against the stored directory, writing, reloading this process's directory. */
export interface ImportSteps {
  parse: number;
  validate: number;
  write: number;
  reload: number;
}

/** Measures consecutive steps: each call returns the ms since the previous one. */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = Math.round(now - last);
    last = now;
    return ms;
  };
}

export interface Importer {
  importSettings(input: unknown): Promise<ImportResult & { settings?: DirectorySettings }>;
  importUnits(text: string, format: ImportFormat, mode: ImportMode): Promise<ImportResult>;
  importGroups(text: string, format: ImportFormat, mode: ImportMode): Promise<ImportResult>;
  /** Contacts per unit and group; `replace` removes the contacts the file does not hold. */
  importContacts(text: string, format: ImportFormat, mode: ImportMode): Promise<ImportResult>;
  /** Representatives and their public accounts; `replace` removes those the file does not hold. */
  importRepresentatives(text: string, format: ImportFormat, mode: ImportMode): Promise<ImportResult>;
  readonly repository: DirectoryRepository;
}

/** What importSet needs to know of one kind of rows. */
interface ImportedSet<T> {
  columns: ColumnSpec;
  key: 'groups' | 'contacts' | 'representatives';
  check(records: ImportRecord[]): Promise<Validated<T[]>>;
  storedIds(): Promise<Set<string>>;
  write(rows: T[], removals: string[], version: number): Promise<void>;
}

export interface ImporterOptions {
  /** Called after every import (this process's directory reloads). */
  onImported?: () => Promise<unknown>;
  /** Contacts' numbers without a country code are of this country (PHONE_DEFAULT_COUNTRY); default IN. */
  phoneCountry?: string;
}

export function createImporter(client: ClickHouseClient, options: ImporterOptions = {}): Importer {
  const onImported = options.onImported ?? (async () => undefined);
  const phoneCountry = options.phoneCountry ?? 'IN';
  const repository = createDirectoryRepository(client);
  let queue: Promise<unknown> = Promise.resolve();

  function serial<T>(task: () => Promise<T>): Promise<T> {
    const next = queue.catch(() => undefined).then(task);
    queue = next;
    return next;
  }

  async function finish(version: number, started: number, written: number, removed: number, steps: Omit<ImportSteps, 'reload'>): Promise<ImportResult> {
    const reloadStarted = performance.now();
    await onImported().catch(() => undefined);
    const reload = Math.round(performance.now() - reloadStarted);
    return { ok: true, version, written, removed, ms: Math.round(performance.now() - started), steps: { ...steps, reload } };
  }

  /**
   * Groups, contacts, representatives: a set of rows with ids, checked against what is stored, written with the removals a
   * `replace` makes, then the version row (groups count in it: running directories reload them; contacts and
   * representatives are read when shown).
   */
  function importSet<T extends { id: string }>(text: string, format: ImportFormat, mode: ImportMode, set: ImportedSet<T>): Promise<ImportResult> {
    return serial(async () => {
      const started = performance.now();
      const lap = stopwatch();
      const parsed = parseImport(text, format, set.columns, set.key);
      if (!parsed.ok) return parsed;
      const parse = lap();
      const checked = await set.check(parsed.records);
      if (!checked.ok) return checked;
      const rows = checked.value;
      let removals: string[] = [];
      if (mode === 'replace') {
        const keep = new Set(rows.map((r) => r.id));
        removals = [...(await set.storedIds())].filter((id) => !keep.has(id));
      }
      const validate = lap();
      const version = nextVersion();
      await set.write(rows, removals, version);
      await repository.recordVersion(version, set.key, 0, set.key === 'groups' ? rows.length + removals.length : 0);
      return finish(version, started, rows.length, removals.length, { parse, validate, write: lap() });
    });
  }

  return {
    repository,

    importSettings(input) {
      return serial(async () => {
        const started = performance.now();
        const lap = stopwatch();
        const parsed = settingsInputSchema.safeParse(input);
        if (!parsed.success) return { ok: false, problems: [{ line: 0, problem: describeZodError(parsed.error) }] };
        const previous = await repository.loadSettings();
        const settings = resolveSettings(parsed.data, previous);
        // The stored tree must still fit the new levels.
        const parse = lap();
        const check = validateUnits([], settings, await repository.loadUnits(), 'merge');
        if (!check.ok) return check;
        const validate = lap();
        const version = nextVersion();
        await repository.saveSettings(settings, version);
        await repository.recordVersion(version, 'settings', 0, 0);
        return { ...(await finish(version, started, 1, 0, { parse, validate, write: lap() })), settings };
      });
    },

    importUnits(text, format, mode) {
      return serial(async () => {
        const started = performance.now();
        const lap = stopwatch();
        const parsed = parseImport(text, format, UNIT_COLUMNS, 'units');
        if (!parsed.ok) return parsed;
        const parse = lap();
        const [settings, existing, groupUnits] = await Promise.all([repository.loadSettings(), repository.loadUnits(), repository.groupUnits()]);
        const checked = validateUnits(parsed.records, settings, existing, mode, groupUnits);
        if (!checked.ok) return checked;
        const validate = lap();
        const { upserts, removals } = checked.value;
        const version = nextVersion();
        await repository.writeUnits(upserts, removals, version);
        await repository.recordVersion(version, 'units', upserts.length + removals.length, 0);
        return finish(version, started, upserts.length, removals.length, { parse, validate, write: lap() });
      });
    },

    importGroups(text, format, mode) {
      return importSet(text, format, mode, {
        columns: GROUP_COLUMNS,
        key: 'groups',
        check: async (records) => {
          const [settings, units] = await Promise.all([repository.loadSettings(), repository.loadUnits()]);
          return validateGroups(records, settings, units);
        },
        storedIds: () => repository.groupIds(),
        write: (groups, removals, version) => repository.writeGroups(groups, removals, version),
      });
    },

    importContacts(text, format, mode) {
      return importSet(text, format, mode, {
        columns: CONTACT_COLUMNS,
        key: 'contacts',
        check: async (records) => {
          const [units, groupIds] = await Promise.all([repository.loadUnits(), repository.groupIds()]);
          return validateContacts(records, units, groupIds, (phone) => phoneNumberOf(phone, phoneCountry));
        },
        storedIds: () => repository.contactIds(),
        write: (contacts, removals, version) => repository.writeContacts(contacts, removals, version),
      });
    },

    importRepresentatives(text, format, mode) {
      return importSet(text, format, mode, {
        columns: REPRESENTATIVE_COLUMNS,
        key: 'representatives',
        check: async (records) => validateRepresentatives(records, await repository.loadUnits()),
        storedIds: async () => new Set((await repository.loadRepresentatives()).map((r) => r.id)),
        write: (representatives, removals, version) => repository.writeRepresentatives(representatives, removals, version),
      });
    },
  };
}
