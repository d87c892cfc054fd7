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
  it('are each safe to run again after a crash half-way (the next migrator runs the whole migration again)', () => {
    // A copy (INSERT … SELECT) is safe twice when it only runs into an empty table, or when its target keeps one
    // row per key whatever it is given; those are named here, with why.
    const copiesSafeTwice: Record<string, string> = {
      event_keys: 'a ReplacingMergeTree keyed by the copied columns: a key copied twice is one key to the lookup (0080)',
      reach_first_seen: 'first sightings: every read takes min(first_at) and counts each group once, so a row copied twice changes nothing (0140)',
      reach_upper_seen: 'a ReplacingMergeTree of (day, fingerprint) read as a set (0170)',
    };
    const rerunnable = (statement: string): boolean => {
      const s = statement.replace(/\s+/g, ' ');
      if (/^(CREATE (TABLE|VIEW|MATERIALIZED VIEW) IF NOT EXISTS|DROP (TABLE|VIEW) IF EXISTS|DETACH TABLE IF EXISTS|ATTACH TABLE IF NOT EXISTS) /i.test(s)) return true;
      // The same query again; the reload that must follow it is the test above's.
      if (/^ALTER TABLE \w+ MODIFY QUERY /i.test(s)) return true;
      if (/^ALTER TABLE \w+ ADD COLUMN /i.test(s)) return !/ADD COLUMN (?!IF NOT EXISTS)/i.test(s);
      const copy = /^INSERT INTO (\w+) /i.exec(s);
      if (copy) return new RegExp(`\\(SELECT count\\(\\) FROM ${copy[1]}\\) = 0`, 'i').test(s) || copy[1]! in copiesSafeTwice;
      return false;
    };
    const unsafe = listMigrations().flatMap((m) => m.statements.filter((s) => !rerunnable(s)).map((s) => `${m.name}: ${s.slice(0, 80)}`));
    expect(unsafe).toEqual([]);
  });
});
