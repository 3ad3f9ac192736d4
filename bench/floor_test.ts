import assert from "node:assert/strict";
import { espeakAdapter } from "../src/engines/espeak/espeak_engine.ts";
import { piperAdapter } from "../src/engines/piper/piper_engine.ts";
import type { VoiceModel } from "../src/engines/engine.ts";
import { ModelStore } from "../src/models/model_store.ts";
import { createFloor } from "./floor.ts";
import { SHORT_TEXT, workerSegments } from "./texts.ts";

const FIXTURE_VOICES = new URL("../tests/fixtures/voices/", import.meta.url).pathname;
const TEXT = `${SHORT_TEXT} Then a second sentence, with a clause.`;

/** Audio the engine itself makes for the worker's segments of `text`, in ms. */
async function engineAudioMs(voice: VoiceModel, text: string): Promise<number> {
  const options = { speed: 1 };
  let samples = 0;
  for (const segment of workerSegments(text)) {
    samples += (await voice.infer(await voice.prepare(segment, options), options)).length;
  }
  return (samples / voice.info.sampleRate) * 1000;
}

/** `tolerance`: how far (relative) audio lengths may differ; espeak-ng varies a little per run. */
async function assertFloorMatchesEngine(
  modelId: string,
  load: () => Promise<VoiceModel>,
  tolerance: number,
) {
  const descriptor = await new ModelStore(FIXTURE_VOICES).resolve(modelId);
  assert.ok(descriptor, `${modelId} resolves`);
  const floor = await createFloor(descriptor, "wasm");
  const voice = await load();
  try {
    assert.equal(floor.executionProvider, "wasm");
    const run = await floor.prepare(TEXT);
    const first = await run();
    const second = await run();
    for (const timed of [first, second]) {
      assert.ok(Number.isFinite(timed.elapsedMs) && timed.elapsedMs > 0, `${timed.elapsedMs}`);
    }
    // Same text, same segments, same ids: the same audio as the engine makes, run after run.
    assert.ok(first.audioMs > 1000, `audio ${first.audioMs} ms`);
    const engine = await engineAudioMs(voice, TEXT);
    for (const audioMs of [second.audioMs, engine]) {
      assert.ok(
        Math.abs(audioMs - first.audioMs) <= tolerance * first.audioMs,
        `floor audio ${first.audioMs} ms against ${audioMs} ms`,
      );
    }
  } finally {
    await voice.dispose();
    await floor.release();
  }
}

Deno.test("the Piper floor runs the ids the engine runs (same audio length)", async () => {
  await assertFloorMatchesEngine("en_US-tiny-low", () =>
    piperAdapter.load({
      id: "en_US-tiny-low",
      family: "piper",
      modelPath: `${FIXTURE_VOICES}en_US-tiny-low.onnx`,
      configPath: `${FIXTURE_VOICES}en_US-tiny-low.onnx.json`,
      executionProvider: "wasm",
    }), 0);
});

Deno.test("the espeak floor synthesises the worker's segments directly", async () => {
  await assertFloorMatchesEngine(
    "espeak-en-us",
    () => espeakAdapter.load({ id: "espeak-en-us", family: "espeak", voiceName: "en-us" }),
    0.02,
  );
});
