import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The formatter @clickhouse/client itself uses for query parameters.
import { formatQueryParams } from '@clickhouse/client/dist/common/data_formatter/format_query_params.js';
import { chunkKeys, encodedKeyLength, encodedKeysLength } from './query-params.ts';

/** What the client puts in the URL for an Array(String) parameter `ids`. */
const sent = (keys: string[]) => new URLSearchParams({ param_ids: formatQueryParams({ value: keys }) }).toString().length - 'param_ids='.length;

describe('key sets as query parameters', () => {
  it('bound what the client sends, whatever the characters', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 30 }), (keys) => {
        expect(sent(keys)).toBeLessThanOrEqual(encodedKeysLength(keys));
        expect(encodedKeysLength(keys)).toBe(6 + keys.reduce((n, k) => n + encodedKeyLength(k), 0));
      }),
    );
  });

  it('split into chunks that each travel under the limit, in order, every key once', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { maxLength: 400 }), fc.integer({ min: 700, max: 5_000 }), (keys, max) => {
        const chunks = chunkKeys(keys, max);
        expect(chunks.flat()).toEqual(keys);
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(sent(chunk)).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it('refuses a single key that could never fit', () => {
    expect(() => chunkKeys(['x'.repeat(200)], 100)).toThrow(/too long for one query parameter/);
  });
});
