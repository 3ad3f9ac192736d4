import assert from "node:assert/strict";
import {
  MAX_UTTERANCES_PER_ROUND,
  planRound,
  randomChunks,
  randomInt,
  type RoundPlan,
  seededRandom,
  SILENT_TEXTS,
} from "./soak_plan.ts";

function rounds(seed: number, count: number): RoundPlan[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => planRound(random));
}

Deno.test("seededRandom repeats for a seed, differs between seeds, stays in [0, 1)", () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const first = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(first, Array.from({ length: 1000 }, () => b()));
  assert.notDeepEqual(first.slice(0, 10), Array.from({ length: 10 }, () => c()));
  assert.ok(first.every((x) => x >= 0 && x < 1));
  const mean = first.reduce((sum, x) => sum + x, 0) / first.length;
  assert.ok(mean > 0.4 && mean < 0.6, `mean ${mean}`);
});

Deno.test("randomInt covers both ends and nothing beyond", () => {
  const random = seededRandom(1);
  const seen = new Set(Array.from({ length: 500 }, () => randomInt(random, 3, 6)));
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
});

Deno.test("randomChunks cuts anywhere, within the length limit, and joins back", () => {
  const random = seededRandom(9);
  const text = "It costs $1,234.56 — or 12.5% less 🙂 than 3 March 2025.";
  for (let i = 0; i < 50; i++) {
    const chunks = randomChunks(text, random, 5);
    assert.equal(chunks.join(""), text);
    assert.ok(chunks.every((chunk) => [...chunk].length >= 1 && [...chunk].length <= 5));
  }
  assert.deepEqual(randomChunks("", random), []);
});

Deno.test("a round's utterances are consistent: chunks give the text, one delay each", () => {
  for (const round of rounds(5, 300)) {
    assert.ok(round.utterances.length >= 1 && round.utterances.length <= MAX_UTTERANCES_PER_ROUND);
    assert.ok(round.ending === "half-close" || round.ending === "end-session");
    for (const utterance of round.utterances) {
      assert.equal(utterance.chunks.join(""), utterance.text);
      assert.equal(utterance.delaysMs.length, utterance.chunks.length);
      assert.equal(utterance.delaysMs[0], 0);
      assert.ok(utterance.delaysMs.every((ms) => ms >= 0 && ms <= 40));
      if (utterance.kind !== "llm") assert.equal(utterance.chunks.length, 1);
      if (utterance.kind === "silent") assert.ok(SILENT_TEXTS.includes(utterance.text));
    }
  }
});

Deno.test("STOP only follows a text sent whole; nothing speakable gets no command", () => {
  for (const round of rounds(11, 300)) {
    for (const { action, chunks, kind } of round.utterances) {
      if (action.kind === "stop") assert.equal(chunks.length, 1);
      if (kind === "silent") assert.equal(action.kind, "none");
      if (action.kind !== "none") assert.ok(action.afterFrames >= 1);
      if (action.kind === "pause") assert.ok(action.holdMs >= 50 && action.holdMs <= 500);
    }
  }
});

Deno.test("a few hundred rounds hold every kind, command, chunking and ending", () => {
  const all = rounds(3, 300);
  const utterances = all.flatMap((round) => round.utterances);
  const kinds = new Set(utterances.map((u) => u.kind));
  assert.deepEqual([...kinds].sort(), ["llm", "long", "markup", "numbers", "short", "silent"]);
  const actions = new Set(utterances.map((u) => u.action.kind));
  assert.deepEqual([...actions].sort(), ["none", "pause", "stop"]);
  const streamed = utterances.filter((u) => u.kind === "llm");
  assert.ok(streamed.some((u) => u.chunks.at(-1) === ""), "word tokens end with an empty chunk");
  assert.ok(streamed.some((u) => u.chunks.at(-1) !== ""), "random cuts end in text");
  const cutsANumber = (chunks: readonly string[]) =>
    chunks.some((chunk, i) => /\d$/.test(chunk) && /^\d/.test(chunks[i + 1] ?? ""));
  assert.ok(streamed.some((u) => cutsANumber(u.chunks)), "some cut falls inside a number");
  assert.deepEqual(new Set(all.map((r) => r.ending)), new Set(["half-close", "end-session"]));
  assert.deepEqual(rounds(3, 300), all, "the same seed gives the same plan");
});
