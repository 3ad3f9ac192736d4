/**
 * The soak's frame checks against a scripted peer: a clean stream passes, and each broken
 * invariant (sequence gap, a second final frame, no final frame, a wrong frame, a failed call) is
 * counted. The real worker is soaked in `soak_test.ts`; here the faults are made on purpose.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { TtsClient } from "../src/rpc/client.ts";
import type { AudioFrame, TextChunk } from "../src/rpc/messages.ts";
import { FRAME_BYTES } from "../src/pipeline/pcm.ts";
import type { RoundPlan, UtterancePlan } from "./soak_plan.ts";
import { runRound } from "./soak_session.ts";
import { SoakTally } from "./soak_tally.ts";

/** What the scripted peer answers to an utterance: frames (sequence, final, size), or an error. */
type Reply = { frames: [number, boolean, number?][] } | { error: number };

function frame(sessionId: string, sequence: number, isFinal: boolean, bytes = FRAME_BYTES) {
  return {
    session_id: sessionId,
    audio_data: new Uint8Array(bytes),
    sample_rate: 48000,
    frame_duration_ms: 20,
    sequence_number: sequence,
    is_final: isFinal,
  } satisfies AudioFrame;
}

/** A client whose Synthesize calls answer each final chunk with the next scripted reply. */
function scriptedClient(replies: Reply[]): TtsClient {
  const call = () => {
    const emitter = new EventEmitter();
    let ended = false;
    const finish = (event: string, value?: unknown) => {
      if (ended) return;
      ended = true;
      emitter.emit(event, value);
    };
    return Object.assign(emitter, {
      write(chunk: TextChunk) {
        if (!chunk.is_final) return true;
        const reply = replies.shift() ?? { frames: [] };
        setTimeout(() => {
          if ("error" in reply) return finish("error", { code: reply.error, details: "boom" });
          for (const [sequence, isFinal, bytes] of reply.frames) {
            emitter.emit("data", frame(chunk.session_id, sequence, isFinal, bytes));
          }
          if (!reply.frames.some(([, isFinal]) => isFinal)) finish("end");
        }, 1);
        return true;
      },
      end: () => setTimeout(() => finish("end"), 1),
      cancel: () => finish("error", { code: 1, details: "cancelled" }),
    });
  };
  const ok = { success: true, message: "ok" };
  return {
    synthesize: call,
    startSession: () => Promise.resolve(ok),
    endSession: () => Promise.resolve({ success: true }),
    control: () => Promise.resolve({ ...ok, timestamp_ms: 0 }),
  } as unknown as TtsClient;
}

const UTTERANCE: UtterancePlan = {
  kind: "short",
  text: "Yes.",
  chunks: ["Yes."],
  delaysMs: [0],
  action: { kind: "none" },
};
const TWO: RoundPlan = { utterances: [UTTERANCE, UTTERANCE], ending: "half-close" };

async function soak(replies: Reply[]): Promise<{ ok: boolean; tally: SoakTally }> {
  const tally = new SoakTally();
  const client = scriptedClient(replies);
  const target = { client, modelId: "", tally, stallMs: 2000 };
  const ok = await runRound(target, "s", TWO, performance.now() + 60_000);
  return { ok, tally };
}

Deno.test("a clean stream: frames counted, sequence continues across utterances", async () => {
  const { ok, tally } = await soak([
    { frames: [[0, false], [1, false], [2, true]] },
    { frames: [[3, false], [4, true]] },
  ]);
  assert.equal(ok, true);
  assert.equal(tally.framesReceived, 5);
  assert.equal(tally.sequenceGaps, 0);
  assert.equal(tally.badFinals, 0);
  assert.equal(tally.malformedFrames, 0);
  assert.equal(tally.errors, 0);
  assert.equal(tally.rounds, 1);
  assert.deepEqual(tally.utterances, { short: 2 });
  assert.equal(tally.jitterMs.length, 5);
  assert.equal(tally.ttfaMs.length, 2);
  assert.deepEqual(tally.samples, []);
});

Deno.test("a skipped or repeated sequence number is a gap", async () => {
  const { tally } = await soak([
    { frames: [[0, false], [2, true]] },
    { frames: [[3, false], [3, true]] },
  ]);
  assert.equal(tally.sequenceGaps, 2);
  assert.equal(tally.badFinals, 0);
  assert.match(tally.samples[0], /frame 2 came where 1 was due/);
});

Deno.test("a session's first frame must be 0", async () => {
  const { tally } = await soak([{ frames: [[5, true]] }, { frames: [[6, true]] }]);
  assert.equal(tally.sequenceGaps, 1);
});

Deno.test("a second final frame is a bad final, even when it comes late", async () => {
  const { tally } = await soak([
    { frames: [[0, true], [1, true]] },
    { frames: [[2, true]] },
  ]);
  assert.equal(tally.badFinals, 1);
  assert.equal(tally.sequenceGaps, 0);
});

Deno.test("an utterance whose stream ends without a final frame is a bad final", async () => {
  const { ok, tally } = await soak([{ frames: [[0, false], [1, false]] }]);
  assert.equal(ok, true, "the stream itself ended cleanly");
  assert.equal(tally.badFinals, 1);
  assert.deepEqual(tally.utterances, { short: 1 }, "the second utterance was never sent");
});

Deno.test("a frame of the wrong size is malformed", async () => {
  const { tally } = await soak([{ frames: [[0, true, 100]] }, { frames: [[1, true]] }]);
  assert.equal(tally.malformedFrames, 1);
});

Deno.test("a stream that fails is counted by its gRPC code, its utterance as a bad final", async () => {
  const { ok, tally } = await soak([{ error: 13 }]);
  assert.equal(ok, false);
  assert.deepEqual(tally.errorsByCode, { INTERNAL: 1 });
  assert.equal(tally.badFinals, 1);
});

Deno.test("an utterance with no frame for stallMs stalls and its call is cancelled", async () => {
  const tally = new SoakTally();
  const client = scriptedClient([{ frames: [[0, false]] }]);
  // The scripted peer ends the stream when no final frame is scripted; keep it open instead.
  const synthesize = client.synthesize.bind(client);
  const held = Object.assign(Object.create(client), {
    synthesize: () => {
      const call = synthesize();
      const emit = call.emit.bind(call);
      let cancelled = false;
      call.emit = (event: string, ...args: unknown[]) =>
        event === "end" && !cancelled ? false : emit(event, ...args);
      call.cancel = () => {
        cancelled = true;
        emit("error", { code: 1, details: "cancelled" });
      };
      return call;
    },
  }) as TtsClient;
  const target = { client: held, modelId: "", tally, stallMs: 300 };
  const plan: RoundPlan = { utterances: [UTTERANCE], ending: "half-close" };
  const ok = await runRound(target, "s", plan, performance.now() + 60_000);
  assert.equal(ok, false);
  assert.equal(tally.stalled, 1);
  assert.equal(tally.badFinals, 1);
  assert.deepEqual(tally.errorsByCode, {}, "the client's own cancel is not a worker error");
});
