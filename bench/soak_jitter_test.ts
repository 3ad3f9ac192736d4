import assert from "node:assert/strict";
import { scheduleJitter } from "./soak_jitter.ts";

Deno.test("frames on time or early have no jitter", () => {
  assert.deepEqual(scheduleJitter([100, 120, 140, 160]), [0, 0, 0, 0]);
  assert.deepEqual(scheduleJitter([100, 100, 100, 101]), [0, 0, 0, 0]);
  assert.deepEqual(scheduleJitter([]), []);
});

Deno.test("a late frame's jitter is how far it is behind the schedule of the first frame", () => {
  assert.deepEqual(scheduleJitter([0, 0, 0, 70]), [0, 0, 0, 10]);
  // Being early never makes up for lateness later: the schedule is fixed by the first frame.
  assert.deepEqual(scheduleJitter([10, 10, 10, 10, 200]), [0, 0, 0, 0, 110]);
  assert.deepEqual(scheduleJitter([0, 25, 45], [], 10), [0, 15, 25]);
});

Deno.test("a new run (after RESUME) sets a new schedule", () => {
  assert.deepEqual(scheduleJitter([0, 20, 500, 520], [2]), [0, 0, 0, 0]);
  assert.deepEqual(scheduleJitter([0, 20, 500, 560], [2]), [0, 0, 0, 40]);
  // Without the run start the pause would count as jitter.
  assert.deepEqual(scheduleJitter([0, 20, 500, 520]), [0, 0, 460, 460]);
  // A run start at 0 or past the end changes nothing.
  assert.deepEqual(scheduleJitter([0, 30], [0, 5]), [0, 10]);
});
