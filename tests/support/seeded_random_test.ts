import assert from "node:assert/strict";
import { seededRandom } from "./seeded_random.ts";

Deno.test("seededRandom replays its sequence from the seed and stays in [0, 1)", () => {
  const first = Array.from({ length: 1000 }, seededRandom(42));
  assert.deepEqual(Array.from({ length: 1000 }, seededRandom(42)), first);
  assert.notDeepEqual(Array.from({ length: 1000 }, seededRandom(43)), first);
  assert.ok(first.every((x) => x >= 0 && x < 1));
  const mean = first.reduce((a, b) => a + b, 0) / first.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});
