/**
 * The one interface every model family implements. The pipeline, the session layer and the RPC
 * layer only ever see these types, so a new family plugs in by adding an adapter under
 * `src/engines/<family>/` and registering it in `src/engines/families.ts`.
 *
 * @module
 */

/** Which onnxruntime-web execution provider a neural voice should run on. */
export type ExecutionProviderPreference = "auto" | "wasm" | "webgpu";

/** Where a voice comes from: everything an adapter needs to load it. */
export interface VoiceSource {
  /** Model id, as clients name it (e.g. `en_US-lessac-medium`, `espeak-en-us`). */
  readonly id: string;
  /** Model family: selects the adapter (`piper`, `espeak`, ...). */
  readonly family: string;
  /** Path of the weights file, for families that have one (Piper: the `.onnx`). */
  readonly modelPath?: string;
  /** Path of the voice configuration (Piper: the `.onnx.json`). */
  readonly configPath?: string;
  /** Family-specific voice name (espeak: the espeak-ng voice, e.g. `en-us`). */
  readonly voiceName?: string;
  /** Execution provider wanted for neural families. */
  readonly executionProvider?: ExecutionProviderPreference;
}

/** What a loaded voice tells about itself. */
export interface VoiceInfo {
  /** Model id. */
  readonly id: string;
  /** Model family. */
  readonly family: string;
  /** Native output sample rate in Hz (16000, 22050, ...). */
  readonly sampleRate: number;
  /** Execution provider actually in use (`wasm`, `webgpu`, or `native-wasm` for espeak). */
  readonly executionProvider: string;
  /** Language codes the voice speaks (e.g. `en-us`). */
  readonly languages: readonly string[];
  /** Speaker names of a multi-speaker voice; empty for single-speaker voices. */
  readonly speakers: readonly string[];
}

/** Per-session synthesis settings, already validated. */
export interface SynthesisOptions {
  /** Speaking rate multiplier, 0.25-4.0; 1 is the voice's natural rate. */
  readonly speed: number;
  /** Noise scale override for neural voices (VITS `noise_scale`). */
  readonly noiseScale?: number;
  /** Speaker name or numeric index, for multi-speaker voices. */
  readonly speaker?: string;
  /** Language / espeak voice override (e.g. `en-gb`). */
  readonly language?: string;
}

/** One text segment after normalisation and phonemisation, ready for inference. */
export interface PreparedSegment {
  /** The normalised text of the segment. */
  readonly text: string;
  /** The segment's phonemes (espeak-ng IPA), for logs and tests. */
  readonly phonemes: string;
  /** Model input ids (Piper phoneme ids); empty for families that synthesise from text. */
  readonly ids: readonly number[];
}

/**
 * Who an inference is for, so that a voice shared by many sessions can order their requests
 * fairly (see `inference_scheduler.ts`). Engines that run one request at a time ignore it.
 */
export interface InferenceContext {
  /** The session the segment belongs to. */
  readonly sessionId: string;
  /** Whether the segment is the first of its utterance (first audio waits on it). */
  readonly first: boolean;
}

/**
 * A resident voice: phonemises and synthesises text segments. One instance serves every session
 * that speaks with the model; it holds no per-session state.
 */
export interface VoiceModel {
  /** What the voice is. */
  readonly info: VoiceInfo;
  /** Normalises and phonemises one segment of text (a sentence or clause). */
  prepare(text: string, options: SynthesisOptions): Promise<PreparedSegment>;
  /**
   * Runs inference for one prepared segment: mono float PCM in [-1, 1] at `info.sampleRate`.
   * An aborted `signal` rejects the call at once; work not yet started is skipped. `context`
   * says which session asks and whether the segment starts an utterance: a voice served by a
   * pool of Workers (`worker_voice_pool.ts`) schedules by it (first segments ahead, then
   * round-robin across sessions, in order within a session); calls without it count as one
   * anonymous session's later segments.
   */
  infer(
    segment: PreparedSegment,
    options: SynthesisOptions,
    signal?: AbortSignal,
    context?: InferenceContext,
  ): Promise<Float32Array>;
  /** Frees the voice's resources. */
  dispose(): Promise<void>;
}

/** A model family: loads voices of that family. */
export interface EngineAdapter {
  /** Family name, as in `ModelInfo.family`. */
  readonly family: string;
  /** Loads a voice. Rejects with a message that says what is wrong (missing file, bad config). */
  load(source: VoiceSource): Promise<VoiceModel>;
}
