import assert from "node:assert/strict";
import { checkPlayout } from "./playout.ts";

Deno.test("frames that come in a burst never underrun", () => {
  const burst = Array.from({ length: 50 }, (_, k) => 1000 + k * 0.1);
  const check = checkPlayout(burst);
  assert.equal(check.underruns, 0);
  // Frame 0 is the tightest: due 100 ms after it arrived.
  assert.equal(check.worstLatenessMs, -100);
});

Deno.test("frames at exactly real time keep the whole buffer as slack", () => {
  const paced = Array.from({ length: 10 }, (_, k) => k * 20);
  assert.deepEqual(checkPlayout(paced, 20, 100), { underruns: 0, worstLatenessMs: -100 });
});

Deno.test("a stall longer than the buffer underruns every frame it delays", () => {
  // Frame k is due at 100 + 20k ms; frames 5-9 come after a stall, at 250 ms.
  const arrivals = [0, 0, 0, 0, 0, 250, 250, 250, 250, 250];
  // Frames 5, 6 and 7 (due at 200, 220, 240 ms) are late; 8 and 9 (260, 280 ms) are not.
  assert.deepEqual(checkPlayout(arrivals, 20, 100), { underruns: 3, worstLatenessMs: 50 });
});

Deno.test("a producer slower than real time underruns once its lead is used up", () => {
  // 25 ms per 20 ms frame: frame k is 5k ms later than due - 100 ms, so late from k = 21.
  const slow = Array.from({ length: 40 }, (_, k) => k * 25);
  const check = checkPlayout(slow, 20, 100);
  assert.equal(check.underruns, 19);
  assert.equal(check.worstLatenessMs, 39 * 5 - 100);
});

Deno.test("checkPlayout refuses an empty stream and non-positive sizes", () => {
  assert.throws(() => checkPlayout([]), RangeError);
  assert.throws(() => checkPlayout([0], 0, 100), RangeError);
  assert.throws(() => checkPlayout([0], 20, -1), RangeError);
});
