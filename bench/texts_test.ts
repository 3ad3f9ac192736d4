import assert from "node:assert/strict";
import {
  chunkCompletingFirstClause,
  chunkCompletingFirstSegment,
  llmTokens,
  LONG_TEXT,
  SHORT_TEXT,
  STREAMED_TEXT,
  workerSegments,
} from "./texts.ts";

Deno.test("llmTokens keeps the whitespace before each word", () => {
  assert.deepEqual(llmTokens("Well, I  think."), ["Well,", " I", "  think."]);
  assert.equal(llmTokens(STREAMED_TEXT).join(""), STREAMED_TEXT);
  assert.deepEqual(llmTokens(""), []);
});

Deno.test("a sentence is complete once the whitespace after its full stop arrives", () => {
  assert.equal(chunkCompletingFirstSegment(["It", " is", " done.", " Next", " one."]), 3);
});

Deno.test("the streamed text completes its first segment before its last token", () => {
  const tokens = llmTokens(STREAMED_TEXT);
  const index = chunkCompletingFirstSegment(tokens);
  assert.ok(index > 0 && index < tokens.length - 1, `index ${index} of ${tokens.length}`);
});

Deno.test("the first clause is complete one token before the segmenter can tell", () => {
  const tokens = llmTokens(STREAMED_TEXT);
  const clause = chunkCompletingFirstClause(tokens);
  assert.equal(tokens[clause], " things,");
  assert.equal(chunkCompletingFirstSegment(tokens), clause + 1);
  // A sentence sent whole, or ending in its last chunk, is complete with that chunk.
  assert.equal(chunkCompletingFirstClause([SHORT_TEXT]), 0);
  assert.equal(chunkCompletingFirstClause(["It", " is", " done.", " Next", " one."]), 2);
  assert.equal(chunkCompletingFirstClause(["no", " boundary", " here"]), 2);
});

Deno.test("text without a boundary completes its first segment only at the end", () => {
  assert.equal(chunkCompletingFirstSegment(["no", " boundary", " here"]), 3);
});

Deno.test("workerSegments gives the text back in segments, the paragraph in several", () => {
  assert.equal(workerSegments(SHORT_TEXT).join(" "), SHORT_TEXT);
  const segments = workerSegments(LONG_TEXT);
  assert.ok(segments.length >= 6, `segments: ${segments.length}`);
  assert.ok(segments[0].startsWith("Streaming speech synthesis"));
});
