/**
 * The worker's performance figures, kept in one place: `GetCapabilities.metrics` reads them.
 *
 * @module
 */
import type { InferenceTiming } from "../pipeline/inference_stream.ts";

const WINDOW = 200;

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function pushBounded(values: number[], value: number): void {
  values.push(value);
  if (values.length > WINDOW) values.shift();
}

/** Counters and rolling windows (the last 200 samples) of the worker's speed. */
export class WorkerMetrics {
  #rtf: number[] = [];
  #ttfa: number[] = [];
  #framesSent = 0;
  #utterances = 0;
  #queueDepth = 0;

  /** Records one inference: its real-time factor joins the rolling window. */
  recordInference(timing: InferenceTiming): void {
    if (timing.audioMs > 0) pushBounded(this.#rtf, timing.elapsedMs / timing.audioMs);
  }

  /** Records the time to first audio of one utterance, in ms. */
  recordTtfa(ms: number): void {
    pushBounded(this.#ttfa, ms);
  }

  /** Counts one frame written to a client. */
  recordFrame(): void {
    this.#framesSent++;
  }

  /** Counts one finished utterance. */
  recordUtterance(): void {
    this.#utterances++;
  }

  /** Adjusts the number of segments waiting for or in inference. */
  adjustQueueDepth(delta: number): void {
    this.#queueDepth = Math.max(0, this.#queueDepth + delta);
  }

  /** A snapshot for `GetCapabilities.metrics` (plus figures the caller adds). */
  snapshot(): Record<string, number> {
    return {
      rtf: median(this.#rtf),
      rtf_p95: percentile(this.#rtf, 0.95),
      ttfa_ms_p50: median(this.#ttfa),
      ttfa_ms_p95: percentile(this.#ttfa, 0.95),
      frames_sent_total: this.#framesSent,
      utterances_total: this.#utterances,
      queue_depth: this.#queueDepth,
    };
  }
}
