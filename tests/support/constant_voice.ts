/**
 * A voice for session and pipeline tests: every segment is a constant level for a fixed time,
 * after a short pause, so that streams, STOP, PAUSE and failures can be tested without a real
 * engine.
 *
 * @module
 */
import type { PreparedSegment, VoiceModel } from "../../src/engines/engine.ts";
import { sleep } from "./sleep.ts";

/** How a {@linkcode constantVoice} speaks. */
export interface ConstantVoiceOptions {
  /** Output rate in Hz (default 48 000). */
  readonly sampleRate?: number;
  /** Audio per segment in seconds (default 0.2). */
  readonly seconds?: number;
  /** Inference of a segment containing this text fails. */
  readonly failOn?: string;
}

/** A voice that says every segment as `seconds` of a constant level, failing on `failOn`. */
export function constantVoice(options: ConstantVoiceOptions = {}): VoiceModel {
  const sampleRate = options.sampleRate ?? 48_000;
  return {
    info: {
      id: "constant",
      family: "test",
      sampleRate,
      executionProvider: "wasm",
      languages: ["en-us"],
      speakers: [],
    },
    prepare(text: string): Promise<PreparedSegment> {
      return Promise.resolve({ text, phonemes: text, ids: [1] });
    },
    async infer(segment: PreparedSegment): Promise<Float32Array> {
      await sleep(2);
      if (options.failOn && segment.text.includes(options.failOn)) {
        throw new Error("inference failed");
      }
      return new Float32Array(Math.round(sampleRate * (options.seconds ?? 0.2))).fill(0.25);
    },
    dispose: () => Promise.resolve(),
  };
}
