/**
 * A copy of the in-memory directory's group → unit path in ClickHouse (directory_group_paths, one
 * partition per directory version, migration 0090), so drill-down sums per unit in the engine and
 * reads one row per child unit instead of one per group. `isReady` answers at once: true when the
 * version's copy is complete; else it starts writing that copy in the background (one at a time) and
 * the caller joins in memory meanwhile, rather than wait for a copy of 100k+ rows.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { DirectoryIndex } from './directory-index.ts';

export interface GroupPaths {
  /** Is the copy of this directory version complete? If not, its copy is started (from `index`, now). */
  isReady(version: number, index: DirectoryIndex): boolean;
  /** Resolves when no copy is being written. */
  settled(): Promise<void>;
}

interface PathRow {
  version: number;
  group_id: string;
  unit_path: readonly string[];
}

const INSERT_ROWS = 100_000;
/** Directory versions are epoch microseconds (directory/repository.ts#nextVersion): copies younger than this by the current one stay. */
const KEEP_US = 10 * 60 * 1_000_000;

export function createGroupPaths(client: ClickHouseClient, onError: (error: Error) => void): GroupPaths {
  const complete = new Set<number>();
  let writing: Promise<void> | undefined;

  async function readyVersions(): Promise<number[]> {
    const result = await client.query({ query: 'SELECT DISTINCT version FROM directory_group_paths_ready ORDER BY version DESC', format: 'JSONEachRow' });
    return (await result.json<{ version: string | number }>()).map((r) => Number(r.version));
  }

  async function copy(version: number, rows: PathRow[]): Promise<void> {
    if (!(await readyVersions()).includes(version)) {
      for (let i = 0; i < rows.length; i += INSERT_ROWS) {
        await client.insert({ table: 'directory_group_paths', values: rows.slice(i, i + INSERT_ROWS), format: 'JSONEachRow' });
      }
      // Written last: a reader that sees it sees every row of the version.
      await client.insert({ table: 'directory_group_paths_ready', values: [{ version, groups: rows.length }], format: 'JSONEachRow' });
    }
    complete.add(version);
    await dropOlder(version);
  }

  /**
   * Drop the copies of versions before this one, except the newest complete one before it and any
   * made within KEEP_US before it: another api may still be on an older version for a poll or two.
   */
  async function dropOlder(version: number): Promise<void> {
    const previous = (await readyVersions()).find((v) => v < version);
    const result = await client.query({
      query: `SELECT DISTINCT table, partition FROM system.parts
              WHERE database = currentDatabase() AND active AND table IN ('directory_group_paths', 'directory_group_paths_ready')`,
      format: 'JSONEachRow',
    });
    for (const { table, partition } of await result.json<{ table: string; partition: string }>()) {
      const v = Number(partition);
      if (!Number.isSafeInteger(v) || v === previous || v > version - KEEP_US) continue;
      await client.command({ query: `ALTER TABLE ${table} DROP PARTITION ${v}` });
      complete.delete(v);
    }
  }

  return {
    isReady(version, index) {
      if (complete.has(version)) return true;
      if (!writing) {
        // Taken in one go, now: the index may change while the copy is written.
        const rows: PathRow[] = [];
        for (const [groupId, placement] of index.groups) rows.push({ version, group_id: groupId, unit_path: placement.unitPath });
        writing = copy(version, rows)
          .catch(onError)
          .finally(() => (writing = undefined));
      }
      return false;
    },
    async settled() {
      while (writing) await writing;
    },
  };
}
