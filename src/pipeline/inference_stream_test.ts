import assert from "node:assert/strict";
import type {
  InferenceContext,
  PreparedSegment,
  SynthesisOptions,
  VoiceModel,
} from "../engines/engine.ts";
import { ESPEAK_FAMILY, espeakAdapter } from "../engines/espeak/espeak_engine.ts";
import { InferenceStream, type InferenceTiming } from "./inference_stream.ts";

const NORMAL: SynthesisOptions = { speed: 1 };

/** The real espeak voice, with every `infer()` context it is given recorded. */
async function recordingVoice(): Promise<{ voice: VoiceModel; contexts: unknown[] }> {
  const inner = await espeakAdapter.load({ id: "espeak-test", family: ESPEAK_FAMILY });
  const contexts: unknown[] = [];
  const voice: VoiceModel = {
    info: inner.info,
    prepare: (text, options) => inner.prepare(text, options),
    infer: (segment, options, signal, context?: InferenceContext) => {
      contexts.push(context);
      return inner.infer(segment, options, signal);
    },
    dispose: () => inner.dispose(),
  };
  return { voice, contexts };
}

async function run(
  voice: VoiceModel,
  texts: string[],
  stream: InferenceStream,
): Promise<Float32Array[]> {
  const segments: PreparedSegment[] = [];
  for (const text of texts) segments.push(await voice.prepare(text, NORMAL));
  const out: Float32Array[] = [];
  await ReadableStream.from(segments).pipeThrough(stream).pipeTo(
    new WritableStream({ write: (pcm) => void out.push(pcm) }),
  );
  return out;
}

Deno.test("InferenceStream: tells the voice the session and which segment is first", async () => {
  const { voice, contexts } = await recordingVoice();
  try {
    const timings: InferenceTiming[] = [];
    const pcm = await run(
      voice,
      ["Hello there.", "How are you?", "Fine."],
      new InferenceStream(voice, NORMAL, {
        sessionId: "call-42",
        onTiming: (t) => timings.push(t),
      }),
    );
    assert.equal(pcm.length, 3);
    assert.deepEqual(contexts, [
      { sessionId: "call-42", first: true },
      { sessionId: "call-42", first: false },
      { sessionId: "call-42", first: false },
    ]);
    assert.equal(timings.length, 3);
    for (const [i, timing] of timings.entries()) {
      assert.equal(timing.audioMs, (pcm[i].length / voice.info.sampleRate) * 1000);
    }
  } finally {
    await voice.dispose();
  }
});

Deno.test("InferenceStream: without a session id the voice gets no context", async () => {
  const { voice, contexts } = await recordingVoice();
  try {
    await run(voice, ["One.", "Two."], new InferenceStream(voice, NORMAL));
    assert.deepEqual(contexts, [undefined, undefined]);
  } finally {
    await voice.dispose();
  }
});

Deno.test("InferenceStream: an aborted signal stops before the next segment", async () => {
  const { voice, contexts } = await recordingVoice();
  try {
    const reason = new Error("barge-in");
    await assert.rejects(
      run(
        voice,
        ["One.", "Two."],
        new InferenceStream(voice, NORMAL, {
          signal: AbortSignal.abort(reason),
          sessionId: "s",
        }),
      ),
      (error) => error === reason,
    );
    assert.deepEqual(contexts, []);
  } finally {
    await voice.dispose();
  }
});

/** A voice whose inference takes `ms` and gives `samples` samples; it logs calls and returns. */
function timedVoice(ms: number, samples: number) {
  const events: string[] = [];
  let calls = 0;
  const voice: VoiceModel = {
    info: {
      id: "timed",
      family: "test",
      sampleRate: 16000,
      executionProvider: "wasm",
      languages: ["en"],
      speakers: [],
    },
    prepare: (text) => Promise.resolve({ text, phonemes: text, ids: [1] }),
    infer: async () => {
      const call = ++calls;
      events.push(`infer ${call} start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      events.push(`infer ${call} end`);
      return new Float32Array(samples).fill(call / 8);
    },
    dispose: () => Promise.resolve(),
  };
  return { voice, events };
}

Deno.test("InferenceStream: the next segment starts while the last one's audio is still being consumed", async () => {
  const { voice, events } = timedVoice(20, 160);
  const segments = ["a", "b", "c"].map((text) => ({ text, phonemes: text, ids: [1] }));
  const out: number[] = [];
  await ReadableStream.from(segments)
    .pipeThrough(new InferenceStream(voice, NORMAL))
    .pipeTo(
      new WritableStream({
        // A slow consumer (the resampler working through a long sentence).
        async write(pcm) {
          events.push(`consume ${pcm[0] * 8} start`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          events.push(`consume ${pcm[0] * 8} end`);
          out.push(pcm[0] * 8);
        },
      }),
    );
  assert.deepEqual(out, [1, 2, 3], "audio stays in order");
  // Inference 2 runs while segment 1's audio is consumed, not after.
  assert.ok(
    events.indexOf("infer 2 start") < events.indexOf("consume 1 end"),
    events.join(", "),
  );
  // Never two inferences of one utterance at once.
  for (const n of [1, 2]) {
    assert.ok(events.indexOf(`infer ${n} end`) < events.indexOf(`infer ${n + 1} start`));
  }
});
