/**
 * The `espeak` model family: espeak-ng's own formant synthesiser, run from its WebAssembly
 * (Emscripten) build. No weights to load; a voice is an espeak-ng voice name such as `en-us`.
 *
 * @module
 */

import { rejectOnAbort } from "../abort.ts";
import type {
  EngineAdapter,
  PreparedSegment,
  SynthesisOptions,
  VoiceInfo,
  VoiceModel,
  VoiceSource,
} from "../engine.ts";
import {
  ESPEAK_DEFAULT_RATE,
  ESPEAK_MAX_RATE,
  ESPEAK_MIN_RATE,
  type EspeakVoiceEntry,
  withEspeak,
} from "./espeak_wasm.ts";
import { phonemize } from "./phonemizer.ts";
import { errorMessage } from "../../error_message.ts";

/** The family name, as in `ModelInfo.family`. */
export const ESPEAK_FAMILY = "espeak";

/** The espeak-ng voice used when a {@linkcode VoiceSource} names none. */
export const DEFAULT_ESPEAK_VOICE = "en-us";

/**
 * Loads espeak-ng voices. `source.voiceName` is the espeak-ng voice (default
 * {@linkcode DEFAULT_ESPEAK_VOICE}); `prepare()` phonemises for logs (`ids` stay empty) and
 * `infer()` synthesises the segment's text, honouring `options.speed` (see
 * {@linkcode espeakRateForSpeed}) and `options.language` (another espeak-ng voice); an aborted
 * signal rejects `infer()` at once and skips synthesis that has not started yet.
 */
export const espeakAdapter: EngineAdapter = {
  family: ESPEAK_FAMILY,
  load: loadEspeakVoice,
};

/**
 * espeak-ng's speaking rate, in words per minute, for a speed multiplier: 175 × `speed`,
 * clamped to what espeak-ng honours (80-450), so speeds below about 0.46 or above about
 * 2.57 sound like those limits.
 */
export function espeakRateForSpeed(speed: number): number {
  const rate = Number.isFinite(speed)
    ? Math.round(ESPEAK_DEFAULT_RATE * speed)
    : ESPEAK_DEFAULT_RATE;
  return Math.min(ESPEAK_MAX_RATE, Math.max(ESPEAK_MIN_RATE, rate));
}

/** Every voice in the espeak-ng data: identifier, name and the language codes it speaks. */
export function listEspeakVoices(): Promise<EspeakVoiceEntry[]> {
  return withEspeak((espeak) => [...espeak.voices]);
}

/**
 * The espeak-ng voice names a model entry may use as `voiceName`: every language code of
 * every voice (`en-us`, `en-gb`, `en-gb-x-rp`, `fr-fr`, `de`, ...), sorted, without duplicates.
 */
export function espeakVoiceIds(): Promise<string[]> {
  return withEspeak((espeak) =>
    [...new Set(espeak.voices.flatMap((voice) => voice.languages))].sort()
  );
}

async function loadEspeakVoice(source: VoiceSource): Promise<VoiceModel> {
  if (source.family !== ESPEAK_FAMILY) {
    throw new Error(`model ${source.id} is of family "${source.family}", not "${ESPEAK_FAMILY}"`);
  }
  const voiceName = source.voiceName?.trim() || DEFAULT_ESPEAK_VOICE;
  const sampleRate = await withEspeak((espeak) => {
    espeak.selectVoice(voiceName);
    return espeak.sampleRate;
  }).catch((error) => {
    throw new Error(`cannot load espeak model ${source.id}: ${errorMessage(error)}`, {
      cause: error,
    });
  });
  const info: VoiceInfo = {
    id: source.id,
    family: ESPEAK_FAMILY,
    sampleRate,
    executionProvider: "wasm",
    languages: [voiceName],
    speakers: [],
  };
  let disposed = false;
  const checkOpen = () => {
    if (disposed) throw new Error(`espeak voice ${source.id} has been disposed`);
  };

  return {
    info,
    async prepare(text: string, options: SynthesisOptions): Promise<PreparedSegment> {
      checkOpen();
      const normalised = text.trim();
      const sentences = await phonemize(normalised, options.language ?? voiceName);
      return { text: normalised, phonemes: sentences.join(" "), ids: [] };
    },
    async infer(
      segment: PreparedSegment,
      options: SynthesisOptions,
      signal?: AbortSignal,
    ): Promise<Float32Array> {
      checkOpen();
      signal?.throwIfAborted();
      const voice = options.language ?? voiceName;
      const synthesis = withEspeak((espeak) => {
        // Queued behind other tasks: skip the work when aborted meanwhile.
        signal?.throwIfAborted();
        espeak.selectVoice(voice);
        return espeak.synthesize(segment.text, espeakRateForSpeed(options.speed));
      });
      const pcm = await rejectOnAbort(synthesis, signal);
      const samples = new Float32Array(pcm.length);
      for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 32768;
      return samples;
    },
    dispose(): Promise<void> {
      disposed = true;
      return Promise.resolve();
    },
  };
}
