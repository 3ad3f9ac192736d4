import assert from "node:assert/strict";
import { ChunkSequencer } from "./chunk_sequencer.ts";

function kinds(sequences: number[]): string[] {
  const sequencer = new ChunkSequencer();
  return sequences.map((n) => sequencer.check(n).kind);
}

Deno.test("ChunkSequencer takes an unnumbered stream (all 0) in arrival order", () => {
  assert.deepEqual(kinds([0, 0, 0, 0]), ["take", "take", "take", "take"]);
});

Deno.test("ChunkSequencer takes numbers going up by one, from any start", () => {
  assert.deepEqual(kinds([0, 1, 2, 3]), ["take", "take", "take", "take"]);
  assert.deepEqual(kinds([7, 8, 9]), ["take", "take", "take"]);
});

Deno.test("ChunkSequencer ignores repeats and older chunks of a numbered stream", () => {
  assert.deepEqual(kinds([0, 1, 1, 2, 0, 3]), ["take", "take", "repeat", "take", "repeat", "take"]);
  const sequencer = new ChunkSequencer();
  sequencer.check(5);
  assert.deepEqual(sequencer.check(5), { kind: "repeat", last: 5 });
});

Deno.test("ChunkSequencer reports a gap with the number it expected", () => {
  const sequencer = new ChunkSequencer();
  sequencer.check(0);
  sequencer.check(1);
  assert.deepEqual(sequencer.check(3), { kind: "gap", expected: 2 });
  const unnumbered = new ChunkSequencer();
  unnumbered.check(0);
  unnumbered.check(0);
  assert.deepEqual(unnumbered.check(2), { kind: "gap", expected: 1 });
});
