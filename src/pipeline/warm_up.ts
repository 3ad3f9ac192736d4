/**
 * A warm-up: the first utterance of a fresh process is slow in every stage (code compiled, buffers
 * and WebAssembly heaps grown, in the main thread and in each engine Worker), a few hundred ms that
 * the first client's first audio would otherwise wait for. Speaking a sentence through the whole
 * pipeline before serving, and dropping the audio, pays that cost up front.
 *
 * @module
 */
import type { VoiceModel } from "../engines/engine.ts";
import { createSynthesisPipeline } from "./synthesis_pipeline.ts";

/** What a warm-up says by default. */
export const WARM_UP_TEXT = "Hello, the worker is ready to speak.";

/** Longest warm-up by default, in ms. */
export const WARM_UP_TIMEOUT_MS = 30_000;

/** Settings of a warm-up. */
export interface WarmUpOptions {
  /** What to say (default {@linkcode WARM_UP_TEXT}). */
  readonly text?: string;
  /** Utterances still running after this long are cut off (default {@linkcode WARM_UP_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/** How a warm-up went. */
export interface WarmUpOutcome {
  /** Time taken, in ms. */
  readonly ms: number;
  /** Why an utterance of it failed or was cut off, if one was. */
  readonly problem?: string;
}

/**
 * Speaks the text through the whole pipeline `copies` times at once (so that each engine Worker
 * speaks once) and drops the frames. Never throws: a failure or a timeout is in the outcome.
 */
export async function warmUpPipeline(
  voice: VoiceModel,
  copies: number,
  options: WarmUpOptions = {},
): Promise<WarmUpOutcome> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? WARM_UP_TIMEOUT_MS;
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`no end of audio within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const speakOnce = async (): Promise<void> => {
    const pipeline = createSynthesisPipeline({
      voice,
      synthesis: { speed: 1 },
      signal: abort.signal,
    });
    const writer = pipeline.writable.getWriter();
    writer.write(options.text ?? WARM_UP_TEXT).then(() => writer.close()).catch(() => {});
    for await (const _ of pipeline.readable);
  };
  const outcomes = await Promise.allSettled(Array.from({ length: copies }, () => speakOnce()));
  clearTimeout(timer);
  const failed = outcomes.find((outcome) => outcome.status === "rejected");
  const ms = Math.round(performance.now() - started);
  if (!failed) return { ms };
  return { ms, problem: String(abort.signal.aborted ? abort.signal.reason : failed.reason) };
}
