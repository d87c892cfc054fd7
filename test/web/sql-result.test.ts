import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../web/src/lib/pages/sql-result.ts';

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
