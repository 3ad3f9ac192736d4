import assert from "node:assert/strict";
import { TINY_SAMPLES_PER_PHONEME } from "../../../tests/fixtures/make_tiny_piper.ts";
import { phonemesToIds } from "./phoneme_ids.ts";
import { createMissingPhonemesWarner, PIPER_FAMILY, piperAdapter } from "./piper_engine.ts";
import type { PiperVoice } from "./piper_voice.ts";
import { createTempDir } from "../../../tests/support/temp_dir.ts";

const MODEL = new URL("../../../tests/fixtures/voices/en_US-tiny-low.onnx", import.meta.url)
  .pathname;

/** Native espeak-ng's IPA for `text`, words of all its lines. */
async function nativeIpaWords(text: string, voice: string): Promise<string[]> {
  const { stdout, success } = await new Deno.Command("espeak-ng", {
    args: ["-q", "--ipa", "-v", voice, text],
    stdout: "piped",
  }).output();
  assert.ok(success, "espeak-ng ran");
  return new TextDecoder().decode(stdout).split(/\s+/).filter((w) => w).map((w) =>
    w.normalize("NFD")
  );
}

Deno.test("text to audio: espeak-ng phonemes, Piper ids, tiny-model inference", async () => {
  assert.equal(piperAdapter.family, PIPER_FAMILY);
  const voice = await piperAdapter.load({
    id: "en_US-tiny-low",
    family: "piper",
    modelPath: MODEL,
    configPath: `${MODEL}.json`,
    executionProvider: "wasm",
  }) as PiperVoice;
  try {
    const text = "Hello world. How are you?";
    const segment = await voice.prepare(text, { speed: 1 });
    assert.equal(segment.text, text);
    // Every word native espeak-ng speaks is in the segment, with Piper's punctuation kept.
    for (const word of await nativeIpaWords(text, voice.config.espeakVoice)) {
      assert.ok(segment.phonemes.includes(word), `"${word}" in "${segment.phonemes}"`);
    }
    assert.match(segment.phonemes, /\.\s.*\?$/u);
    assert.deepEqual(segment.ids, phonemesToIds(segment.phonemes, voice.config.phonemeIdMap));
    const audio = await voice.infer(segment, { speed: 1 });
    assert.equal(audio.length, segment.ids.length * TINY_SAMPLES_PER_PHONEME);
    assert.ok(audio.some((s) => Math.abs(s) > 0.1), "the segment is audible");
    const faster = await voice.infer(segment, { speed: 2 });
    assert.equal(faster.length, segment.ids.length * TINY_SAMPLES_PER_PHONEME / 2);
  } finally {
    await voice.dispose();
  }
});

Deno.test("missing phonemes are warned about once per voice and phoneme", () => {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.join(" "));
  try {
    const warn = createMissingPhonemesWarner();
    warn("v1", new Map([["\u200D", 2]]));
    warn("v1", new Map([["\u200D", 1], ["€", 1]]));
    warn("v2", new Map([["\u200D", 1]]));
    warn("v1", new Map([["€", 3]]));
  } finally {
    console.warn = original;
  }
  assert.equal(warnings.length, 3);
  assert.match(warnings[0], /v1.*U\+200D/);
  assert.match(warnings[1], /v1.*U\+20AC/);
  assert.doesNotMatch(warnings[1], /200D/);
  assert.match(warnings[2], /v2.*U\+200D/);
});

Deno.test("a config naming an espeak voice espeak-ng does not have fails at load, not at each utterance", async () => {
  await using dir = await createTempDir("piper_engine_test_");
  const config = JSON.parse(await Deno.readTextFile(`${MODEL}.json`));
  config.espeak.voice = "xx-nonexistent";
  const configPath = `${dir.path}/voice.onnx.json`;
  await Deno.writeTextFile(configPath, JSON.stringify(config));
  await assert.rejects(
    piperAdapter.load({
      id: "en_XX-tiny-low",
      family: "piper",
      modelPath: MODEL,
      configPath,
      executionProvider: "wasm",
    }),
    /its espeak voice "xx-nonexistent" \(espeak.voice in .*voice\.onnx\.json\) cannot be used/,
  );
});
