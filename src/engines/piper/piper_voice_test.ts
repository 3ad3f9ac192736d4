import assert from "node:assert/strict";
import type { ExecutionProviderPreference, PreparedSegment, SynthesisOptions } from "../engine.ts";
import { probeWebGpu } from "../onnx_runtime.ts";
import { TINY_SAMPLES_PER_PHONEME, TINY_VOICES } from "../../../tests/fixtures/make_tiny_piper.ts";
import { phonemesToIds } from "./phoneme_ids.ts";
import { loadPiperConfig } from "./piper_config.ts";
import {
  loadPiperVoice,
  type PiperVoice,
  type PiperVoiceDeps,
  residentPiperModelCount,
} from "./piper_voice.ts";

const VOICES = new URL("../../../tests/fixtures/voices/", import.meta.url);
const TINY = "en_US-tiny-low";
const MULTI = "en_US-tinymulti-low";

/** Unit tests drive inference with ids directly; phonemisation is not under test here. */
const NO_PHONEMIZER: PiperVoiceDeps = {
  phonemize: () => Promise.reject(new Error("phonemizer not used in this test")),
};

const OPTIONS: SynthesisOptions = { speed: 1 };

function paths(voice: string) {
  const modelPath = new URL(`${voice}.onnx`, VOICES).pathname;
  return { modelPath, configPath: `${modelPath}.json` };
}

function load(
  voice: string,
  executionProvider: ExecutionProviderPreference = "wasm",
  deps: PiperVoiceDeps = NO_PHONEMIZER,
): Promise<PiperVoice> {
  return loadPiperVoice({ id: voice, family: "piper", executionProvider, ...paths(voice) }, deps);
}

async function segmentFor(voice: string, phonemes: string): Promise<PreparedSegment> {
  const config = await loadPiperConfig(paths(voice).configPath);
  return { text: phonemes, phonemes, ids: phonemesToIds(phonemes, config.phonemeIdMap) };
}

/** Runs `body` with a loaded voice and disposes it after. */
async function withVoice(
  voice: string,
  body: (v: PiperVoice) => Promise<void>,
  executionProvider: ExecutionProviderPreference = "wasm",
): Promise<void> {
  const loaded = await load(voice, executionProvider);
  try {
    await body(loaded);
  } finally {
    await loaded.dispose();
  }
}

Deno.test("a loaded voice describes itself from its config", async () => {
  const config = await loadPiperConfig(paths(TINY).configPath);
  await withVoice(TINY, (voice) => {
    assert.deepEqual(voice.info, {
      id: TINY,
      family: "piper",
      sampleRate: config.sampleRate,
      executionProvider: "wasm",
      languages: [config.espeakVoice],
      speakers: [],
    });
    return Promise.resolve();
  });
  const multi = await loadPiperConfig(paths(MULTI).configPath);
  await withVoice(MULTI, (voice) => {
    assert.equal(voice.info.sampleRate, multi.sampleRate);
    assert.deepEqual(voice.info.speakers, [...multi.speakerIdMap.keys()]);
    return Promise.resolve();
  });
});

Deno.test("audio length is phonemes x frame, scaled by length_scale / speed", async () => {
  await withVoice(TINY, async (voice) => {
    const segment = await segmentFor(TINY, "həlˈoʊ wˈɜːld");
    for (const speed of [0.5, 1, 2, 4]) {
      const audio = await voice.infer(segment, { speed });
      const frame = Math.round(TINY_SAMPLES_PER_PHONEME * voice.config.lengthScale / speed);
      assert.equal(audio.length, segment.ids.length * frame, `speed ${speed}`);
    }
  });
});

Deno.test("inference is deterministic and returns a copy", async () => {
  await withVoice(TINY, async (voice) => {
    const segment = await segmentFor(TINY, "həlˈoʊ");
    const first = await voice.infer(segment, OPTIONS);
    const second = await voice.infer(segment, OPTIONS);
    assert.deepEqual(first, second);
    first.fill(0);
    assert.notDeepEqual(first, second);
    assert.ok(second.some((s) => Math.abs(s) > 0.1), "voiced phonemes are audible");
    assert.ok(second.every((s) => Math.abs(s) <= 1), "samples stay in [-1, 1]");
  });
});

Deno.test("different phonemes give different audio", async () => {
  await withVoice(TINY, async (voice) => {
    const a = await voice.infer(await segmentFor(TINY, "həlˈoʊ"), OPTIONS);
    const b = await voice.infer(await segmentFor(TINY, "ɡʊdbˈaɪ"), OPTIONS);
    const n = Math.min(a.length, b.length);
    assert.notDeepEqual(a.subarray(0, n), b.subarray(0, n));
  });
});

Deno.test("the noise scale override changes the audio", async () => {
  await withVoice(TINY, async (voice) => {
    const segment = await segmentFor(TINY, "həlˈoʊ");
    const byConfig = await voice.infer(segment, OPTIONS);
    const same = await voice.infer(segment, { speed: 1, noiseScale: voice.config.noiseScale });
    const quiet = await voice.infer(segment, { speed: 1, noiseScale: 0 });
    assert.deepEqual(byConfig, same);
    assert.notDeepEqual(byConfig, quiet);
    await assert.rejects(voice.infer(segment, { speed: 1, noiseScale: -1 }), /noise scale/);
  });
});

Deno.test("the speaker selects sid by name or index and changes the audio", async () => {
  await withVoice(MULTI, async (voice) => {
    const segment = await segmentFor(MULTI, "həlˈoʊ");
    const [first, second] = voice.info.speakers;
    const byDefault = await voice.infer(segment, OPTIONS);
    const byFirst = await voice.infer(segment, { speed: 1, speaker: first });
    const bySecond = await voice.infer(segment, { speed: 1, speaker: second });
    const byIndex = await voice.infer(segment, { speed: 1, speaker: "1" });
    assert.deepEqual(byDefault, byFirst);
    assert.deepEqual(bySecond, byIndex);
    assert.equal(byFirst.length, bySecond.length);
    assert.notDeepEqual(byFirst, bySecond);
    await assert.rejects(
      voice.infer(segment, { speed: 1, speaker: "nobody" }),
      (e: Error) => e.message.includes("nobody") && e.message.includes(second),
    );
    await assert.rejects(
      voice.infer(segment, { speed: 1, speaker: String(voice.info.speakers.length) }),
      /no speaker/,
    );
  });
});

Deno.test("a single-speaker voice accepts speaker 0 and rejects others", async () => {
  await withVoice(TINY, async (voice) => {
    const segment = await segmentFor(TINY, "həlˈoʊ");
    assert.deepEqual(
      await voice.infer(segment, { speed: 1, speaker: "0" }),
      await voice.infer(segment, OPTIONS),
    );
    await assert.rejects(voice.infer(segment, { speed: 1, speaker: "ada" }), /single speaker/);
  });
});

Deno.test("a segment without phonemes gives no audio", async () => {
  await withVoice(TINY, async (voice) => {
    const audio = await voice.infer({ text: "", phonemes: " ", ids: [1, 0, 2] }, OPTIONS);
    assert.equal(audio.length, 0);
  });
});

Deno.test("an aborted signal rejects inference", async () => {
  await withVoice(TINY, async (voice) => {
    const segment = await segmentFor(TINY, "həlˈoʊ");
    await assert.rejects(
      voice.infer(segment, OPTIONS, AbortSignal.abort(new Error("client went away"))),
      /client went away/,
    );
  });
});

Deno.test("voices loaded from one model share its session until the last is disposed", async () => {
  const segment = await segmentFor(TINY, "həlˈoʊ");
  const before = residentPiperModelCount();
  const [first, second] = await Promise.all([load(TINY), load(TINY)]);
  assert.equal(residentPiperModelCount(), before + 1);
  const reference = await first.infer(segment, OPTIONS);
  await first.dispose();
  await first.dispose();
  assert.equal(residentPiperModelCount(), before + 1);
  await assert.rejects(first.infer(segment, OPTIONS), /disposed/);
  assert.deepEqual(await second.infer(segment, OPTIONS), reference);
  await second.dispose();
  assert.equal(residentPiperModelCount(), before);
  const third = await load(TINY);
  assert.equal(residentPiperModelCount(), before + 1);
  assert.deepEqual(await third.infer(segment, OPTIONS), reference);
  await third.dispose();
  assert.equal(residentPiperModelCount(), before);
});

Deno.test("prepare joins sentences, applies the voice, ids and reports missing phonemes", async () => {
  const calls: string[][] = [];
  const reported: Record<string, number>[] = [];
  const deps: PiperVoiceDeps = {
    phonemize: (text, voice) => {
      calls.push([text, voice]);
      // What espeak-ng gives for "Hello world. How are you?", plus a zero-width joiner.
      return Promise.resolve(["həlˈo\u200Dʊ wˈɜːld.", " hˈaʊ ɑːɹ juː? "]);
    },
    onMissingPhonemes: (_id, missing) => reported.push(Object.fromEntries(missing)),
  };
  const voice = await load(TINY, "wasm", deps);
  try {
    const text = "Hello world. How are you?";
    const segment = await voice.prepare(text, OPTIONS);
    assert.deepEqual(calls, [[text, voice.config.espeakVoice]]);
    assert.equal(segment.text, text);
    assert.equal(segment.phonemes, "həlˈo\u200Dʊ wˈɜːld. hˈaʊ ɑːɹ juː?");
    assert.deepEqual(segment.ids, phonemesToIds(segment.phonemes, voice.config.phonemeIdMap));
    assert.deepEqual(reported, [{ "\u200D": 1 }]);
    await voice.prepare("Bonjour", { speed: 1, language: "fr" });
    assert.deepEqual(calls[1], ["Bonjour", "fr"]);
  } finally {
    await voice.dispose();
  }
});

Deno.test("loading fails clearly for missing paths, missing files and mismatched configs", async () => {
  await assert.rejects(
    loadPiperVoice({ id: "x", family: "piper", configPath: "a.json" }, NO_PHONEMIZER),
    /no modelPath/,
  );
  const { modelPath, configPath } = paths(TINY);
  await assert.rejects(
    loadPiperVoice({ id: "x", family: "piper", modelPath }, NO_PHONEMIZER),
    /no configPath/,
  );
  const absent = `${modelPath}.absent`;
  await assert.rejects(
    loadPiperVoice({ id: "x", family: "piper", modelPath: absent, configPath }, NO_PHONEMIZER),
    (e: Error) => e.message.includes(absent),
  );
  // The single-speaker model with the multi-speaker config: the model has no "sid" input.
  await assert.rejects(
    loadPiperVoice(
      { id: "x", family: "piper", modelPath, configPath: paths(MULTI).configPath },
      NO_PHONEMIZER,
    ),
    (e: Error) => e.message.includes(modelPath) && e.message.includes('"sid"'),
  );
  // A config is not a model.
  await assert.rejects(
    loadPiperVoice(
      { id: "x", family: "piper", modelPath: configPath, configPath },
      NO_PHONEMIZER,
    ),
    (e: Error) => e.message.includes(`cannot load Piper model ${configPath}`),
  );
});

Deno.test("a config whose espeak voice the phonemizer cannot speak fails to load, saying so", async () => {
  const checked: string[] = [];
  const deps: PiperVoiceDeps = {
    ...NO_PHONEMIZER,
    checkEspeakVoice: (voice) => {
      checked.push(voice);
      return Promise.reject(new Error(`unknown voice ${voice}`));
    },
  };
  await assert.rejects(
    load(TINY, "wasm", deps),
    /Piper voice en_US-tiny-low: its espeak voice "en-us" \(espeak.voice in .*en_US-tiny-low\.onnx\.json\) cannot be used: unknown voice en-us/,
  );
  assert.deepEqual(checked, ["en-us"]);
  assert.equal(residentPiperModelCount(), 0, "the model was released");
  const accepted = await load(TINY, "wasm", {
    ...NO_PHONEMIZER,
    checkEspeakVoice: () => Promise.resolve(),
  });
  await accepted.dispose();
});

Deno.test("every tiny voice fixture loads", async () => {
  for (const spec of TINY_VOICES) {
    await withVoice(spec.id, (voice) => {
      assert.equal(voice.info.sampleRate, spec.sampleRate);
      assert.deepEqual(voice.info.speakers, spec.speakers);
      return Promise.resolve();
    });
  }
});

const probe = await probeWebGpu();
const allowNoWebGpu = Deno.env.get("TTS_ALLOW_NO_WEBGPU") === "1";
if (!probe.adapter) {
  console.error(
    `\n!!! WebGPU is NOT available in this run: ${probe.reason}.\n` +
      `!!! The Piper WebGPU test ${
        allowNoWebGpu ? "is SKIPPED (TTS_ALLOW_NO_WEBGPU=1)" : "will FAIL"
      }. Install Mesa's Vulkan drivers (mesa-vulkan-drivers) for a software adapter.\n`,
  );
}

Deno.test({
  name: "a voice on the webgpu execution provider sounds like on wasm",
  ignore: !probe.adapter && allowNoWebGpu,
  // onnxruntime's WebGPU device lives as long as the process.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(probe.adapter, `WebGPU is unavailable: ${probe.reason}`);
    const segment = await segmentFor(MULTI, "həlˈoʊ wˈɜːld. hˈaʊ ɑːɹ juː?");
    const options: SynthesisOptions = { speed: 0.8, speaker: "cleo" };
    const gpu = await load(MULTI, "webgpu");
    const cpu = await load(MULTI, "wasm");
    try {
      assert.equal(gpu.info.executionProvider, "webgpu");
      const onGpu = await gpu.infer(segment, options);
      const onCpu = await cpu.infer(segment, options);
      assert.equal(onGpu.length, onCpu.length);
      let maxDiff = 0;
      for (let i = 0; i < onCpu.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(onGpu[i] - onCpu[i]));
      }
      assert.ok(maxDiff < 1e-4, `webgpu and wasm differ by up to ${maxDiff}`);
    } finally {
      await gpu.dispose();
      await cpu.dispose();
    }
  },
});
