/**
 * A loaded Piper (VITS) voice: one onnxruntime-web session per model file, shared by every
 * `VoiceModel` loaded from it, plus the voice's config.
 *
 * @module
 */
import type {
  ExecutionProviderPreference,
  PreparedSegment,
  SynthesisOptions,
  VoiceInfo,
  VoiceModel,
  VoiceSource,
} from "../engine.ts";
import { createInferenceSession, type OnnxFeeds, type OnnxSession } from "../onnx_runtime.ts";
import { applyPhonemeMap, phonemesToIds } from "./phoneme_ids.ts";
import { loadPiperConfig, type PiperVoiceConfig } from "./piper_config.ts";
import { errorMessage } from "../../error_message.ts";

/** Phonemises text with an espeak-ng voice: one IPA string per sentence, punctuation kept. */
export type Phonemizer = (text: string, voice: string) => Promise<string[]>;

/** Told of phonemes a voice's id map lacks (they are skipped), with their counts in one segment. */
export type MissingPhonemesReporter = (
  voiceId: string,
  missing: ReadonlyMap<string, number>,
) => void;

/** What a Piper voice needs besides its files. */
export interface PiperVoiceDeps {
  /** Turns text into phonemes (espeak-ng IPA). */
  readonly phonemize: Phonemizer;
  /** Receives phonemes missing from the id map; by default they are ignored. */
  readonly onMissingPhonemes?: MissingPhonemesReporter;
  /**
   * Rejects, saying why, when the phonemizer cannot speak the espeak-ng voice a config names, so
   * that such a voice fails to load instead of failing every utterance; by default not checked.
   */
  readonly checkEspeakVoice?: (espeakVoice: string) => Promise<void>;
}

/** Names of Piper's model inputs and output. */
const INPUT = "input";
const INPUT_LENGTHS = "input_lengths";
const SCALES = "scales";
const SID = "sid";

/** A Piper model file with its config and its single inference session. */
interface PiperModel {
  readonly config: PiperVoiceConfig;
  readonly onnx: OnnxSession;
  readonly hasSid: boolean;
  readonly outputName: string;
}

/** A shared model and how many loaded voices use it. */
interface ModelEntry {
  readonly model: Promise<PiperModel>;
  users: number;
}

const models = new Map<string, ModelEntry>();

async function openModel(
  modelPath: string,
  configPath: string,
  preference: ExecutionProviderPreference,
): Promise<PiperModel> {
  const config = await loadPiperConfig(configPath);
  if (config.phonemeType !== "espeak") {
    throw new Error(
      `Piper config ${configPath}: phoneme_type "${config.phonemeType}" is not supported (only "espeak")`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(modelPath);
  } catch (error) {
    throw new Error(`cannot read Piper model ${modelPath}: ${errorMessage(error)}`);
  }
  let onnx: OnnxSession;
  try {
    onnx = await createInferenceSession(bytes, preference);
  } catch (error) {
    throw new Error(`cannot load Piper model ${modelPath}: ${errorMessage(error)}`);
  }
  try {
    const inputs = onnx.session.inputNames;
    for (const name of [INPUT, INPUT_LENGTHS, SCALES]) {
      if (!inputs.includes(name)) {
        throw new Error(`model has no "${name}" input (inputs: ${inputs.join(", ")})`);
      }
    }
    const hasSid = inputs.includes(SID);
    if (config.numSpeakers > 1 && !hasSid) {
      throw new Error(`config has ${config.numSpeakers} speakers but the model has no "sid" input`);
    }
    const outputName = onnx.session.outputNames[0];
    if (!outputName) throw new Error("model has no output");
    const model: PiperModel = { config, onnx, hasSid, outputName };
    // Warm-up: the first run compiles kernels and sizes buffers.
    const warmUp = phonemesToIds(config.phonemeIdMap.has("ə") ? "ə" : "", config.phonemeIdMap);
    await runModel(model, warmUp, config.noiseScale, config.lengthScale, 0);
    return model;
  } catch (error) {
    await onnx.release().catch(() => undefined);
    throw new Error(`Piper model ${modelPath} does not fit its config: ${errorMessage(error)}`);
  }
}

async function runModel(
  model: PiperModel,
  ids: readonly number[],
  noiseScale: number,
  lengthScale: number,
  speakerId: number,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const { Tensor } = model.onnx.ort;
  const feeds: OnnxFeeds = {
    [INPUT]: new Tensor("int64", BigInt64Array.from(ids, (id) => BigInt(id)), [1, ids.length]),
    [INPUT_LENGTHS]: new Tensor("int64", BigInt64Array.of(BigInt(ids.length)), [1]),
    [SCALES]: new Tensor(
      "float32",
      Float32Array.of(noiseScale, lengthScale, model.config.noiseW),
      [3],
    ),
  };
  if (model.hasSid) feeds[SID] = new Tensor("int64", BigInt64Array.of(BigInt(speakerId)), [1]);
  const outputs = await model.onnx.run(feeds, signal);
  const output = outputs[model.outputName];
  try {
    if (output.type !== "float32") {
      throw new Error(`model output "${model.outputName}" is ${output.type}, not float32`);
    }
    // Copy out: the tensor's buffer belongs to onnxruntime.
    return new Float32Array(output.data as Float32Array);
  } finally {
    for (const tensor of Object.values(outputs)) tensor.dispose();
  }
}

/**
 * The cache key of a model: its files as they are now (path, size and modification time) and the
 * execution provider wanted. A file rewritten on disk gets a new key, so that loading it again
 * (RELOAD) reads it again instead of reusing the session made from its former content.
 */
async function modelKey(
  modelPath: string,
  configPath: string,
  preference: ExecutionProviderPreference,
): Promise<string> {
  const identity = async (path: string) => {
    try {
      const info = await Deno.stat(path);
      return [path, info.size, info.mtime?.getTime() ?? null];
    } catch {
      return [path, "missing"]; // opening it reports what is wrong
    }
  };
  return JSON.stringify([await identity(modelPath), await identity(configPath), preference]);
}

async function acquireModel(key: string, open: () => Promise<PiperModel>): Promise<PiperModel> {
  let entry = models.get(key);
  if (!entry) {
    const created: ModelEntry = { model: open(), users: 0 };
    created.model.catch(() => {
      if (models.get(key) === created) models.delete(key);
    });
    models.set(key, created);
    entry = created;
  }
  entry.users++;
  try {
    return await entry.model;
  } catch (error) {
    entry.users--;
    throw error;
  }
}

async function releaseModel(key: string): Promise<void> {
  const entry = models.get(key);
  if (!entry) return;
  entry.users--;
  if (entry.users > 0) return;
  models.delete(key);
  await (await entry.model).onnx.release();
}

/** How many Piper model sessions are resident (each shared by every voice loaded from it). */
export function residentPiperModelCount(): number {
  return models.size;
}

/** Speaker names of a config, in speaker-id order (indices when the config names none). */
function speakerNames(config: PiperVoiceConfig): string[] {
  if (config.numSpeakers <= 1) return [];
  if (config.speakerIdMap.size === 0) {
    return Array.from({ length: config.numSpeakers }, (_, i) => String(i));
  }
  return [...config.speakerIdMap.entries()].sort((a, b) => a[1] - b[1]).map(([name]) => name);
}

/**
 * Resolves a speaker name or numeric index to a speaker id; undefined or empty means speaker 0.
 * Throws an Error naming the known speakers when the voice has no such speaker.
 */
export function resolvePiperSpeaker(
  config: PiperVoiceConfig,
  speaker: string | undefined,
  voiceId: string,
): number {
  if (speaker === undefined || speaker === "") return 0;
  const named = config.speakerIdMap.get(speaker);
  if (named !== undefined) return named;
  if (/^\d+$/.test(speaker)) {
    const index = Number(speaker);
    if (index < config.numSpeakers) return index;
  }
  const known = speakerNames(config);
  throw new Error(
    known.length === 0
      ? `voice ${voiceId} has a single speaker; speaker "${speaker}" does not exist (use 0)`
      : `voice ${voiceId} has no speaker "${speaker}"; speakers: ${known.join(", ")} ` +
        `(or an index 0-${config.numSpeakers - 1})`,
  );
}

/** A Piper voice as a `VoiceModel`. Create it with {@linkcode loadPiperVoice}. */
export class PiperVoice implements VoiceModel {
  readonly #key: string;
  readonly #model: PiperModel;
  readonly #deps: PiperVoiceDeps;
  #disposed = false;

  /** What the voice is. */
  readonly info: VoiceInfo;

  /** Wraps a model already acquired from the shared cache; use {@linkcode loadPiperVoice}. */
  private constructor(source: VoiceSource, key: string, model: PiperModel, deps: PiperVoiceDeps) {
    this.#key = key;
    this.#model = model;
    this.#deps = deps;
    this.info = Object.freeze({
      id: source.id,
      family: source.family,
      sampleRate: model.config.sampleRate,
      executionProvider: model.onnx.executionProvider,
      languages: Object.freeze([model.config.espeakVoice]),
      speakers: Object.freeze(speakerNames(model.config)),
    });
  }

  /** Loads a voice: the config, one shared inference session per model file, a warm-up run. */
  static async load(source: VoiceSource, deps: PiperVoiceDeps): Promise<PiperVoice> {
    const { modelPath, configPath } = source;
    if (!modelPath) throw new Error(`Piper voice ${source.id}: no modelPath (the .onnx file)`);
    if (!configPath) {
      throw new Error(`Piper voice ${source.id}: no configPath (the .onnx.json file)`);
    }
    const preference = source.executionProvider ?? "auto";
    const key = await modelKey(modelPath, configPath, preference);
    const model = await acquireModel(key, () => openModel(modelPath, configPath, preference));
    try {
      await deps.checkEspeakVoice?.(model.config.espeakVoice);
    } catch (error) {
      await releaseModel(key);
      throw new Error(
        `Piper voice ${source.id}: its espeak voice "${model.config.espeakVoice}" (espeak.voice in ${configPath}) cannot be used: ${
          errorMessage(error)
        }`,
      );
    }
    return new PiperVoice(source, key, model, deps);
  }

  /** The voice's validated config. */
  get config(): PiperVoiceConfig {
    return this.#model.config;
  }

  /** Phonemises a segment with espeak-ng and maps it to Piper ids (sentences joined by a space). */
  async prepare(text: string, options: SynthesisOptions): Promise<PreparedSegment> {
    this.#assertOpen();
    const config = this.#model.config;
    const sentences = await this.#deps.phonemize(text, options.language || config.espeakVoice);
    const phonemes = sentences
      .map((sentence) => applyPhonemeMap(sentence.trim(), config.phonemeMap))
      .filter((sentence) => sentence.length > 0)
      .join(" ");
    const missing = new Map<string, number>();
    const ids = phonemesToIds(
      phonemes,
      config.phonemeIdMap,
      (phoneme) => missing.set(phoneme, (missing.get(phoneme) ?? 0) + 1),
    );
    if (missing.size > 0) this.#deps.onMissingPhonemes?.(this.info.id, missing);
    return { text, phonemes, ids };
  }

  /**
   * Runs the model on a prepared segment: float PCM at `info.sampleRate`. A segment without
   * phonemes gives no audio. `length_scale` is the config's divided by `options.speed`.
   */
  async infer(
    segment: PreparedSegment,
    options: SynthesisOptions,
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    this.#assertOpen();
    signal?.throwIfAborted();
    const config = this.#model.config;
    if (!(Number.isFinite(options.speed) && options.speed > 0)) {
      throw new Error(`speed must be a positive number, got ${options.speed}`);
    }
    const noiseScale = options.noiseScale ?? config.noiseScale;
    if (!(Number.isFinite(noiseScale) && noiseScale >= 0)) {
      throw new Error(`noise scale must be a non-negative number, got ${noiseScale}`);
    }
    const speakerId = resolvePiperSpeaker(config, options.speaker, this.info.id);
    if (segment.phonemes.trim().length === 0 || segment.ids.length === 0) {
      return new Float32Array(0);
    }
    return await runModel(
      this.#model,
      segment.ids,
      noiseScale,
      config.lengthScale / options.speed,
      speakerId,
      signal,
    );
  }

  /** Lets go of the shared session; the last voice using it releases it. Idempotent. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await releaseModel(this.#key);
  }

  #assertOpen(): void {
    if (this.#disposed) throw new Error(`Piper voice ${this.info.id} is disposed`);
  }
}

/** Loads a Piper voice (see {@linkcode PiperVoice.load}). */
export function loadPiperVoice(source: VoiceSource, deps: PiperVoiceDeps): Promise<PiperVoice> {
  return PiperVoice.load(source, deps);
}
