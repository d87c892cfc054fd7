/**
 * The layers hold (.dependency-cruiser.cjs): the project's imports break no rule, and the same rules
 * catch a cross-import planted in a small tree of the project's folders.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
/** What the check cruises: every folder of code (tests beside it included, bench/, scripts/ and test/ are harnesses). */
export const CHECKED = ['common', 'ingest', 'processor', 'directory', 'alerts', 'access', 'api', 'runtime', 'bin', 'web/src', 'simulator'];
const SLOW = { timeout: 180_000 };

let options: ICruiseOptions;

async function violations(baseDir: string, folders: string[]): Promise<{ rule: string; from: string; to: string }[]> {
  const result = await cruise(folders, { ...options, baseDir, validate: true }, undefined, { tsConfig: extractTSConfig(path.join(ROOT, 'tsconfig.json')) });
  return (result.output as ICruiseResult).summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

/** A tree with the project's folders holding `files` (path → imports), cruised with the project's rules. */
async function plant(files: Record<string, string[]>): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'grouppulse-layers-'));
  for (const [file, imports] of Object.entries(files)) {
    mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    const lines = imports.map((target, i) => {
      const spec = path.relative(path.dirname(file), target);
      const typeOnly = target.endsWith('#type');
      const cleaned = (spec.startsWith('.') ? spec : `./${spec}`).replace('#type', '');
      return typeOnly ? `import type { T${i} } from '${cleaned}';` : `import { v${i} } from '${cleaned}';\nconsole.log(v${i});`;
    });
    writeFileSync(path.join(dir, file), `${lines.join('\n')}\nexport const v0 = 1;\nexport type T0 = number;\n`);
  }
  const folders = [...new Set(Object.keys(files).map((f) => f.split('/')[0]!))];
  return (await violations(dir, folders)).map((v) => v.rule);
}

describe('layers', () => {
  beforeAll(async () => {
    options = await extractDepcruiseOptions(path.join(ROOT, '.dependency-cruiser.cjs'));
  });

  it('the project breaks none of its layer rules', SLOW, async () => {
    expect(await violations(ROOT, CHECKED)).toEqual([]);
  });

  it('a planted cross-import fails the check, one rule each', SLOW, async () => {
    expect(await plant({ 'ingest/a.ts': ['api/b.ts'], 'api/b.ts': [] })).toEqual(['domain-below-api']);
    expect(await plant({ 'common/a.ts': ['processor/b.ts'], 'processor/b.ts': [] })).toEqual(['common-imports-common']);
    expect(await plant({ 'directory/a.ts': ['processor/b.ts'], 'processor/b.ts': [] })).toEqual(['domain-apart']);
    expect(await plant({ 'processor/a.ts': ['directory/b.ts'], 'directory/b.ts': [] })).toEqual(['domain-apart-except-alerts']);
    expect(await plant({ 'api/a.ts': ['runtime/b.ts'], 'runtime/b.ts': [] })).toEqual(['api-below-runtime']);
    expect(await plant({ 'alerts/a.ts': ['test/support/b.ts'], 'test/support/b.ts': [] })).toEqual(['no-test-imports']);
    expect(await plant({ 'web/src/a.ts': ['directory/b.ts#type'], 'directory/b.ts': [] })).toEqual(['web-imports-contracts-only']);
    expect(await plant({ 'web/src/a.ts': ['common/contracts/board.ts'], 'common/contracts/board.ts': [] })).toEqual(['web-types-only-from-zod-contracts']);
    expect(await plant({ 'api/a.ts': ['api/b.ts'], 'api/b.ts': ['api/a.ts'] })).toEqual(['no-circular']);
  });

  it('the allowed edges and imports pass', SLOW, async () => {
    expect(await plant({ 'alerts/a.ts': ['directory/b.ts', 'access/c.ts', 'common/d.ts'], 'directory/b.ts': [], 'access/c.ts': [], 'common/d.ts': [] })).toEqual([]);
    expect(await plant({ 'web/src/a.ts': ['common/contracts/board.ts#type', 'common/live.ts'], 'common/contracts/board.ts': [], 'common/live.ts': [] })).toEqual([]);
    expect(await plant({ 'ingest/a.test.ts': ['api/b.ts', 'test/support/c.ts'], 'api/b.ts': [], 'test/support/c.ts': [] })).toEqual([]);
  });
});
