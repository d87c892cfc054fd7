/** docs/openapi.yaml is valid YAML and documents every route the services declare, with its method. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');
const SERVICE_DIRS = ['api', 'ingest', 'alerts', 'directory', 'runtime'];

/** `router.get('/api/v1/x/:id', …)` and the like in the services' sources, as "get /api/v1/x/{id}". */
function declaredRoutes(): string[] {
  const routes = new Set<string>();
  for (const dir of SERVICE_DIRS) {
    for (const file of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const source = readFileSync(path.join(ROOT, dir, file), 'utf8');
      for (const [, method, route] of source.matchAll(/\.(get|post|put|patch|delete)\(\s*['"`](\/[^'"`]*)['"`]/g)) {
        if (route === '/') continue; // the board's page, not an API
        routes.add(`${method} ${route!.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
  }
  return [...routes].sort();
}

describe('docs/openapi.yaml', () => {
  it('parses and documents every declared route', () => {
    const spec = parse(readFileSync(path.join(ROOT, 'docs', 'openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const routes = declaredRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const undocumented = routes.filter((r) => {
      const [method, route] = r.split(' ') as [string, string];
      return spec.paths[route]?.[method] === undefined;
    });
    expect(undocumented).toEqual([]);
  });
});
