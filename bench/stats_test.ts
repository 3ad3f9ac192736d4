import assert from "node:assert/strict";
import { median, percentile, round, summarize } from "./stats.ts";

Deno.test("percentile interpolates between the closest ranks", () => {
  assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5], 0), 1);
  assert.equal(percentile([1, 2, 3, 4, 5], 100), 5);
  assert.equal(percentile([1, 2, 3, 4, 5], 25), 2);
  // 0.95 * (20 - 1) = 18.05: between the 19th (19) and 20th (20) smallest.
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.ok(Math.abs(percentile(twenty, 95) - 19.05) < 1e-9);
  assert.equal(percentile([7], 95), 7);
});

Deno.test("median of odd and even counts", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([10, 0]), 5);
});

Deno.test("percentile does not reorder its input", () => {
  const values = [3, 1, 2];
  percentile(values, 50);
  assert.deepEqual(values, [3, 1, 2]);
});

Deno.test("percentile refuses empty input, non-finite samples and p outside 0-100", () => {
  assert.throws(() => percentile([], 50), RangeError);
  assert.throws(() => percentile([1, NaN], 50), RangeError);
  assert.throws(() => percentile([1, Infinity], 50), RangeError);
  assert.throws(() => percentile([1], 101), RangeError);
  assert.throws(() => percentile([1], -1), RangeError);
  assert.throws(() => summarize([]), RangeError);
});

Deno.test("summarize gives count, p50, p95, min, max and mean", () => {
  const summary = summarize([5, 1, 4, 2, 3]);
  assert.equal(summary.n, 5);
  assert.equal(summary.p50, 3);
  assert.ok(Math.abs(summary.p95 - 4.8) < 1e-9);
  assert.equal(summary.min, 1);
  assert.equal(summary.max, 5);
  assert.equal(summary.mean, 3);
  assert.ok(summary.p95 >= summary.p50);
});

Deno.test("round keeps the asked number of decimals", () => {
  assert.equal(round(1.23456), 1.23);
  assert.equal(round(1.23456, 3), 1.235);
  assert.equal(round(2, 0), 2);
});
