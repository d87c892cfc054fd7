/**
 * Every file the docs name exists: relative markdown links, and `folder/file.ext` paths in backticks
 * under the project's folders, in every tracked markdown file and docs/openapi.yaml.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const trackedSet = new Set(tracked);
const folders = new Set(tracked.flatMap((file) => file.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
const FOLDERS = 'common|ingest|processor|directory|alerts|access|api|runtime|bin|web|test|bench|scripts|deploy|docs|simulator';
const CODE_PATH = new RegExp(`\`((?:${FOLDERS})/[A-Za-z0-9_./-]+\\.(?:ts|md|yaml|sql|svelte|xml|cjs|json|c|sh))\``, 'g');
const LINK = /\]\(([^)#\s]+)(?:#[^)]*)?\)/g;

/** What a doc names that is not in the repository, as "doc: path". */
function unresolved(doc: string, text: string): string[] {
  const missing: string[] = [];
  for (const [, target] of text.matchAll(LINK)) {
    if (/^[a-z]+:/.test(target!)) continue;
    const file = path.normalize(path.join(path.dirname(doc), target!));
    if (!trackedSet.has(file) && !folders.has(file)) missing.push(`${doc}: ${target}`);
  }
  for (const [, file] of text.matchAll(CODE_PATH)) if (!trackedSet.has(file!)) missing.push(`${doc}: ${file}`);
  return missing;
}

describe('doc references', () => {
  it('every file a doc names is in the repository', () => {
    const docs = tracked.filter((file) => file.endsWith('.md') || file === 'docs/openapi.yaml');
    expect(docs.length).toBeGreaterThan(5);
    expect(docs.flatMap((doc) => unresolved(doc, readFileSync(path.join(ROOT, doc), 'utf8')))).toEqual([]);
  });

  it('catches a link and a path that lead nowhere', () => {
    expect(unresolved('docs/x.md', 'see [the map](architecture.md) and `api/board/routes.ts`')).toEqual([]);
    expect(unresolved('docs/x.md', 'see [gone](gone.md) and `api/router.ts`')).toEqual(['docs/x.md: gone.md', 'docs/x.md: api/router.ts']);
  });
});
