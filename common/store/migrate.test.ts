import { describe, expect, it } from 'vitest';
import { listMigrations, splitStatements } from './migrate.ts';

describe('migrations', () => {
  it('split into statements at line-ending semicolons, skipping comments', () => {
    expect(splitStatements('-- note;\nCREATE TABLE a (x String DEFAULT \';\');\n\nCREATE VIEW b AS SELECT 1;\n')).toEqual([
      "CREATE TABLE a (x String DEFAULT ';')",
      'CREATE VIEW b AS SELECT 1',
    ]);
  });
  it('are numbered, unique and in order', () => {
    const versions = listMigrations().map((m) => m.version);
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  });
  it('reload every view they alter with MODIFY QUERY (detach + attach, see 0071)', () => {
    // Until the view is reloaded, its blocks get other deduplication ids than after a restart: a batch
    // replayed across one would be written to the view's table twice.
    const statements = listMigrations().flatMap((m) => m.statements);
    statements.forEach((statement, i) => {
      const view = /^ALTER TABLE (\w+) MODIFY QUERY/i.exec(statement)?.[1];
      if (!view) return;
      expect(statements.slice(i + 1).some((s) => new RegExp(`^ATTACH TABLE (IF NOT EXISTS )?${view}$`, 'i').test(s)), `${view} is attached again after MODIFY QUERY`).toBe(true);
    });
  });
});
