/** A small seeded PRNG (mulberry32), so a simulated organisation is the same for the same seed. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  /** Pareto-like weight ≥ 1: most groups quiet, a few very busy. */
  heavyTail(shape?: number): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0 || 1;
  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    heavyTail: (shape = 1.5) => Math.min(1000, 1 / Math.pow(1 - next(), 1 / shape)),
  };
}
