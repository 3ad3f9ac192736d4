/**
 * Messages between the main thread and an engine Worker (see `engine_worker.ts`). One Worker
 * hosts any number of voices; `voice` names one of them by the number the main thread gave it
 * when it asked for the load.
 *
 * @module
 */
import type { PreparedSegment, SynthesisOptions, VoiceInfo, VoiceSource } from "./engine.ts";

/**
 * A request to an engine Worker; `id` pairs it with its reply. A `cancel` has no reply of its
 * own: the inference it names answers, with the error `cancelled` if it was skipped or aborted.
 */
export type EngineRequest =
  | {
    readonly id: number;
    readonly kind: "load";
    readonly voice: number;
    readonly source: VoiceSource;
  }
  | {
    readonly id: number;
    readonly kind: "prepare";
    readonly voice: number;
    readonly text: string;
    readonly options: SynthesisOptions;
  }
  | {
    readonly id: number;
    readonly kind: "infer";
    readonly voice: number;
    readonly segment: PreparedSegment;
    readonly options: SynthesisOptions;
  }
  | { readonly id: number; readonly kind: "unload"; readonly voice: number }
  | { readonly id: number; readonly kind: "cancel"; readonly target: number };

/** A reply from an engine Worker. */
export type EngineReply =
  | { readonly id: number; readonly ok: true; readonly kind: "load"; readonly info: VoiceInfo }
  | {
    readonly id: number;
    readonly ok: true;
    readonly kind: "prepare";
    readonly segment: PreparedSegment;
  }
  | { readonly id: number; readonly ok: true; readonly kind: "infer"; readonly pcm: Float32Array }
  | { readonly id: number; readonly ok: true; readonly kind: "unload" }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** How severe a line an engine Worker's code wrote to its console is. */
export type EngineLogLevel = "info" | "warn" | "error";

/**
 * A line an engine Worker's code (an engine, onnxruntime, espeak-ng) wrote to its console, sent to
 * the main thread unasked so that it reaches the worker's structured log.
 */
export interface EngineLogNotice {
  /** Marks the message as a notice, not a reply. */
  readonly kind: "log";
  /** `console.error` is `error`, `console.warn` is `warn`, `console.log`/`info` are `info`. */
  readonly level: EngineLogLevel;
  /** The console arguments, joined by spaces. */
  readonly message: string;
}

/** Anything an engine Worker posts: a reply to a request, or a log notice. */
export type EngineMessage = EngineReply | EngineLogNotice;
