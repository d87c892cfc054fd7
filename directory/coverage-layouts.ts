/**
 * Coverage layouts (directory/coverage.ts#coverageLayout) kept while the directory version holds:
 * the directory's part of a unit's coverage is built once per version, not on every request. At most
 * `max` units at a time (the oldest goes first); a new version drops them all.
 */
import { coverageLayout, type CoverageLayout } from './coverage.ts';
import type { LiveDirectory } from './live-directory.ts';

export interface CoverageLayouts {
  get(directory: Pick<LiveDirectory, 'index' | 'version'>, unitId: string, expected: string[]): CoverageLayout | undefined;
}

export function createCoverageLayouts(max = 16): CoverageLayouts {
  let version: number | undefined;
  const layouts = new Map<string, CoverageLayout | undefined>();
  return {
    get(directory, unitId, expected) {
      if (directory.version !== version) {
        layouts.clear();
        version = directory.version;
      }
      const key = `${unitId}\u0000${expected.join('\u0000')}`;
      if (layouts.has(key)) return layouts.get(key);
      const layout = coverageLayout(directory.index, unitId, expected);
      if (layouts.size >= max) layouts.delete(layouts.keys().next().value!);
      layouts.set(key, layout);
      return layout;
    },
  };
}
