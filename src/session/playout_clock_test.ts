import assert from "node:assert/strict";
import { delay, PlayoutClock } from "./playout_clock.ts";

Deno.test("PlayoutClock lets the lead of audio go at once, then one frame per 20 ms", () => {
  const clock = new PlayoutClock(100);
  // Five frames (100 ms) go at t = 0 without waiting.
  for (let i = 0; i < 5; i++) {
    assert.equal(clock.waitMs(0), 0, `frame ${i}`);
    clock.sent(0);
  }
  assert.equal(clock.leadMs(0), 100);
  // The sixth waits until the first has played.
  assert.equal(clock.waitMs(0), 20);
  assert.equal(clock.waitMs(15), 5);
  assert.equal(clock.waitMs(20), 0);
  clock.sent(20);
  assert.equal(clock.leadMs(20), 100);
  assert.equal(clock.waitMs(20), 20);
});

Deno.test("PlayoutClock starts afresh after a gap: played audio is not owed", () => {
  const clock = new PlayoutClock(40);
  clock.sent(0);
  clock.sent(0);
  assert.equal(clock.waitMs(0), 20);
  // A long gap (a pause, the next utterance): the client has played everything.
  assert.equal(clock.leadMs(1000), 0);
  assert.equal(clock.waitMs(1000), 0);
  clock.sent(1000);
  assert.equal(clock.leadMs(1000), 20);
});

Deno.test("PlayoutClock: lead 0 never waits; a lead below a frame acts as one frame", () => {
  const off = new PlayoutClock(0);
  for (let i = 0; i < 1000; i++) off.sent(0);
  assert.equal(off.waitMs(0), 0);
  const tiny = new PlayoutClock(5);
  assert.equal(tiny.waitMs(0), 0);
  tiny.sent(0);
  assert.equal(tiny.waitMs(0), 20);
  assert.throws(() => new PlayoutClock(-1), RangeError);
});

Deno.test("delay resolves true after its time, false at once when aborted", async () => {
  const controller = new AbortController();
  assert.equal(await delay(5, controller.signal), true);
  const started = performance.now();
  const waiting = delay(10_000, controller.signal);
  controller.abort();
  assert.equal(await waiting, false);
  assert.ok(performance.now() - started < 1000);
  assert.equal(await delay(10_000, controller.signal), false, "already aborted");
});
