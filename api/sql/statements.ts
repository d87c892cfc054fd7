/**
 * A small ClickHouse SQL lexer for one job: find the statement boundaries (`;` outside string
 * literals, quoted identifiers, heredocs and comments) and the names called as functions, so the
 * endpoint can insist on exactly one statement and refuse table functions that read around the
 * per-table filters. Read-only is ClickHouse's job (readonly=1), not this file's.
 */

export type SplitOutcome = { ok: true; statement: string } | { ok: false; error: string };

interface Token {
  kind: 'word' | 'string' | 'quoted' | 'punct' | 'semicolon';
  text: string;
  start: number;
}

type LexOutcome = { ok: true; tokens: Token[] } | { ok: false; error: string };

/** Tokens outside comments and whitespace; fails on an unterminated literal or comment. */
export function lex(sql: string): LexOutcome {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i += 1;
    } else if ((c === '-' && next === '-') || (c === '#' && (next === ' ' || next === '!'))) {
      // As ClickHouse's lexer: `--` always, `#` only before a space or `!`.
      while (i < n && sql[i] !== '\n') i += 1;
    } else if (c === '/' && next === '*') {
      // ClickHouse nests block comments.
      let depth = 0;
      const start = i;
      while (i < n) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth += 1;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth -= 1;
          i += 2;
          if (depth === 0) break;
        } else i += 1;
      }
      if (depth !== 0) return { ok: false, error: `unterminated /* comment starting at character ${start + 1}` };
    } else if (c === "'" || c === '"' || c === '`') {
      const start = i;
      i += 1;
      let closed = false;
      while (i < n) {
        if (sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) {
          i += 1;
          closed = true;
          break;
        } else i += 1;
      }
      if (!closed) return { ok: false, error: `unterminated ${c === "'" ? 'string literal' : 'quoted identifier'} starting at character ${start + 1}` };
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', text: sql.slice(start, i), start });
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i))) {
      // Heredoc string: $tag$ … $tag$.
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      if (end < 0) return { ok: false, error: `unterminated heredoc ${tag} starting at character ${i + 1}` };
      tokens.push({ kind: 'string', text: sql.slice(i, end + tag.length), start: i });
      i = end + tag.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_$]/.test(sql[i]!)) i += 1;
      tokens.push({ kind: 'word', text: sql.slice(start, i), start });
    } else if (c === ';') {
      tokens.push({ kind: 'semicolon', text: ';', start: i });
      i += 1;
    } else {
      tokens.push({ kind: 'punct', text: c, start: i });
      i += 1;
    }
  }
  return { ok: true, tokens };
}

/** Exactly one statement, trailing `;` allowed; the statement text without it. */
export function singleStatement(sql: string): SplitOutcome {
  const lexed = lex(sql);
  if (!lexed.ok) return lexed;
  const { tokens } = lexed;
  const semicolons = tokens.filter((t) => t.kind === 'semicolon');
  const body = tokens.filter((t) => t.kind !== 'semicolon');
  if (body.length === 0) return { ok: false, error: 'the query is empty: send one SQL statement, e.g. SELECT count() FROM events' };
  const last = body[body.length - 1]!;
  const firstSemicolonInside = semicolons.find((s) => s.start < last.start);
  if (firstSemicolonInside) {
    return { ok: false, error: `send exactly one statement per request: found another statement after the ";" at character ${firstSemicolonInside.start + 1}` };
  }
  const cut = semicolons[0]?.start ?? sql.length;
  return { ok: true, statement: sql.slice(0, cut).trim() };
}

/** Names called as functions (`name(`) outside literals and comments, lower-cased. */
export function calledNames(sql: string): string[] {
  const lexed = lex(sql);
  if (!lexed.ok) return [];
  const names: string[] = [];
  lexed.tokens.forEach((token, index) => {
    const following = lexed.tokens[index + 1];
    if (token.kind === 'word' && following?.kind === 'punct' && following.text === '(') names.push(token.text.toLowerCase());
  });
  return names;
}
