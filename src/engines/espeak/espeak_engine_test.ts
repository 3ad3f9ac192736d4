import assert from "node:assert/strict";
import type { SynthesisOptions, VoiceModel } from "../engine.ts";
import {
  DEFAULT_ESPEAK_VOICE,
  ESPEAK_FAMILY,
  espeakAdapter,
  espeakRateForSpeed,
  espeakVoiceIds,
  listEspeakVoices,
} from "./espeak_engine.ts";
import { ESPEAK_MAX_RATE, ESPEAK_MIN_RATE } from "./espeak_wasm.ts";

const SENTENCE = "The quick brown fox jumps over the lazy dog.";
const NORMAL: SynthesisOptions = { speed: 1 };

function loadVoice(voiceName?: string): Promise<VoiceModel> {
  return espeakAdapter.load({ id: "espeak-test", family: ESPEAK_FAMILY, voiceName });
}

async function speak(
  voice: VoiceModel,
  text: string,
  options: SynthesisOptions = NORMAL,
): Promise<Float32Array> {
  return await voice.infer(await voice.prepare(text, options), options);
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

function peak(samples: Float32Array): number {
  let max = 0;
  for (const sample of samples) max = Math.max(max, Math.abs(sample));
  return max;
}

Deno.test("espeakAdapter: loads the default voice, en-us at 22050 Hz", async () => {
  const voice = await loadVoice();
  assert.equal(espeakAdapter.family, "espeak");
  assert.equal(DEFAULT_ESPEAK_VOICE, "en-us");
  assert.deepEqual(voice.info, {
    id: "espeak-test",
    family: "espeak",
    sampleRate: 22050,
    executionProvider: "wasm",
    languages: ["en-us"],
    speakers: [],
  });
  await voice.dispose();
});

Deno.test("espeakAdapter: an unknown voice or another family is refused with a clear message", async () => {
  await assert.rejects(
    loadVoice("en-zz"),
    /cannot load espeak model espeak-test: unknown espeak-ng voice "en-zz"/,
  );
  await assert.rejects(
    espeakAdapter.load({ id: "tiny", family: "piper", modelPath: "/nowhere.onnx" }),
    /model tiny is of family "piper", not "espeak"/,
  );
});

Deno.test("prepare: trims the text and gives its IPA, with no model ids", async () => {
  const voice = await loadVoice("en-us");
  const segment = await voice.prepare("  Hello, world. How are you?\n", NORMAL);
  assert.deepEqual(segment, {
    text: "Hello, world. How are you?",
    phonemes: "həlˈoʊ, wˈɜːld. hˈaʊ ɑːɹ juː?",
    ids: [],
  });
});

Deno.test("prepare: options.language picks another espeak-ng voice, and is checked", async () => {
  const voice = await loadVoice("en-us");
  assert.equal((await voice.prepare("tomato", NORMAL)).phonemes, "təmˈeɪɾoʊ");
  assert.equal(
    (await voice.prepare("tomato", { speed: 1, language: "en-gb" })).phonemes,
    "təmˈɑːtəʊ",
  );
  await assert.rejects(voice.prepare("tomato", { speed: 1, language: "en-zz" }), /en-zz/);
  const segment = await voice.prepare("tomato", NORMAL);
  await assert.rejects(voice.infer(segment, { speed: 1, language: "en-zz" }), /en-zz/);
});

Deno.test("infer: non-silent float PCM in [-1, 1] with a plausible duration", async () => {
  const voice = await loadVoice();
  const pcm = await speak(voice, SENTENCE);
  const seconds = pcm.length / voice.info.sampleRate;
  // Nine words at espeak-ng's 175 words per minute, with a little silence at each end.
  assert.ok(seconds > 1.5 && seconds < 4.5, `took ${seconds} s`);
  assert.ok(pcm.every((sample) => Number.isFinite(sample) && sample >= -1 && sample < 1));
  assert.ok(rms(pcm) > 0.02, `rms ${rms(pcm)}`);
  assert.ok(peak(pcm) > 0.25, `peak ${peak(pcm)}`);
  // Speech is not one long tone: its loudness varies between 50 ms windows.
  const window = Math.round(voice.info.sampleRate * 0.05);
  const loudness: number[] = [];
  for (let start = 0; start + window <= pcm.length; start += window) {
    loudness.push(rms(pcm.subarray(start, start + window)));
  }
  const [quietest, loudest] = [Math.min(...loudness), Math.max(...loudness)];
  assert.ok(quietest < loudest / 5, `loudness from ${quietest} to ${loudest}`);
  assert.ok(loudness.filter((value) => value > 0.05).length > loudness.length / 4, "much voice");
});

Deno.test("infer: longer text gives longer audio", async () => {
  const voice = await loadVoice();
  const short = await speak(voice, "Yes.");
  const long = await speak(voice, `${SENTENCE} ${SENTENCE}`);
  assert.ok(long.length > short.length * 4, `${short.length} vs ${long.length}`);
});

Deno.test("infer: speed scales the duration", async () => {
  const voice = await loadVoice();
  const normal = (await speak(voice, SENTENCE, { speed: 1 })).length;
  const double = (await speak(voice, SENTENCE, { speed: 2 })).length;
  const half = (await speak(voice, SENTENCE, { speed: 0.5 })).length;
  assert.ok(double / normal > 0.4 && double / normal < 0.65, `speed 2: ${double / normal}`);
  assert.ok(half / normal > 1.6 && half / normal < 2.4, `speed 0.5: ${half / normal}`);
});

Deno.test("espeakRateForSpeed: 175 words per minute times speed, clamped to 80-450", () => {
  assert.equal(espeakRateForSpeed(1), 175);
  assert.equal(espeakRateForSpeed(2), 350);
  assert.equal(espeakRateForSpeed(0.5), 88);
  assert.equal(espeakRateForSpeed(4), ESPEAK_MAX_RATE);
  assert.equal(espeakRateForSpeed(0.25), ESPEAK_MIN_RATE);
  assert.equal(espeakRateForSpeed(Number.NaN), 175);
  assert.equal(espeakRateForSpeed(Number.POSITIVE_INFINITY), 175);
});

Deno.test("infer: speeds beyond espeak-ng's range sound like its limits", async () => {
  const voice = await loadVoice();
  const fastest = (await speak(voice, SENTENCE, { speed: ESPEAK_MAX_RATE / 175 })).length;
  const beyond = (await speak(voice, SENTENCE, { speed: 4 })).length;
  // espeak-ng's output length varies by a few samples between runs at the same rate.
  assert.ok(Math.abs(beyond - fastest) < fastest * 0.05, `${beyond} vs ${fastest}`);
});

Deno.test("infer: empty, blank and control-only text give silence, not an error", async () => {
  const voice = await loadVoice();
  for (const text of ["", "   ", "\u0000\u0007", "\u001b\u0008\u007f"]) {
    const segment = await voice.prepare(text, NORMAL);
    assert.equal(segment.phonemes, "", JSON.stringify(text));
    const pcm = await voice.infer(segment, NORMAL);
    assert.ok(pcm.length < voice.info.sampleRate / 10, `${JSON.stringify(text)}: ${pcm.length}`);
    assert.equal(peak(pcm), 0, JSON.stringify(text));
  }
});

Deno.test("infer: control characters inside text are skipped, the words still spoken", async () => {
  const voice = await loadVoice();
  const clean = await speak(voice, "Hello world.");
  const dirty = await speak(voice, "Hello\u0000 world\u0007.");
  assert.ok(rms(dirty) > 0.02);
  assert.ok(Math.abs(dirty.length - clean.length) < clean.length * 0.1, `${dirty.length}`);
});

Deno.test("infer: an aborted signal rejects at once", async () => {
  const voice = await loadVoice();
  const segment = await voice.prepare(SENTENCE, NORMAL);
  const controller = new AbortController();
  controller.abort(new Error("client went away"));
  await assert.rejects(voice.infer(segment, NORMAL, controller.signal), /client went away/);
});

Deno.test("infer: aborting a queued call rejects it before the work ahead finishes", async () => {
  const voice = await loadVoice();
  const segment = await voice.prepare(`${SENTENCE} ${SENTENCE} ${SENTENCE}`, NORMAL);
  const order: string[] = [];
  const ahead = voice.infer(segment, NORMAL).then((pcm) => {
    order.push("ahead done");
    return pcm;
  });
  const controller = new AbortController();
  const queued = voice.infer(segment, NORMAL, controller.signal).then(
    () => order.push("queued done"),
    (error: unknown) => order.push(`queued rejected: ${(error as Error).name}`),
  );
  controller.abort();
  await Promise.all([ahead, queued]);
  assert.deepEqual(order, ["queued rejected: AbortError", "ahead done"]);
  assert.ok(rms(await ahead) > 0.02, "the call ahead is not disturbed");
});

Deno.test("infer: a signal that never aborts changes nothing", async () => {
  const voice = await loadVoice();
  const pcm = await voice.infer(
    await voice.prepare("Hello.", NORMAL),
    NORMAL,
    new AbortController().signal,
  );
  assert.ok(rms(pcm) > 0.02);
});

Deno.test("dispose: a disposed voice refuses work", async () => {
  const voice = await loadVoice();
  const segment = await voice.prepare("Hello.", NORMAL);
  await voice.dispose();
  await assert.rejects(voice.prepare("Hello.", NORMAL), /disposed/);
  await assert.rejects(voice.infer(segment, NORMAL), /disposed/);
});

Deno.test("listEspeakVoices and espeakVoiceIds: the voices espeak-ng offers", async () => {
  const voices = await listEspeakVoices();
  assert.ok(voices.some((voice) => voice.languages.includes("en-us")));
  const ids = await espeakVoiceIds();
  assert.deepEqual(ids, [...new Set(ids)].sort());
  for (const id of ["en-us", "en-gb", "de", "fr-fr"]) assert.ok(ids.includes(id), id);
});
