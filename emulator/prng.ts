/* eslint-disable no-bitwise -- a 32-bit PRNG is bit arithmetic */
/**
 * mulberry32: a small, fast, seeded 32-bit PRNG. The same seed gives the same sequence, so a
 * fault run can be replayed (as far as the order of requests is the same).
 * @returns a function giving numbers in [0, 1)
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks one element of a non-empty list with the given PRNG. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length) % items.length];
}
