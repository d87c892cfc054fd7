/**
 * Reading what ClickHouse's own parser and analyzer say about a query, and deciding from it. Pure:
 * the engine's answers come in as lines (sandbox.ts asks for them).
 *
 * `EXPLAIN AST` prints one node per line: its id (`Function merge`, `TableIdentifier users`,
 * `Literal 'x'`), then ` (alias …)` and ` (children N)`, indented one space per level. Names are
 * printed as they are, so a quoted name with a line break could add lines of its own: the tree is
 * rebuilt from the indentation and every node's child count must match, which an added line cannot
 * keep true for the real nodes around it — such a dump is refused, never guessed at.
 *
 * `EXPLAIN QUERY TREE` names what each table expression resolved to (`table_name: default.events`,
 * `table_function_name: numbers`) and every function (`function_name: dictGet`). Every such field on
 * every line is checked; a line a name made up can only add refusals, never hide a real node.
 */
import { refusedFunction, refusedTable, refusedTableFunction, tableOfIdentifier, type Catalogue } from './allow-list.ts';

export interface AstNode {
  /** `Function`, `TableIdentifier`, `SelectQuery`, … */
  kind: string;
  /** The rest of the node's id: a name, a literal. */
  value: string;
  children: AstNode[];
}

export type ParsedAst = { ok: true; root: AstNode } | { ok: false; error: string };

const UNCHECKABLE = 'the query could not be checked (a name with a line break or unusual characters?): rename it';

/** Rebuild the tree of an `EXPLAIN AST` dump; refuse any dump whose lines do not make exactly one consistent tree. */
export function parseAstDump(lines: readonly string[]): ParsedAst {
  let root: AstNode | undefined;
  const path: AstNode[] = [];
  const declared = new Map<AstNode, number>();
  for (const line of lines) {
    const depth = line.length - line.trimStart().length;
    const body = /^(.*?)(?: \(children (\d+)\))?$/.exec(line.slice(depth))!;
    const [kind = '', ...rest] = body[1]!.split(' ');
    if (!/^[A-Za-z]+(::[A-Za-z]+)?$/.test(kind)) return { ok: false, error: UNCHECKABLE };
    const node: AstNode = { kind, value: rest.join(' '), children: [] };
    declared.set(node, body[2] === undefined ? 0 : Number(body[2]));
    if (depth === 0) {
      if (root) return { ok: false, error: UNCHECKABLE };
      root = node;
    } else {
      if (depth > path.length) return { ok: false, error: UNCHECKABLE };
      path[depth - 1]!.children.push(node);
    }
    path.length = depth;
    path.push(node);
  }
  if (!root) return { ok: false, error: UNCHECKABLE };
  for (const [node, count] of declared) if (node.children.length !== count) return { ok: false, error: UNCHECKABLE };
  return { ok: true, root };
}

/** Node kinds a SELECT is made of; anything else is refused by name rather than let through unchecked. */
const KNOWN_KINDS = new Set([
  'SelectWithUnionQuery', 'SelectIntersectExceptQuery', 'SelectQuery', 'ExpressionList', 'TablesInSelectQuery', 'TablesInSelectQueryElement',
  'TableExpression', 'TableIdentifier', 'TableJoin', 'ArrayJoin', 'Identifier', 'Literal', 'Function', 'Asterisk', 'QualifiedAsterisk',
  'ColumnsRegexpMatcher', 'ColumnsListMatcher', 'QualifiedColumnsRegexpMatcher', 'QualifiedColumnsListMatcher', 'ColumnsTransformerList',
  'ColumnsApplyTransformer', 'ColumnsExceptTransformer', 'ColumnsReplaceTransformer', 'ColumnsReplaceTransformer::Replacement', 'Subquery',
  'WithElement', 'OrderByElement', 'InterpolateElement', 'WindowDefinition', 'WindowListElement', 'SampleRatio',
]);

/** Functions whose right-hand argument may name a table: `x IN users`. */
const IN_FUNCTIONS = new Set(['in', 'notin', 'globalin', 'globalnotin', 'nullin', 'notnullin', 'globalnullin', 'globalnotnullin']);

/** The name in a node's value: the part before ` (alias …)` (no name the checks allow has a space). */
const nameOf = (node: AstNode) => node.value.split(' ')[0]!;

/**
 * Why the parsed query is refused, or undefined: it must be one SELECT (UNION / INTERSECT / EXCEPT of
 * SELECTs), without SETTINGS, FORMAT or INTO OUTFILE, naming only allowed tables, generator table
 * functions and functions that do not reach other data. `statement` is the query's first keyword
 * as the engine formatted it, to name what was sent.
 */
export function checkAst(root: AstNode, catalogue: Catalogue, statement: string): string | undefined {
  if (root.kind !== 'SelectWithUnionQuery') return `only SELECT queries are answered here; this is a ${statement} statement`;
  if (root.children.length !== 1 || root.children[0]!.kind !== 'ExpressionList') return 'FORMAT, INTO OUTFILE and SETTINGS are not allowed: the endpoint answers JSON with fixed limits';
  return visit(root, undefined);

  function visit(node: AstNode, parent: AstNode | undefined): string | undefined {
    const refusal = checkNode(node, parent);
    if (refusal) return refusal;
    for (const child of node.children) {
      const inner = visit(child, node);
      if (inner) return inner;
    }
    return undefined;
  }

  function checkNode(node: AstNode, parent: AstNode | undefined): string | undefined {
    switch (node.kind) {
      case 'Set':
        return 'SETTINGS clauses are not allowed: the limits of this endpoint are fixed';
      case 'QueryParameter':
        return 'query parameters ({name:Type}) are not supported here: write the value into the query';
      case 'TableIdentifier':
        return refusedTable(nameOf(node), catalogue);
      case 'Identifier': {
        const table = tableOfIdentifier(nameOf(node), catalogue);
        return table ? refusedTable(table, catalogue) : undefined;
      }
      case 'Function': {
        const name = nameOf(node);
        if (parent?.kind === 'TableExpression') return refusedTableFunction(name);
        return refusedFunction(name) ?? refusedInOperand(node, name);
      }
      default:
        return KNOWN_KINDS.has(node.kind) ? undefined : `the query uses ${node.kind}, which this endpoint does not answer; rewrite it as a plain SELECT`;
    }
  }

  /** `x IN users`: an identifier on the right of IN may be a table. */
  function refusedInOperand(node: AstNode, name: string): string | undefined {
    if (!IN_FUNCTIONS.has(name.toLowerCase())) return undefined;
    const operand = node.children[0]?.children[1];
    if (operand?.kind !== 'Identifier') return undefined;
    const written = nameOf(operand);
    const table = written.includes('.') ? tableOfIdentifier(written, catalogue) : written;
    return table ? refusedTable(table, catalogue) : undefined;
  }
}

const RESOLVED_FIELDS: { field: RegExp; refused: (name: string, catalogue: Catalogue) => string | undefined }[] = [
  { field: /\btable_name: ([^,\s]+)/g, refused: (name, catalogue) => refusedTable(name, catalogue, true) },
  { field: /\btable_function_name: ([^,\s]+)/g, refused: (name) => refusedTableFunction(name) },
  { field: /\bfunction_name: ([^,\s]+)/g, refused: (name) => refusedFunction(name) },
];

/** Why the analyzed query (`EXPLAIN QUERY TREE` lines) is refused, or undefined. */
export function checkQueryTree(lines: readonly string[], catalogue: Catalogue): string | undefined {
  for (const line of lines) {
    for (const { field, refused } of RESOLVED_FIELDS) {
      for (const match of line.matchAll(field)) {
        const refusal = refused(match[1]!, catalogue);
        if (refusal) return refusal;
      }
    }
  }
  return undefined;
}
