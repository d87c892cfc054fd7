import { describe, expect, it } from 'vitest';
import { describeEngineError, positionOf } from './errors.ts';

const limits = { maxExecutionSeconds: 30, maxResultRows: 100_000, maxResultBytes: 50 * 1024 * 1024, maxMemoryBytes: 512 * 1024 * 1024 };
const engine = (code: string, message: string) => ({ code, message });

describe('describeEngineError', () => {
  it('points a syntax error at the analyst\'s own text, without the engine\'s words', () => {
    const sql = 'SELECT count( FROM events';
    const described = describeEngineError(engine('62', "Syntax error: failed at position 13 ('('): ( FROM events. Expected one of: …: In scope SELECT formatQuery('SELECT count( FROM events') AS f."), limits, sql);
    expect(described).toMatchObject({ status: 400, error: 'syntax error at character 13 (line 1, column 13) near "( FROM events": the query is not valid ClickHouse SQL there', at: { character: 13, line: 1, column: 13 } });
    expect(described.error).not.toMatch(/Expected|formatQuery|In scope/);
  });

  it('counts lines and columns, and characters where the engine counts bytes', () => {
    const sql = "SELECT 'नमस्ते' AS hi,\n  count(\nFROM events";
    // The engine's position of `(`: bytes before it + 1 (Devanagari letters take 3 bytes each).
    const byte = Buffer.byteLength(sql.slice(0, sql.indexOf('('))) + 1;
    const described = describeEngineError(engine('62', `Syntax error: failed at position ${byte} ('('): (`), limits, sql);
    expect(described.at).toEqual({ character: sql.indexOf('(') + 1, line: 2, column: 8 });
    expect(described.error).toMatch(/^syntax error at character 31 \(line 2, column 8\) near "\( FROM events"/);
    expect(positionOf('SELECT 1 +', 11)).toEqual({ character: 11, line: 1, column: 11 });
  });

  it('points a misspelt first word at itself, not at the token after it', () => {
    const described = describeEngineError(engine('62', "Syntax error: failed at position 7 (1): 1. Expected one of: token sequence"), limits, 'SELEC 1');
    expect(described).toMatchObject({ error: 'syntax error at character 1 (line 1, column 1) near "SELEC": a query starts with SELECT or WITH (did you mean SELECT?)', at: { character: 1, line: 1, column: 1 } });
    const commented = describeEngineError(engine('62', 'Syntax error: failed at position 20 (1)'), limits, '-- the count\nSELCT 1');
    expect(commented.at).toEqual({ character: 14, line: 2, column: 1 });
    expect(describeEngineError(engine('62', 'Syntax error: failed at position 12 (x)'), limits, 'frobnicate x').error).toMatch(/near "frobnicate": a query starts with SELECT or WITH$/);
    // A known first word: the engine's own place stands.
    expect(describeEngineError(engine('62', 'Syntax error: failed at position 10 (x)'), limits, 'SELECT 1 x y').at).toEqual({ character: 10, line: 1, column: 10 });
  });

  it('says where a second statement starts', () => {
    const described = describeEngineError(engine('62', 'Syntax error (Multi-statements are not allowed): failed at position 9 (end of query): ; SELECT 2.'), limits, 'SELECT 1; SELECT 2');
    expect(described.error).toBe("send exactly one statement per request: another one starts at character 9 (line 1, column 9); remove everything after the first statement's end");
  });

  it('names the unknown column, table or function', () => {
    expect(describeEngineError(engine('47', 'Unknown expression identifier `nosuch` in scope SELECT nosuch FROM events.'), limits).error).toMatch(/^unknown column or alias "nosuch"/);
    expect(describeEngineError(engine('60', "Unknown table expression identifier 'nosuch' in scope SELECT * FROM nosuch."), limits).error).toMatch(/^unknown table "nosuch"/);
    expect(describeEngineError(engine('46', 'Function with name `nosuchfn` does not exist. In scope SELECT nosuchfn(1).'), limits).error).toMatch(/^unknown function "nosuchfn"/);
  });

  it('tells other mistakes in the engine\'s first sentence only: no scope, stack or version', () => {
    const described = describeEngineError(engine('43', "Illegal types UInt8 and String of arguments of function plus: In scope SELECT 1 + 'a'. Stack trace:\n0. DB::Exception… (version 26.7.2.1)"), limits);
    expect(described).toMatchObject({ status: 400, error: 'ClickHouse could not run the query: Illegal types UInt8 and String of arguments of function plus' });
  });

  it('names the limit a query ran into', () => {
    expect(describeEngineError(engine('241', 'Query memory limit exceeded: would use 96.06 MiB'), limits)).toMatchObject({ status: 422, error: expect.stringMatching(/limit of 512 MiB/) });
    expect(describeEngineError(engine('159', 'Timeout exceeded'), limits)).toMatchObject({ status: 422, error: expect.stringMatching(/limit of 30 s/) });
    expect(describeEngineError(engine('396', 'Limit for result exceeded'), limits)).toMatchObject({ status: 422, error: expect.stringMatching(/100000 rows or 50 MiB/) });
  });

  it('answers any other failure with a fixed sentence, keeping the engine\'s error for the log only', () => {
    const error = engine('999', 'Something internal about /var/lib/clickhouse/store/abc: Stack trace: …');
    const described = describeEngineError(error, limits);
    expect(described).toMatchObject({ status: 500, error: 'the query failed inside ClickHouse; the server log has the details under this query id' });
    expect(described.cause).toBe(error);
  });
});
