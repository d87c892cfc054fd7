import { describe, expect, it } from 'vitest';
import { caretLine, csvCell, momentOf, toChart, toCsv, type SqlAnswer } from '../../web/src/lib/pages/sql-result.ts';

describe('the SQL page\'s CSV download', () => {
  it('opens formulas as text: = + - @ tab and CR at the start get an apostrophe', () => {
    expect(csvCell('=HYPERLINK("http://x","click")')).toBe(`"'=HYPERLINK(""http://x"",""click"")"`);
    expect(csvCell('+91 cmd')).toBe("'+91 cmd");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves numbers, plain text and empty cells as they are', () => {
    expect([csvCell(-5), csvCell('-5'), csvCell('+1.5e3'), csvCell('-0.25'), csvCell('Booth 114'), csvCell(null), csvCell('a,b')]).toEqual(['-5', '-5', '+1.5e3', '-0.25', 'Booth 114', '', '"a,b"']);
  });

  it('writes a header and every row', () => {
    const csv = toCsv({ columns: [{ name: 'title', type: 'String' }, { name: 'n', type: 'Int64' }], rows: [{ title: '=1+1', n: '-3' }], rowCount: 1, bytesRead: 0, elapsedMs: 1, queryId: 'q' });
    expect(csv).toBe("title,n\r\n'=1+1,-3\r\n");
  });
});

function answer(columns: [string, string][], rows: unknown[][]): SqlAnswer {
  return {
    columns: columns.map(([name, type]) => ({ name, type })),
    rows: rows.map((row) => Object.fromEntries(columns.map(([name], i) => [name, row[i]]))),
    rowCount: rows.length,
    bytesRead: 0,
    elapsedMs: 1,
    queryId: 'q',
  };
}

const at = (iso: string) => Date.parse(iso) / 1000;

describe("the SQL page's quick chart", () => {
  it("reads a time in its column's zone: a column converted to IST lands where it belongs, not 5½ h late", () => {
    expect(momentOf('2026-06-12 15:30:00', "DateTime('Asia/Kolkata')", 'UTC')).toBe(at('2026-06-12T10:00:00Z'));
    expect(momentOf('2026-06-12 15:30:00.250', "DateTime64(3, 'Asia/Kolkata')", 'UTC')).toBe(at('2026-06-12T10:00:00.250Z'));
    expect(momentOf('2026-06-12 15:30:00', "Nullable(DateTime('Asia/Kolkata'))", 'UTC')).toBe(at('2026-06-12T10:00:00Z'));
    expect(momentOf('2026-06-12 10:00:00', "DateTime('UTC')", 'Asia/Kolkata')).toBe(at('2026-06-12T10:00:00Z'));
    // No zone in the type: the server's (UTC).
    expect(momentOf('2026-06-12 10:00:00', 'DateTime', 'Asia/Kolkata')).toBe(at('2026-06-12T10:00:00Z'));
    // A calendar day starts at midnight where the viewer is.
    expect(momentOf('2026-06-12', 'Date', 'Asia/Kolkata')).toBe(at('2026-06-11T18:30:00Z'));
    expect(momentOf('2026-06-12', 'Date32', 'UTC')).toBe(at('2026-06-12T00:00:00Z'));
    expect(momentOf(null, 'Nullable(DateTime)', 'UTC')).toBeNaN();
  });

  it('charts each numeric column on its own against the time, in time order', () => {
    const chart = toChart(
      answer(
        [['hour', "DateTime('Asia/Kolkata')"], ['messages', 'UInt64'], ['share', 'Float64'], ['name', 'String']],
        [['2026-06-12 16:30:00', '80000', 0.5], ['2026-06-12 15:30:00', '100000', 0.25], [null, '1', 1]],
      ),
      'Asia/Kolkata',
    );
    expect(chart).toEqual({
      x: [at('2026-06-12T10:00:00Z'), at('2026-06-12T11:00:00Z')],
      kind: 'time',
      days: false,
      labels: undefined,
      series: [
        { name: 'messages', whole: true, values: [100000, 80000] },
        { name: 'share', whole: false, values: [0.25, 0.5] },
      ],
    });
  });

  it('draws other first columns as named bars; a day column as days; nothing without a number', () => {
    const bars = toChart(answer([['division', 'String'], ['messages', 'Int64']], [['AJM', '3'], ['JPR', null]]), 'UTC');
    expect(bars).toMatchObject({ x: [0, 1], kind: 'bars', labels: ['AJM', 'JPR'], series: [{ values: [3, null] }] });
    expect(toChart(answer([['day', 'Date'], ['n', 'UInt8']], [['2026-06-12', 4]]), 'UTC')).toMatchObject({ kind: 'time', days: true, x: [at('2026-06-12T00:00:00Z')] });
    expect(toChart(answer([['division', 'String'], ['name', 'String']], [['AJM', 'Ajmer']]), 'UTC')).toBeNull();
    expect(toChart(answer([['division', 'String'], ['n', 'UInt8']], []), 'UTC')).toBeNull();
  });
});

describe('caretLine', () => {
  it('puts a caret under the column of the line the mistake is on', () => {
    expect(caretLine('SELECT 1,\n  count(\nFROM events', { line: 2, column: 8 })).toEqual({ line: '  count(', pointer: '       ^' });
    expect(caretLine('SELEC 1', { line: 1, column: 1 })).toEqual({ line: 'SELEC 1', pointer: '^' });
  });

  it('counts characters, not UTF-16 units, and shows a window of a long line', () => {
    expect(caretLine("SELECT '𝒳' +", { line: 1, column: 13 })).toEqual({ line: "SELECT '𝒳' +", pointer: `${' '.repeat(12)}^` });
    const long = `SELECT ${'x, '.repeat(60)}count(`;
    const shown = caretLine(long, { line: 1, column: long.length });
    expect(shown.line.startsWith('…')).toBe(true);
    expect(shown.line.endsWith('count(')).toBe(true);
    expect(shown.line[shown.pointer.length - 1]).toBe('(');
  });
});
