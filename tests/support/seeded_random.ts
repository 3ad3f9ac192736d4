/**
 * A small seeded random source for tests, benchmarks and generated fixtures, so that whatever
 * they draw can be replayed from its seed.
 *
 * @module
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** A deterministic {@linkcode Random} from a 32-bit seed (the mulberry32 generator). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
