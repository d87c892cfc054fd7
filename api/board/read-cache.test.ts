import { describe, expect, it } from 'vitest';
import { createReadCache } from './read-cache.ts';

describe('read cache', () => {
  it('shares a read within the time to live, reads again after it, and forgets failures', async () => {
    let clock = 0;
    let reads = 0;
    const cache = createReadCache(1000, () => clock);
    const read = async () => ++reads;
    expect(await Promise.all([cache.get('a', read), cache.get('a', read)])).toEqual([1, 1]);
    clock = 999;
    expect(await cache.get('a', read)).toBe(1);
    clock = 1001;
    expect(await cache.get('a', read)).toBe(2);
    expect(await cache.get('b', read)).toBe(3);
    await expect(cache.get('c', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('c', read)).toBe(4);
  });
});
