/**
 * Pipeline stage: normalised text segment -> prepared segment (phonemes and model ids).
 *
 * @module
 */
import type { PreparedSegment, SynthesisOptions, VoiceModel } from "../engines/engine.ts";

/** Phonemises each text segment with the voice's own phonemiser. */
export class PhonemizerStream extends TransformStream<string, PreparedSegment> {
  /** Phonemises with `voice`, using the session's `options` (language override). */
  constructor(voice: VoiceModel, options: SynthesisOptions) {
    super({
      async transform(text, controller) {
        const segment = await voice.prepare(text, options);
        if (segment.phonemes.trim() !== "" || segment.ids.length > 0) controller.enqueue(segment);
      },
    });
  }
}
