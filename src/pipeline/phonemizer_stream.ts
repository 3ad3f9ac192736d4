/**
 * Pipeline stage: normalised text segment -> prepared segment (phonemes and model ids).
 *
 * @module
 */
import type { PreparedSegment, SynthesisOptions, VoiceModel } from "../engines/engine.ts";

/** Prepared segments a {@linkcode PhonemizerStream} keeps ready ahead of inference. */
export const PHONEMIZER_LOOKAHEAD = 1;

/**
 * Phonemises each text segment with the voice's own phonemiser. It works one segment ahead
 * ({@linkcode PHONEMIZER_LOOKAHEAD}): while a segment is synthesised the next one is phonemised, so
 * that inference runs back to back instead of waiting for the phonemiser between segments.
 */
export class PhonemizerStream extends TransformStream<string, PreparedSegment> {
  /** Phonemises with `voice`, using the session's `options` (language override). */
  constructor(voice: VoiceModel, options: SynthesisOptions) {
    super(
      {
        async transform(text, controller) {
          const segment = await voice.prepare(text, options);
          if (segment.phonemes.trim() !== "" || segment.ids.length > 0) {
            controller.enqueue(segment);
          }
        },
      },
      undefined,
      { highWaterMark: PHONEMIZER_LOOKAHEAD },
    );
  }
}
