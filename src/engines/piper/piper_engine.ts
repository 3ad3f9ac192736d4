/**
 * The `piper` model family: neural VITS voices (Piper `.onnx` + `.onnx.json`) run by
 * onnxruntime-web, phonemised by espeak-ng.
 *
 * @module
 */
import type { EngineAdapter, VoiceModel, VoiceSource } from "../engine.ts";
import { phonemize } from "../espeak/phonemizer.ts";
import {
  loadPiperVoice,
  type MissingPhonemesReporter,
  type PiperVoiceDeps,
} from "./piper_voice.ts";

/** Family name of Piper voices. */
export const PIPER_FAMILY = "piper";

/**
 * Reports phonemes missing from a voice's id map with `console.warn` (in an engine Worker, that
 * line reaches the worker's JSON log), once per voice and phoneme, so that a long session does not
 * flood the log.
 */
export function createMissingPhonemesWarner(): MissingPhonemesReporter {
  const reported = new Set<string>();
  return (voiceId, missing) => {
    const fresh = [...missing.keys()].filter((phoneme) => !reported.has(`${voiceId}\0${phoneme}`));
    if (fresh.length === 0) return;
    for (const phoneme of fresh) reported.add(`${voiceId}\0${phoneme}`);
    const listed = fresh.map((p) => `"${p}" (U+${p.codePointAt(0)!.toString(16).toUpperCase()})`);
    console.warn(
      `piper voice ${voiceId}: phonemes not in its id map were skipped: ${listed.join(", ")}`,
    );
  };
}

/** Creates a Piper adapter with its phonemizer and missing-phoneme reporter. */
export function createPiperAdapter(deps: PiperVoiceDeps): EngineAdapter {
  return {
    family: PIPER_FAMILY,
    load: (source: VoiceSource): Promise<VoiceModel> => loadPiperVoice(source, deps),
  };
}

/** The Piper family adapter: espeak-ng phonemes, onnxruntime-web inference. */
export const piperAdapter: EngineAdapter = createPiperAdapter({
  phonemize,
  onMissingPhonemes: createMissingPhonemesWarner(),
  checkEspeakVoice: async (voice) => {
    await phonemize("a", voice);
  },
});
