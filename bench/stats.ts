/**
 * Order statistics of benchmark samples: percentiles (linear interpolation between closest ranks,
 * as NumPy's default) and a compact summary.
 *
 * @module
 */

/** Summary of a set of samples. */
export interface Summary {
  /** Number of samples. */
  readonly n: number;
  /** Median. */
  readonly p50: number;
  /** 95th percentile. */
  readonly p95: number;
  /** Smallest sample. */
  readonly min: number;
  /** Largest sample. */
  readonly max: number;
  /** Arithmetic mean. */
  readonly mean: number;
}

function checked(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError("no samples");
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`sample is not a finite number: ${value}`);
  }
  return [...values].sort((a, b) => a - b);
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

/**
 * The `p`-th percentile (0-100) of `values`, interpolating linearly between the two closest ranks.
 *
 * @throws {RangeError} when `values` is empty, holds a non-finite number, or `p` is outside 0-100.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2.5
 * ```
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, got ${p}`);
  return percentileOfSorted(checked(values), p);
}

/** The median of `values` (the 50th {@linkcode percentile}). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * Count, p50, p95, min, max and mean of `values`.
 *
 * @throws {RangeError} when `values` is empty or holds a non-finite number.
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = checked(values);
  return {
    n: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

/** `value` rounded to `digits` decimals, for reports. */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
