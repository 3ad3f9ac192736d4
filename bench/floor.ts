/**
 * The floor: what synthesis costs with nothing around it, in the benchmark's own process. For a
 * Piper voice, the phoneme ids the worker would feed the model go through a bare onnxruntime-web
 * `InferenceSession.run` (no gRPC, no pipeline, no engine Worker, no run queue); for an espeak
 * voice, the espeak-ng WASM `synthesize` is called directly. Text is split into the segments the
 * worker would synthesise; ids are computed before the clock starts.
 *
 * @module
 */
import type * as Ort from "onnxruntime-web";
import type { ExecutionProviderPreference } from "../src/engines/engine.ts";
import { ESPEAK_DEFAULT_RATE, withEspeak } from "../src/engines/espeak/espeak_wasm.ts";
import { phonemize } from "../src/engines/espeak/phonemizer.ts";
import {
  createInferenceSession,
  type OnnxSession,
  outputsOnCpu,
} from "../src/engines/onnx_runtime.ts";
import { applyPhonemeMap, phonemesToIds } from "../src/engines/piper/phoneme_ids.ts";
import { loadPiperConfig, type PiperVoiceConfig } from "../src/engines/piper/piper_config.ts";
import type { ModelDescriptor } from "../src/models/model_store.ts";
import { workerSegments } from "./texts.ts";

/** One timed synthesis of a whole text at the floor. */
export interface FloorRun {
  /** Time spent synthesising, summed over the text's segments, in milliseconds. */
  readonly elapsedMs: number;
  /** Duration of the audio made, in milliseconds (at the voice's own sample rate). */
  readonly audioMs: number;
}

/** Synthesis of a voice at the floor. */
export interface Floor {
  /** What is timed, in words. */
  readonly method: string;
  /** Execution provider of the floor (`wasm` for espeak). */
  readonly executionProvider: string;
  /**
   * Prepares `text` once (untimed), split into the segments the worker would make of it; the
   * returned function synthesises them, timed.
   */
  prepare(text: string): Promise<() => Promise<FloorRun>>;
  /** As {@linkcode Floor.prepare}, for segments given as they are (already normalised). */
  prepareSegments(segments: readonly string[]): Promise<() => Promise<FloorRun>>;
  /** Frees what the floor holds. */
  release(): Promise<void>;
}

/** The floor of a voice: Piper through bare onnxruntime-web, espeak through its WASM directly. */
export function createFloor(
  descriptor: ModelDescriptor,
  executionProvider: ExecutionProviderPreference,
): Promise<Floor> {
  if (descriptor.family === "piper") return createPiperFloor(descriptor, executionProvider);
  return createEspeakFloor(descriptor.voiceName ?? "en-us");
}

/** Piper ids of one segment, as `PiperVoice.prepare` computes them (speed 1, no overrides). */
async function piperIds(
  text: string,
  config: PiperVoiceConfig,
): Promise<number[] | undefined> {
  const sentences = await phonemize(text, config.espeakVoice);
  const phonemes = sentences
    .map((sentence) => applyPhonemeMap(sentence.trim(), config.phonemeMap))
    .filter((sentence) => sentence.length > 0)
    .join(" ");
  // The engine makes no audio for a segment without phonemes.
  if (phonemes.trim() === "") return undefined;
  return phonemesToIds(phonemes, config.phonemeIdMap);
}

function piperFeeds(
  onnx: Pick<OnnxSession, "ort" | "session">,
  config: PiperVoiceConfig,
  ids: readonly number[],
): Record<string, Ort.Tensor> {
  const { Tensor } = onnx.ort;
  const feeds: Record<string, Ort.Tensor> = {
    input: new Tensor("int64", BigInt64Array.from(ids, (id) => BigInt(id)), [1, ids.length]),
    input_lengths: new Tensor("int64", BigInt64Array.of(BigInt(ids.length)), [1]),
    scales: new Tensor(
      "float32",
      Float32Array.of(config.noiseScale, config.lengthScale, config.noiseW),
      [3],
    ),
  };
  if (onnx.session.inputNames.includes("sid")) {
    feeds.sid = new Tensor("int64", BigInt64Array.of(0n), [1]);
  }
  return feeds;
}

/**
 * The Piper ids of each segment, segments without phonemes (for which the engine makes no audio)
 * left out.
 */
export async function piperSegmentIds(
  segments: readonly string[],
  config: PiperVoiceConfig,
): Promise<number[][]> {
  const prepared: number[][] = [];
  for (const segment of segments) {
    const ids = await piperIds(segment, config);
    if (ids) prepared.push(ids);
  }
  return prepared;
}

/**
 * One bare `InferenceSession.run` of a Piper model on `ids`, timed with the read-back of its
 * outputs (as the engine reads them: a WebGPU session leaves them on the GPU); returns a copy of
 * the samples.
 */
export async function runPiperTimed(
  onnx: Pick<OnnxSession, "ort" | "session">,
  config: PiperVoiceConfig,
  ids: readonly number[],
): Promise<{ samples: Float32Array; elapsedMs: number }> {
  const feeds = piperFeeds(onnx, config, ids);
  const started = performance.now();
  const outputs = await outputsOnCpu(onnx.ort, await onnx.session.run(feeds));
  const elapsedMs = performance.now() - started;
  const samples = new Float32Array(outputs[onnx.session.outputNames[0]].data as Float32Array);
  for (const tensor of Object.values(outputs)) tensor.dispose();
  return { samples, elapsedMs };
}

async function createPiperFloor(
  descriptor: ModelDescriptor,
  preference: ExecutionProviderPreference,
): Promise<Floor> {
  if (!descriptor.modelPath || !descriptor.configPath) {
    throw new Error(`Piper voice ${descriptor.id} is not downloaded`);
  }
  const config = await loadPiperConfig(descriptor.configPath);
  const onnx = await createInferenceSession(await Deno.readFile(descriptor.modelPath), preference);
  const runOnce = async (ids: readonly number[]): Promise<FloorRun> => {
    const { samples, elapsedMs } = await runPiperTimed(onnx, config, ids);
    return { elapsedMs, audioMs: (samples.length / config.sampleRate) * 1000 };
  };
  // Warm-up, as the engine does at load: the first run compiles kernels and sizes buffers.
  await runOnce(phonemesToIds("", config.phonemeIdMap));
  const prepareSegments = async (segments: readonly string[]) => {
    const prepared = await piperSegmentIds(segments, config);
    return async () => {
      let elapsedMs = 0;
      let audioMs = 0;
      for (const ids of prepared) {
        const run = await runOnce(ids);
        elapsedMs += run.elapsedMs;
        audioMs += run.audioMs;
      }
      return { elapsedMs, audioMs };
    };
  };
  return {
    method: "bare onnxruntime-web InferenceSession.run on the worker's phoneme ids, per segment",
    executionProvider: onnx.executionProvider,
    prepare: (text) => prepareSegments(workerSegments(text)),
    prepareSegments,
    release: () => onnx.session.release(),
  };
}

async function createEspeakFloor(voiceName: string): Promise<Floor> {
  const sampleRate = await withEspeak((espeak) => {
    espeak.selectVoice(voiceName);
    return espeak.sampleRate;
  });
  const synthesise = (segments: readonly string[]) =>
    withEspeak((espeak): FloorRun => {
      espeak.selectVoice(voiceName);
      let elapsedMs = 0;
      let samples = 0;
      for (const segment of segments) {
        const started = performance.now();
        samples += espeak.synthesize(segment, ESPEAK_DEFAULT_RATE).length;
        elapsedMs += performance.now() - started;
      }
      return { elapsedMs, audioMs: (samples / sampleRate) * 1000 };
    });
  // Warm-up: the first synthesis loads the voice data.
  await synthesise(["Warm up."]);
  return {
    method: "espeak-ng WASM synthesize() called directly, per segment",
    executionProvider: "wasm",
    prepare: (text) => Promise.resolve(() => synthesise(workerSegments(text))),
    prepareSegments: (segments) => Promise.resolve(() => synthesise(segments)),
    release: () => Promise.resolve(),
  };
}
