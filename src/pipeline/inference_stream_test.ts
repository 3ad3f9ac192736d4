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
