import { describe, expect, it } from 'vitest';
import type { Catalogue } from './allow-list.ts';
import { checkAst, checkQueryTree, parseAstDump, type AstNode } from './explain-check.ts';

const catalogue: Catalogue = {
  database: 'default',
  databases: new Set(['default', 'system', 'information_schema', 'INFORMATION_SCHEMA']),
  tables: new Set(['events', 'users', 'sql_audit', 'revoked_tokens', 'sources', 'rollup_minute']),
};

/** A dump as EXPLAIN AST prints it, from an indented template (two spaces a level here, one in the engine's). */
const dump = (text: string) => text.trim().split('\n').map((line) => ' '.repeat((line.length - line.trimStart().length) / 2) + line.trim());

function parsed(text: string): AstNode {
  const result = parseAstDump(dump(text));
  if (!result.ok) throw new Error(result.error);
  return result.root;
}

const select = (from: string, where = '') => `
SelectWithUnionQuery (children 1)
  ExpressionList (children 1)
    SelectQuery (children ${where ? 3 : 2})
      ExpressionList (children 1)
        Asterisk
      TablesInSelectQuery (children 1)
        TablesInSelectQueryElement (children 1)
          TableExpression (children 1)
${from.trim().split('\n').map((l) => `            ${l}`).join('\n')}
${where.trim().split('\n').filter(Boolean).map((l) => `      ${l}`).join('\n')}`;

describe('parseAstDump', () => {
  it('rebuilds the tree from indentation and child counts', () => {
    const root = parsed(select('TableIdentifier events (alias e)'));
    expect(root.kind).toBe('SelectWithUnionQuery');
    const table = root.children[0]!.children[0]!.children[1]!.children[0]!.children[0]!.children[0]!;
    expect(table).toEqual({ kind: 'TableIdentifier', value: 'events (alias e)', children: [] });
  });

  it('refuses a dump a name with a line break added lines to (the counts no longer match)', () => {
    // SELECT `a\n TableIdentifier x` FROM t, as the engine prints it: the name's second line is a fake node.
    const injected = ['SelectWithUnionQuery (children 1)', ' ExpressionList (children 1)', '  SelectQuery (children 2)', '   ExpressionList (children 1)', '    Identifier a', ' TableIdentifier x', '   TablesInSelectQuery (children 1)', '    TablesInSelectQueryElement (children 1)', '     TableExpression (children 1)', '      TableIdentifier t'];
    expect(parseAstDump(injected)).toMatchObject({ ok: false, error: expect.stringMatching(/could not be checked/) });
    // An alias faking a child count on a leaf.
    expect(parseAstDump(['SelectWithUnionQuery (children 1)', ' Literal UInt64_1 (alias x) (children 1)'])).toMatchObject({ ok: false });
  });

  it('refuses two roots, skipped levels and odd node kinds', () => {
    expect(parseAstDump(['Identifier a', 'Identifier b'])).toMatchObject({ ok: false });
    expect(parseAstDump(['ExpressionList (children 1)', '  Identifier a'])).toMatchObject({ ok: false });
    expect(parseAstDump(['ExpressionList (children 1)', ' 42 x'])).toMatchObject({ ok: false });
    expect(parseAstDump([])).toMatchObject({ ok: false });
  });
});

describe('checkAst', () => {
  const check = (text: string) => checkAst(parsed(text), catalogue, 'SELECT');

  it('answers a SELECT of analytics tables, generators and ordinary functions', () => {
    expect(check(select('TableIdentifier events'))).toBeUndefined();
    expect(check(select('TableIdentifier default.events'))).toBeUndefined();
    expect(check(select('TableIdentifier system.one'))).toBeUndefined();
    expect(check(select('Function numbers (children 1)\n  ExpressionList (children 1)\n    Literal UInt64_10'))).toBeUndefined();
    // An unknown unqualified name may be the query's own WITH name: the query tree decides.
    expect(check(select('TableIdentifier my_cte'))).toBeUndefined();
  });

  it('refuses hidden tables however they are written', () => {
    expect(check(select('TableIdentifier users'))).toMatch(/users is not an analytics table/);
    expect(check(select('TableIdentifier USERS (alias events)'))).toMatch(/USERS is not an analytics table/);
    expect(check(select('TableIdentifier default.users'))).toMatch(/default.users is not an analytics table/);
    expect(check(select('TableIdentifier system.processes'))).toMatch(/system.processes is not/);
    expect(check(select('TableIdentifier INFORMATION_SCHEMA.tables'))).toMatch(/INFORMATION_SCHEMA.tables is not/);
    expect(check(select('TableIdentifier other_db.events'))).toMatch(/other_db.events is not/);
  });

  it('refuses table functions other than generators, and reading functions anywhere', () => {
    expect(check(select('Function merge (alias m) (children 1)\n  ExpressionList'))).toMatch(/table function merge\(\) is not available/);
    expect(check(select('Function view (children 1)\n  ExpressionList'))).toMatch(/table function view\(\)/);
    expect(check(select('Function s3 (children 1)\n  ExpressionList'))).toMatch(/table function s3\(\)/);
    const where = (fn: string) => check(select('TableIdentifier events', `Function ${fn} (children 1)\n  ExpressionList (children 1)\n    Literal 'x'`));
    expect(where('dictGetString')).toMatch(/dictionary function dictGetString\(\)/);
    expect(where('joinGet')).toMatch(/joinGet\(\) reads outside/);
    expect(where('file')).toMatch(/file\(\)/);
    expect(where('MERGE')).toMatch(/table function MERGE\(\)/);
    expect(where('lower')).toBeUndefined();
  });

  it('refuses a hidden table on the right of IN, and db-qualified names used as columns', () => {
    const inTable = (operand: string) => check(select('TableIdentifier events', `Function in (children 1)\n  ExpressionList (children 2)\n    Identifier group_id\n    ${operand}`));
    expect(inTable('Identifier users')).toMatch(/users is not an analytics table/);
    expect(inTable('Identifier default.sql_audit')).toMatch(/default.sql_audit is not/);
    expect(inTable('Identifier my_set')).toBeUndefined();
    expect(check(select('TableIdentifier events (alias e)', 'Identifier system.users.name'))).toMatch(/system.users is not/);
    expect(check(select('TableIdentifier events (alias e)', 'Identifier e.group_id'))).toBeUndefined();
  });

  it('refuses SETTINGS, FORMAT / INTO OUTFILE, parameters, other statements and unknown node kinds', () => {
    expect(check(select('TableIdentifier events', 'Set'))).toMatch(/SETTINGS clauses are not allowed/);
    expect(check('SelectWithUnionQuery (children 2)\n  ExpressionList (children 1)\n    SelectQuery (children 1)\n      ExpressionList (children 1)\n        Literal UInt64_1\n  Identifier CSV')).toMatch(/FORMAT, INTO OUTFILE and SETTINGS are not allowed/);
    expect(check('SelectWithUnionQuery (children 1)\n  ExpressionList (children 1)\n    SelectQuery (children 1)\n      ExpressionList (children 1)\n        QueryParameter x:UInt8')).toMatch(/query parameters/);
    expect(checkAst(parsed('KillQueryQuery Literal_UInt64_1 ASYNC (children 1)\n  Literal UInt64_1'), catalogue, 'KILL')).toMatch(/only SELECT queries .* KILL statement/);
    expect(check('SelectWithUnionQuery (children 1)\n  ExpressionList (children 1)\n    Explain (children 1)\n      Literal UInt64_1')).toMatch(/uses Explain/);
  });
});

describe('checkQueryTree', () => {
  const tree = (...lines: string[]) => checkQueryTree(['QUERY id: 0', '  JOIN TREE', ...lines], catalogue);

  it('checks what every table, table function and function resolved to', () => {
    expect(tree('    TABLE id: 3, alias: __table1, table_name: default.events')).toBeUndefined();
    expect(tree('    TABLE id: 3, alias: __table1, table_name: system.one')).toBeUndefined();
    expect(tree('    TABLE_FUNCTION id: 3, alias: __table1, table_function_name: numbers')).toBeUndefined();
    expect(tree('    QUERY id: 3, alias: __table1, is_subquery: 1, is_cte: 1, cte_name: users')).toBeUndefined();
    expect(tree('    TABLE id: 6, alias: __table2, table_name: default.users')).toMatch(/default.users is not an analytics table/);
    expect(tree('                    TABLE id: 13, table_name: default.revoked_tokens')).toMatch(/revoked_tokens/);
    expect(tree('    TABLE_FUNCTION id: 3, table_function_name: merge')).toMatch(/merge\(\)/);
    expect(tree('      FUNCTION id: 5, function_name: dictGet, function_type: ordinary, result_type: String')).toMatch(/dictGet\(\)/);
  });

  it('checks every such field of a line, so a made-up name can only add a refusal', () => {
    expect(tree('    TABLE id: 3, alias: table_name: default.events, table_name: default.users')).toMatch(/default.users/);
  });
});
