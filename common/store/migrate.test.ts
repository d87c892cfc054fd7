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
});
