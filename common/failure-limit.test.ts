import { describe, expect, it } from 'vitest';
import { createFailureLimit } from './failure-limit.ts';

describe('createFailureLimit', () => {
  it('blocks a key after `limit` failures until its window ends, and only that key', () => {
    let clock = 1_000_000;
    const limit = createFailureLimit({ limit: 3, windowMs: 60_000, now: () => clock });
    for (let i = 0; i < 3; i++) {
      expect(limit.blockedFor('address:10.0.0.1')).toBe(0);
      limit.fail('address:10.0.0.1');
    }
    expect(limit.blockedFor('address:10.0.0.1')).toBe(60);
    expect(limit.blockedFor('address:10.0.0.2')).toBe(0);
    clock += 59_500;
    expect(limit.blockedFor('address:10.0.0.1')).toBe(1);
    clock += 500;
    expect(limit.blockedFor('address:10.0.0.1')).toBe(0);
    limit.fail('address:10.0.0.1');
    expect(limit.blockedFor('address:10.0.0.1')).toBe(0);
  });

  it('takes a failure back when the attempt turns out right', () => {
    const limit = createFailureLimit({ limit: 1, windowMs: 60_000, now: () => 0 });
    limit.fail('account:ana');
    expect(limit.blockedFor('account:ana')).toBe(60);
    limit.forgive('account:ana');
    expect(limit.blockedFor('account:ana')).toBe(0);
  });

  it('keeps at most maxKeys keys, forgetting the oldest', () => {
    const limit = createFailureLimit({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
    limit.fail('a');
    limit.fail('b');
    limit.fail('c');
    expect([limit.blockedFor('a'), limit.blockedFor('b'), limit.blockedFor('c')]).toEqual([0, 60, 60]);
  });
});
