import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calledNames, singleStatement } from './statements.ts';

describe('singleStatement', () => {
  it('accepts one statement, with or without a trailing semicolon and comments', () => {
    expect(singleStatement('SELECT 1')).toEqual({ ok: true, statement: 'SELECT 1' });
    expect(singleStatement('  SELECT 1 ;  \n')).toEqual({ ok: true, statement: 'SELECT 1' });
    expect(singleStatement('SELECT 1; -- done')).toEqual({ ok: true, statement: 'SELECT 1' });
    expect(singleStatement('SELECT 1 -- a; b\n')).toMatchObject({ ok: true });
  });

  it('is not fooled by ; inside literals, quoted identifiers, heredocs and comments', () => {
    for (const sql of [
      "SELECT 'a;b'",
      "SELECT 'it''s; fine'",
      "SELECT 'back\\'slash; still string'",
      'SELECT 1 AS "x;y"',
      'SELECT 1 AS `x;y`',
      'SELECT $$a;b$$',
      'SELECT $tag$a;$b$tag$',
      'SELECT /* ; /* nested ; */ ; */ 1',
      'SELECT 1 # comment; here\n',
    ]) {
      expect(singleStatement(sql), sql).toMatchObject({ ok: true });
    }
  });

  it('refuses a second statement with a clear error', () => {
    for (const sql of ['SELECT 1; SELECT 2', "SELECT ';'; DROP TABLE events", 'SELECT 1;;SELECT 2', "SELECT 1; INSERT INTO events VALUES ('x')"]) {
      const outcome = singleStatement(sql);
      expect(outcome.ok, sql).toBe(false);
      if (!outcome.ok) expect(outcome.error).toMatch(/exactly one statement/);
    }
  });

  it('refuses empty input and unterminated literals', () => {
    expect(singleStatement('  ; -- nothing')).toMatchObject({ ok: false, error: expect.stringMatching(/empty/) });
    expect(singleStatement("SELECT 'open; DROP TABLE x")).toMatchObject({ ok: false, error: expect.stringMatching(/unterminated string/) });
    expect(singleStatement('SELECT /* open')).toMatchObject({ ok: false, error: expect.stringMatching(/unterminated/) });
  });

  it('treats # as a comment only before a space or ! (as ClickHouse does)', () => {
    expect(singleStatement('SELECT 1 #x; SELECT 2').ok).toBe(false);
  });

  it('never accepts two statements joined by a semicolon outside literals (property)', () => {
    const safeText = fc.stringMatching(/^[A-Za-z0-9 ,()*=_]{0,20}$/);
    fc.assert(
      fc.property(safeText, safeText, (a, b) => {
        const outcome = singleStatement(`SELECT 1 ${a}; SELECT 2 ${b}`);
        return outcome.ok === false;
      }),
    );
    fc.assert(
      fc.property(fc.string(), (inside) => {
        const literal = `'${inside.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
        return singleStatement(`SELECT ${literal}`).ok === true;
      }),
    );
  });
});

describe('calledNames', () => {
  it('lists functions called outside literals', () => {
    expect(calledNames("SELECT count() FROM merge(currentDatabase(), '^users$') WHERE x = 'file(1)'")).toEqual(['count', 'merge', 'currentdatabase']);
  });
});
