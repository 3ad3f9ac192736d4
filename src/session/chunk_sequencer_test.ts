import assert from "node:assert/strict";
import { ChunkSequencer, RETRY_MEMORY_CHUNKS } from "./chunk_sequencer.ts";

/** The text and is_final a chunk numbered `n` carries in these tests (a retry carries the same). */
function content(n: number): { text: string; isFinal: boolean } {
  return { text: `chunk ${n} `, isFinal: false };
}

function kinds(sequences: number[]): string[] {
  const sequencer = new ChunkSequencer();
  return sequences.map((n) => sequencer.check(n, content(n)).kind);
}

Deno.test("ChunkSequencer takes an unnumbered stream (all 0) in arrival order", () => {
  assert.deepEqual(kinds([0, 0, 0, 0]), ["take", "take", "take", "take"]);
  // Even the same text twice: without numbers a retry cannot be told from new text.
  const sequencer = new ChunkSequencer();
  const hello = { text: "Hello. ", isFinal: false };
  assert.equal(sequencer.check(0, hello).kind, "take");
  assert.equal(sequencer.check(0, hello).kind, "take");
});

Deno.test("ChunkSequencer takes numbers going up by one, from any start", () => {
  assert.deepEqual(kinds([0, 1, 2, 3]), ["take", "take", "take", "take"]);
  assert.deepEqual(kinds([7, 8, 9]), ["take", "take", "take"]);
  assert.deepEqual(kinds([-2, -1, 0, 1]), ["take", "take", "take", "take"]);
});

Deno.test("ChunkSequencer ignores a retry: a repeated number with the same text and is_final", () => {
  assert.deepEqual(kinds([0, 1, 1, 2, 0, 3]), ["take", "take", "repeat", "take", "repeat", "take"]);
  const sequencer = new ChunkSequencer();
  sequencer.check(5, content(5));
  assert.deepEqual(sequencer.check(5, content(5)), { kind: "repeat", last: 5 });
  // A retried final chunk, empty or not, is a retry too (no second final frame).
  sequencer.check(6, { text: "", isFinal: true });
  assert.deepEqual(sequencer.check(6, { text: "", isFinal: true }), { kind: "repeat", last: 6 });
  sequencer.check(7, { text: "Done.", isFinal: true });
  assert.deepEqual(sequencer.check(6, { text: "", isFinal: true }), { kind: "repeat", last: 7 });
});

Deno.test("ChunkSequencer refuses a repeated number whose text or is_final differs", () => {
  const sequencer = new ChunkSequencer();
  sequencer.check(1, { text: "Hello. ", isFinal: false });
  sequencer.check(2, { text: "", isFinal: true });
  assert.deepEqual(sequencer.check(1, { text: "Second answer ", isFinal: false }), {
    kind: "conflict",
    differs: "text",
  });
  assert.deepEqual(sequencer.check(1, { text: "Hello. ", isFinal: true }), {
    kind: "conflict",
    differs: "is_final",
  });
  assert.deepEqual(sequencer.check(2, { text: "Bye.", isFinal: false }), {
    kind: "conflict",
    differs: "text and is_final",
  });
  // An empty chunk is content too: an empty non-final chunk is no retry of an empty final one.
  assert.deepEqual(sequencer.check(2, { text: "", isFinal: false }), {
    kind: "conflict",
    differs: "is_final",
  });
});

Deno.test("ChunkSequencer: a client restarting its numbers for each answer is refused, not ignored", () => {
  const sequencer = new ChunkSequencer();
  const first = [{ text: "Hello there. ", isFinal: false }, { text: "", isFinal: true }];
  const second = [
    { text: "A second answer ", isFinal: false },
    { text: "goes on. ", isFinal: false },
    { text: "", isFinal: true },
  ];
  first.forEach((chunk, i) => assert.equal(sequencer.check(i + 1, chunk).kind, "take"));
  assert.equal(sequencer.check(1, second[0]).kind, "conflict");
});

Deno.test("ChunkSequencer refuses a number it cannot check: older than its memory or the stream", () => {
  const sequencer = new ChunkSequencer();
  const count = RETRY_MEMORY_CHUNKS + 10;
  for (let n = 1; n <= count; n++) assert.equal(sequencer.check(n, content(n)).kind, "take");
  const oldest = count - RETRY_MEMORY_CHUNKS + 1;
  // The oldest remembered chunk is still checked...
  assert.equal(sequencer.check(oldest, content(oldest)).kind, "repeat");
  // ...one older is not, even with what was its content.
  assert.deepEqual(sequencer.check(oldest - 1, content(oldest - 1)), {
    kind: "unknown",
    oldest,
    last: count,
  });
  assert.deepEqual(sequencer.check(1, content(1)), { kind: "unknown", oldest, last: count });
  // A number below the one the stream started at was never received: no retry of anything.
  const late = new ChunkSequencer();
  late.check(7, content(7));
  late.check(8, content(8));
  assert.deepEqual(late.check(0, content(0)), { kind: "unknown", oldest: 7, last: 8 });
});

Deno.test("ChunkSequencer: after unnumbered chunks, a repeated 0 is checked against the first one", () => {
  const sequencer = new ChunkSequencer();
  const first = { text: "One ", isFinal: false };
  assert.equal(sequencer.check(0, first).kind, "take");
  assert.equal(sequencer.check(0, { text: "two ", isFinal: false }).kind, "take");
  assert.equal(sequencer.check(1, { text: "three.", isFinal: true }).kind, "take");
  assert.equal(sequencer.check(0, first).kind, "repeat");
  assert.equal(sequencer.check(0, { text: "two ", isFinal: false }).kind, "conflict");
});

Deno.test("ChunkSequencer reports a gap with the number it expected", () => {
  const sequencer = new ChunkSequencer();
  sequencer.check(0, content(0));
  sequencer.check(1, content(1));
  assert.deepEqual(sequencer.check(3, content(3)), { kind: "gap", expected: 2 });
  const unnumbered = new ChunkSequencer();
  unnumbered.check(0, content(0));
  unnumbered.check(0, content(0));
  assert.deepEqual(unnumbered.check(2, content(2)), { kind: "gap", expected: 1 });
});
