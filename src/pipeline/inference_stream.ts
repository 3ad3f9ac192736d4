/**
 * Pipeline stage: prepared segment -> PCM at the voice's own sample rate.
 *
 * @module
 */
import type { PreparedSegment, SynthesisOptions, VoiceModel } from "../engines/engine.ts";

/** Timing of one inference, reported to whoever measures speed (RTF). */
export interface InferenceTiming {
  /** Wall time of the inference call in milliseconds. */
  readonly elapsedMs: number;
  /** Duration of the audio produced, in milliseconds. */
  readonly audioMs: number;
}

/** Runs inference for each segment; an aborted signal stops it before the next segment. */
export class InferenceStream extends TransformStream<PreparedSegment, Float32Array> {
  /**
   * @param voice the resident voice
   * @param options the session's synthesis options
   * @param signal aborts inference in flight (barge-in, client cancel)
   * @param onTiming called after each inference with its timing
   */
  constructor(
    voice: VoiceModel,
    options: SynthesisOptions,
    signal?: AbortSignal,
    onTiming?: (timing: InferenceTiming) => void,
  ) {
    super({
      async transform(segment, controller) {
        signal?.throwIfAborted();
        const started = performance.now();
        const pcm = await voice.infer(segment, options, signal);
        onTiming?.({
          elapsedMs: performance.now() - started,
          audioMs: (pcm.length / voice.info.sampleRate) * 1000,
        });
        if (pcm.length > 0) controller.enqueue(pcm);
      },
    });
  }
}
