/**
 * Parses and validates a Piper voice config (`<voice>.onnx.json`).
 *
 * The one check of a Piper config: the engine loads voices with it, and the model store
 * (`src/models/model_store.ts`) lists a voice in the models directory only when it takes the
 * voice's config. It imports only `src/error_message.ts` (itself import-free), so the store can
 * use it without the engine's runtime.
 *
 * @module
 */
import { errorMessage } from "../../error_message.ts";

/** Piper's default inference scales, used when a config has no `inference` section. */
export const PIPER_DEFAULT_SCALES = { noiseScale: 0.667, lengthScale: 1, noiseW: 0.8 } as const;

/**
 * Largest `inference.length_scale` a config may set. Real Piper voices use about 0.8 to 1.5; the
 * output's length grows with it, and the worker divides it by the session speed (down to 0.25),
 * so 10 already means up to 40 times the natural duration. Beyond that one segment can take
 * minutes of audio and gigabytes of the onnxruntime WASM heap, which never shrinks again
 * (`length_scale` 100 at speed 0.25 made 50 minutes of audio from 200 characters).
 */
export const PIPER_MAX_LENGTH_SCALE = 10;

/**
 * Largest `inference.noise_scale` and `inference.noise_w` a config may set (real voices use 0.667
 * and 0.8; a session's `noise_scale` option has the same range, 0 to 2).
 */
export const PIPER_MAX_NOISE = 2;

/** Piper's pad symbol, put after BOS and after every phoneme. */
export const PIPER_PAD = "_";
/** Piper's beginning-of-sentence symbol. */
export const PIPER_BOS = "^";
/** Piper's end-of-sentence symbol. */
export const PIPER_EOS = "$";

/** A Piper phoneme-to-ids map: each phoneme (one Unicode codepoint) to its model input id(s). */
export type PhonemeIdMap = ReadonlyMap<string, readonly number[]>;

/** A validated Piper voice config. */
export interface PiperVoiceConfig {
  /** The file the config was read from (or a label for in-memory configs), for messages. */
  readonly source: string;
  /** Output sample rate in Hz (`audio.sample_rate`). */
  readonly sampleRate: number;
  /** Quality label (`audio.quality`: `x_low`, `low`, `medium`, `high`), if given. */
  readonly quality?: string;
  /** How text becomes phonemes (`phoneme_type`): `espeak` (the default) or `text`. */
  readonly phonemeType: string;
  /** The espeak-ng voice used to phonemise (`espeak.voice`, e.g. `en-us`). */
  readonly espeakVoice: string;
  /** VITS noise scale (`inference.noise_scale`), 0 to {@link PIPER_MAX_NOISE}. */
  readonly noiseScale: number;
  /**
   * VITS length scale, larger is slower (`inference.length_scale`), above 0 and at most
   * {@link PIPER_MAX_LENGTH_SCALE}.
   */
  readonly lengthScale: number;
  /** VITS duration noise (`inference.noise_w`), 0 to {@link PIPER_MAX_NOISE}. */
  readonly noiseW: number;
  /** Phoneme id map (`phoneme_id_map`); contains the pad, BOS and EOS symbols. */
  readonly phonemeIdMap: PhonemeIdMap;
  /** Phoneme replacements applied before id mapping (`phoneme_map`), usually empty. */
  readonly phonemeMap: ReadonlyMap<string, readonly string[]>;
  /** Size of the model's symbol table (`num_symbols`), if given. */
  readonly numSymbols?: number;
  /** Number of speakers (`num_speakers`, default 1). */
  readonly numSpeakers: number;
  /** Speaker name to speaker id (`speaker_id_map`); empty for single-speaker voices. */
  readonly speakerIdMap: ReadonlyMap<string, number>;
  /** Language code (`language.code`, e.g. `en_US`), if given. */
  readonly languageCode?: string;
  /** Training data set name (`dataset`), if given. */
  readonly dataset?: string;
  /** Piper version that exported the voice (`piper_version`), if given. */
  readonly piperVersion?: string;
}

type Json = Record<string, unknown>;

class ConfigReader {
  constructor(readonly source: string) {}

  fail(field: string, problem: string): never {
    throw new Error(`invalid Piper config ${this.source}: field "${field}" ${problem}`);
  }

  object(value: unknown, field: string): Json {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(field, `must be an object, got ${describe(value)}`);
    }
    return value as Json;
  }

  optionalObject(value: unknown, field: string): Json | undefined {
    return value === undefined || value === null ? undefined : this.object(value, field);
  }

  string(value: unknown, field: string): string {
    if (typeof value !== "string" || value.length === 0) {
      this.fail(field, `must be a non-empty string, got ${describe(value)}`);
    }
    return value;
  }

  optionalString(value: unknown, field: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, field);
  }

  integer(value: unknown, field: string, min: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      this.fail(field, `must be an integer >= ${min}, got ${describe(value)}`);
    }
    return value;
  }

  /** A number in `[0, max]`, or in `(0, max]` unless `allowZero`; `fallback` when absent. */
  scale(value: unknown, field: string, fallback: number, allowZero: boolean, max: number): number {
    if (value === undefined || value === null) return fallback;
    if (
      typeof value !== "number" || !Number.isFinite(value) || value < 0 ||
      (!allowZero && value === 0) || value > max
    ) {
      const range = allowZero ? `from 0 to ${max}` : `> 0 and <= ${max}`;
      this.fail(field, `must be a number ${range}, got ${describe(value)}`);
    }
    return value;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing (missing)";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function isSingleCodepoint(text: string): boolean {
  return [...text].length === 1;
}

function parsePhonemeIdMap(
  reader: ConfigReader,
  value: unknown,
  numSymbols?: number,
): PhonemeIdMap {
  const raw = reader.object(value, "phoneme_id_map");
  const map = new Map<string, readonly number[]>();
  for (const [phoneme, ids] of Object.entries(raw)) {
    const field = `phoneme_id_map["${phoneme}"]`;
    if (!isSingleCodepoint(phoneme)) reader.fail(field, "key must be a single Unicode codepoint");
    if (!Array.isArray(ids) || ids.length === 0) {
      reader.fail(field, `must be a non-empty array of ids, got ${describe(ids)}`);
    }
    for (const id of ids) {
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
        reader.fail(field, `must hold non-negative integer ids, got ${describe(id)}`);
      }
      if (numSymbols !== undefined && id >= numSymbols) {
        reader.fail(field, `holds id ${id}, not below num_symbols ${numSymbols}`);
      }
    }
    map.set(phoneme, Object.freeze([...ids]));
  }
  for (const symbol of [PIPER_PAD, PIPER_BOS, PIPER_EOS]) {
    if (!map.has(symbol)) reader.fail("phoneme_id_map", `lacks the required symbol "${symbol}"`);
  }
  return map;
}

function parsePhonemeMap(
  reader: ConfigReader,
  value: unknown,
): ReadonlyMap<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  const raw = reader.optionalObject(value, "phoneme_map");
  if (!raw) return map;
  for (const [phoneme, replacement] of Object.entries(raw)) {
    const field = `phoneme_map["${phoneme}"]`;
    if (!isSingleCodepoint(phoneme)) reader.fail(field, "key must be a single Unicode codepoint");
    if (!Array.isArray(replacement) || !replacement.every((p) => typeof p === "string")) {
      reader.fail(field, `must be an array of phonemes, got ${describe(replacement)}`);
    }
    map.set(phoneme, Object.freeze([...replacement]));
  }
  return map;
}

function parseSpeakerIdMap(
  reader: ConfigReader,
  value: unknown,
  numSpeakers: number,
): ReadonlyMap<string, number> {
  const map = new Map<string, number>();
  const raw = reader.optionalObject(value, "speaker_id_map");
  if (!raw) return map;
  for (const [name, id] of Object.entries(raw)) {
    const field = `speaker_id_map["${name}"]`;
    reader.integer(id, field, 0);
    if ((id as number) >= numSpeakers) {
      reader.fail(field, `is ${id}, not below num_speakers ${numSpeakers}`);
    }
    map.set(name, id as number);
  }
  return map;
}

/**
 * Validates a parsed Piper config object. `source` names the file in error messages.
 * Throws an Error naming the file and the offending field when a field is missing or invalid.
 */
export function parsePiperConfig(json: unknown, source: string): PiperVoiceConfig {
  const reader = new ConfigReader(source);
  const root = reader.object(json, "(root)");
  const audio = reader.object(root.audio, "audio");
  const sampleRate = reader.integer(audio.sample_rate, "audio.sample_rate", 1);
  const phonemeType = reader.optionalString(root.phoneme_type, "phoneme_type") ?? "espeak";
  const espeak = reader.optionalObject(root.espeak, "espeak");
  const espeakVoice = phonemeType === "espeak"
    ? reader.string(espeak?.voice, "espeak.voice")
    : reader.optionalString(espeak?.voice, "espeak.voice") ?? "";
  const inference = reader.optionalObject(root.inference, "inference") ?? {};
  const numSymbols = root.num_symbols === undefined
    ? undefined
    : reader.integer(root.num_symbols, "num_symbols", 1);
  const numSpeakers = root.num_speakers === undefined
    ? 1
    : reader.integer(root.num_speakers, "num_speakers", 1);
  const language = reader.optionalObject(root.language, "language");
  return {
    source,
    sampleRate,
    quality: reader.optionalString(audio.quality, "audio.quality"),
    phonemeType,
    espeakVoice,
    noiseScale: reader.scale(
      inference.noise_scale,
      "inference.noise_scale",
      PIPER_DEFAULT_SCALES.noiseScale,
      true,
      PIPER_MAX_NOISE,
    ),
    lengthScale: reader.scale(
      inference.length_scale,
      "inference.length_scale",
      PIPER_DEFAULT_SCALES.lengthScale,
      false,
      PIPER_MAX_LENGTH_SCALE,
    ),
    noiseW: reader.scale(
      inference.noise_w,
      "inference.noise_w",
      PIPER_DEFAULT_SCALES.noiseW,
      true,
      PIPER_MAX_NOISE,
    ),
    phonemeIdMap: parsePhonemeIdMap(reader, root.phoneme_id_map, numSymbols),
    phonemeMap: parsePhonemeMap(reader, root.phoneme_map),
    numSymbols,
    numSpeakers,
    speakerIdMap: parseSpeakerIdMap(reader, root.speaker_id_map, numSpeakers),
    languageCode: reader.optionalString(language?.code, "language.code"),
    dataset: reader.optionalString(root.dataset, "dataset"),
    piperVersion: reader.optionalString(root.piper_version, "piper_version"),
  };
}

/**
 * Reads and validates a Piper `.onnx.json` file. Rejects with an Error naming the file when it
 * cannot be read, is not JSON, or has a missing or invalid field.
 */
export async function loadPiperConfig(path: string): Promise<PiperVoiceConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `cannot read Piper config ${path}: ${errorMessage(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `invalid Piper config ${path}: not JSON (${errorMessage(error)})`,
    );
  }
  return parsePiperConfig(json, path);
}
