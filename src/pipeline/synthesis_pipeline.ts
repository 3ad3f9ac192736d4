/**
 * The whole text-to-frames pipeline for one utterance, as Web Streams:
 * segment -> normalise -> phonemise -> infer -> resample to 48 kHz -> cut 20 ms frames.
 *
 * @module
 */
import type { SynthesisOptions, VoiceModel } from "../engines/engine.ts";
import { FrameCutterStream, type PcmFrame } from "./frame_cutter.ts";
import { InferenceStream, type InferenceTiming } from "./inference_stream.ts";
import { OUTPUT_SAMPLE_RATE } from "./pcm.ts";
import { PhonemizerStream } from "./phonemizer_stream.ts";
import { ResamplerStream } from "./resampler.ts";
import { type SegmenterOptions, SentenceSegmenterStream } from "./sentence_segmenter.ts";
import { TextNormalizerStream } from "./text_normalizer.ts";

/** Settings of one utterance's pipeline. */
export interface SynthesisPipelineOptions {
  /** The voice that speaks. */
  readonly voice: VoiceModel;
  /** The session's synthesis options. */
  readonly synthesis: SynthesisOptions;
  /** Segmentation thresholds (first-clause fast path, maximum segment length). */
  readonly segmenter?: Partial<SegmenterOptions>;
  /** Aborts the utterance: inference stops, the streams error. */
  readonly signal?: AbortSignal;
  /** Called with the timing of each inference. */
  readonly onInference?: (timing: InferenceTiming) => void;
  /** The session speaking: the voice schedules inference by it (see `InferenceStream`). */
  readonly sessionId?: string;
}

/** Text in (as it streams from the client), 20 ms frames out; the last frame is final. */
export interface SynthesisPipeline {
  /** Write text chunks here; close it at the end of the utterance. */
  readonly writable: WritableStream<string>;
  /** Frames of 1920 bytes; exactly one, the last, has `isFinal`. */
  readonly readable: ReadableStream<PcmFrame>;
}

/** Builds the pipeline for one utterance. */
export function createSynthesisPipeline(options: SynthesisPipelineOptions): SynthesisPipeline {
  const { voice, synthesis, signal } = options;
  const segmenter = new SentenceSegmenterStream(options.segmenter);
  const pipeOptions: StreamPipeOptions = signal ? { signal } : {};
  // Numbers and abbreviations are spelled out in the language the voice will speak.
  const language = synthesis.language ?? voice.info.languages[0] ?? "en";
  const readable = segmenter.readable
    .pipeThrough(new TextNormalizerStream(language), pipeOptions)
    .pipeThrough(new PhonemizerStream(voice, synthesis), pipeOptions)
    .pipeThrough(
      new InferenceStream(voice, synthesis, {
        signal,
        onTiming: options.onInference,
        sessionId: options.sessionId,
      }),
      pipeOptions,
    )
    .pipeThrough(new ResamplerStream(voice.info.sampleRate, OUTPUT_SAMPLE_RATE), pipeOptions)
    .pipeThrough(new FrameCutterStream(), pipeOptions);
  return { writable: segmenter.writable, readable };
}
