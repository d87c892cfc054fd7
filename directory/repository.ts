/**
 * The directory in ClickHouse: settings, units, groups (ReplacingMergeTree by version, removals
 * as rows with deleted = 1) and the directory_version log every running directory polls.
 * Query parameters only; no values in SQL text.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { readColumns } from '../common/store/read-columns.ts';
import { DEFAULT_SETTINGS, type Contact, type DirectorySettings, type GroupEntry, type Representative, type Unit } from './model.ts';
import { createVersionClock } from '../common/store/row-version.ts';

export type ChangeKind = 'settings' | 'units' | 'groups' | 'contacts' | 'representatives';

export interface VersionMark {
  /** Highest version written so far (0 = none). */
  version: number;
  /** Number of version rows: changes when a late import lands below the highest version. */
  count: number;
}

/** A group row as the live directory loads it (the newest version of each changed group). */
export interface GroupRow {
  id: string;
  unit: string;
  category: string;
  deleted: boolean;
  targetSize: number | null;
}

/** Versions are epoch microseconds, strictly increasing within a process. */
export const nextVersion = createVersionClock();

const INSERT_CHUNK = 50_000;

export interface DirectoryRepository {
  loadSettings(): Promise<DirectorySettings>;
  saveSettings(settings: DirectorySettings, version: number): Promise<void>;
  loadUnits(): Promise<Map<string, Unit>>;
  writeUnits(upserts: Unit[], removals: string[], version: number): Promise<void>;
  writeGroups(groups: GroupEntry[], removals: string[], version: number): Promise<void>;
  /** Ids of every group in the directory now. */
  groupIds(): Promise<Set<string>>;
  /** Units that at least one group hangs off. */
  groupUnits(): Promise<Set<string>>;
  writeContacts(contacts: Contact[], removals: string[], version: number): Promise<void>;
  /** Ids of every contact in the directory now. */
  contactIds(): Promise<Set<string>>;
  writeRepresentatives(representatives: Representative[], removals: string[], version: number): Promise<void>;
  /** Every representative in the directory now. */
  loadRepresentatives(): Promise<Representative[]>;
  recordVersion(version: number, kind: ChangeKind, units: number, groups: number): Promise<void>;
  mark(): Promise<VersionMark>;
  /** Kinds changed since a version. */
  kindsSince(version: number): Promise<Set<ChangeKind>>;
  /** Newest row of every group written after `sinceVersion`, streamed in chunks. */
  streamGroups(sinceVersion: number, onChunk: (rows: GroupRow[]) => void): Promise<void>;
}

export function createDirectoryRepository(client: ClickHouseClient): DirectoryRepository {
  async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  async function insertChunks(table: string, values: Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < values.length; start += INSERT_CHUNK) {
      await client.insert({ table, values: values.slice(start, start + INSERT_CHUNK), format: 'JSONEachRow' });
    }
  }

  return {
    async loadSettings() {
      const found = await rows<{ levels: string[]; division_level: string; categories: string[] }>(
        'SELECT levels, division_level, categories FROM directory_settings FINAL WHERE id = 1',
      );
      const row = found[0];
      return row ? { levels: row.levels, divisionLevel: row.division_level, categories: row.categories } : DEFAULT_SETTINGS;
    },

    async saveSettings(settings, version) {
      await client.insert({
        table: 'directory_settings',
        values: [{ id: 1, levels: settings.levels, division_level: settings.divisionLevel, categories: settings.categories, version }],
        format: 'JSONEachRow',
      });
    },

    async loadUnits() {
      // Columns, not row objects (a 500k-unit tree); level names and parent ids shared, not one copy per unit.
      const c = await readColumns<{ unit_id: string[]; name: string[]; level: string[]; parent: string[]; voters: (number | null)[] }>(
        client,
        'SELECT unit_id, name, level, parent, voters FROM directory_units FINAL WHERE deleted = 0',
      );
      const levels = new Map<string, string>();
      const units = new Map<string, Unit>();
      for (let i = 0; i < c.unit_id.length; i++) {
        const level = c.level[i]!;
        if (!levels.has(level)) levels.set(level, level);
        const unit: Unit = { id: c.unit_id[i]!, name: c.name[i]!, level: levels.get(level)!, parent: c.parent[i]! };
        const voters = c.voters[i];
        if (voters !== null && voters !== undefined) unit.voters = Number(voters);
        units.set(unit.id, unit);
      }
      for (const unit of units.values()) unit.parent = units.get(unit.parent)?.id ?? unit.parent;
      return units;
    },

    async writeUnits(upserts, removals, version) {
      await insertChunks('directory_units', [
        ...upserts.map((u) => ({ unit_id: u.id, name: u.name, level: u.level, parent: u.parent, voters: u.voters ?? null, version, deleted: 0 })),
        ...removals.map((id) => ({ unit_id: id, name: '', level: '', parent: '', voters: null, version, deleted: 1 })),
      ]);
    },

    async writeGroups(groups, removals, version) {
      await insertChunks('directory_groups', [
        ...groups.map((g) => ({
          group_id: g.id, unit_id: g.unit, category: g.category, title: g.title, platform: g.platform,
          target_size: g.targetSize ?? null, version, deleted: 0,
        })),
        ...removals.map((id) => ({ group_id: id, unit_id: '', category: '', title: '', platform: '', target_size: null, version, deleted: 1 })),
      ]);
    },

    async groupIds() {
      const found = await rows<{ group_id: string }>('SELECT group_id FROM directory_groups FINAL WHERE deleted = 0');
      return new Set(found.map((r) => r.group_id));
    },

    async groupUnits() {
      const found = await rows<{ unit_id: string }>('SELECT DISTINCT unit_id FROM directory_groups FINAL WHERE deleted = 0');
      return new Set(found.map((r) => r.unit_id));
    },

    async writeContacts(contacts, removals, version) {
      await insertChunks('directory_contacts', [
        ...contacts.map((c) => ({ contact_id: c.id, unit_id: c.unit, group_id: c.group, person: c.person, role: c.role, phone: c.phone, version, deleted: 0 })),
        ...removals.map((id) => ({ contact_id: id, unit_id: '', group_id: '', person: '', role: '', phone: '', version, deleted: 1 })),
      ]);
    },

    async contactIds() {
      const found = await rows<{ contact_id: string }>('SELECT contact_id FROM directory_contacts FINAL WHERE deleted = 0');
      return new Set(found.map((r) => r.contact_id));
    },

    async writeRepresentatives(representatives, removals, version) {
      await insertChunks('directory_representatives', [
        ...representatives.map((r) => ({ rep_id: r.id, person: r.person, role: r.role, unit_id: r.unit, platform: r.platform, account: r.account, version, deleted: 0 })),
        ...removals.map((id) => ({ rep_id: id, person: '', role: '', unit_id: '', platform: '', account: '', version, deleted: 1 })),
      ]);
    },

    async loadRepresentatives() {
      const found = await rows<{ rep_id: string; person: string; role: string; unit_id: string; platform: string; account: string }>(
        'SELECT rep_id, person, role, unit_id, platform, account FROM directory_representatives FINAL WHERE deleted = 0 ORDER BY person, rep_id',
      );
      return found.map((r) => ({ id: r.rep_id, person: r.person, role: r.role, unit: r.unit_id, platform: r.platform, account: r.account }));
    },

    async recordVersion(version, kind, units, groups) {
      await client.insert({ table: 'directory_version', values: [{ version, kind, units, groups }], format: 'JSONEachRow' });
    },

    async mark() {
      const [row] = await rows<{ version: string | number; count: string | number }>('SELECT max(version) AS version, count() AS count FROM directory_version');
      return { version: Number(row?.version ?? 0), count: Number(row?.count ?? 0) };
    },

    async kindsSince(version) {
      const found = await rows<{ kind: ChangeKind }>('SELECT DISTINCT kind FROM directory_version WHERE version > {since:UInt64}', { since: version });
      return new Set(found.map((r) => r.kind));
    },

    async streamGroups(sinceVersion, onChunk) {
      const result = await client.query({
        query: `SELECT group_id, argMax(unit_id, version), argMax(category, version), argMax(deleted, version), argMax(target_size, version)
                FROM directory_groups WHERE version > {since:UInt64} GROUP BY group_id`,
        query_params: { since: sinceVersion },
        format: 'JSONCompactEachRow',
      });
      for await (const chunk of result.stream<[string, string, string, number, number | null]>()) {
        const out: GroupRow[] = new Array(chunk.length);
        for (let i = 0; i < chunk.length; i++) {
          const [id, unit, category, deleted, target] = chunk[i]!.json();
          out[i] = { id, unit, category, deleted: Number(deleted) === 1, targetSize: target === null ? null : Number(target) };
        }
        onChunk(out);
      }
    },
  };
}
