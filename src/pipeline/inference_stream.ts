/**
 * Pipeline stage: prepared segment -> PCM at the voice's own sample rate.
 *
 * @module
 */
import type {
  InferenceContext,
  PreparedSegment,
  SynthesisOptions,
  VoiceModel,
} from "../engines/engine.ts";

/** Timing of one inference, reported to whoever measures speed (RTF). */
export interface InferenceTiming {
  /** Wall time of the inference call in milliseconds (waiting for a Worker included). */
  readonly elapsedMs: number;
  /** Duration of the audio produced, in milliseconds. */
  readonly audioMs: number;
}

/** Settings of an {@linkcode InferenceStream}. */
export interface InferenceStreamOptions {
  /** Aborts inference in flight (barge-in, client cancel). */
  readonly signal?: AbortSignal;
  /** Called after each inference with its timing. */
  readonly onTiming?: (timing: InferenceTiming) => void;
  /**
   * The session the utterance belongs to: with it, each segment goes to the voice with its
   * {@linkcode InferenceContext} (the session, and whether it is the utterance's first segment),
   * so that a voice shared by many sessions can schedule them fairly.
   */
  readonly sessionId?: string;
}

/**
 * PCM results an {@linkcode InferenceStream} may hold ready for the next stage: with one, the
 * next segment's inference starts as soon as the resampler has taken this one's audio, not once it
 * has finished resampling it.
 */
export const INFERENCE_LOOKAHEAD = 1;

/**
 * Runs inference for each segment of one utterance, one segment at a time; an aborted signal
 * stops it before the next segment. Inference runs back to back: the next segment starts while
 * later stages still work on the audio of this one (see {@linkcode INFERENCE_LOOKAHEAD}).
 */
export class InferenceStream extends TransformStream<PreparedSegment, Float32Array> {
  /**
   * @param voice the resident voice
   * @param synthesis the session's synthesis options
   * @param options abort signal, timing callback and session id
   */
  constructor(
    voice: VoiceModel,
    synthesis: SynthesisOptions,
    options: InferenceStreamOptions = {},
  ) {
    const { signal, onTiming, sessionId } = options;
    let first = true;
    super(
      {
        async transform(segment, controller) {
          signal?.throwIfAborted();
          const context: InferenceContext | undefined = sessionId === undefined
            ? undefined
            : { sessionId, first };
          first = false;
          const started = performance.now();
          const pcm = await voice.infer(segment, synthesis, signal, context);
          onTiming?.({
            elapsedMs: performance.now() - started,
            audioMs: (pcm.length / voice.info.sampleRate) * 1000,
          });
          if (pcm.length > 0) controller.enqueue(pcm);
        },
      },
      undefined,
      { highWaterMark: INFERENCE_LOOKAHEAD },
    );
  }
}
