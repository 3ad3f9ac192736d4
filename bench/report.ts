/**
 * The benchmark's result object and its short human-readable table.
 *
 * @module
 */
import type { MachineFacts } from "./machine.ts";
import { round, type Summary } from "./stats.ts";

/** p50 and p95 of a measure (and how many samples). */
export interface Percentiles {
  /** Median. */
  readonly p50: number;
  /** 95th percentile. */
  readonly p95: number;
  /** Samples. */
  readonly n: number;
}

/** The floor compared with the worker, for one text. */
export interface FloorComparison {
  /** Floor synthesis time, p50, in ms. */
  readonly floor_ms: number;
  /** Floor synthesis time / audio time, p50. */
  readonly floor_rtf: number;
  /** Worker synthesis time (text sent to final frame received), p50, in ms. */
  readonly worker_ms: number;
  /**
   * The worker's own inference time for the same runs (its `tts_inference_seconds`, read through
   * GetCapabilities before and after each run), p50, in ms: how much of `worker_ms` is inference.
   */
  readonly worker_inference_ms: number;
  /**
   * `worker_inference_ms / floor_ms`: above 1 when inference itself runs slower in the worker
   * (another thread on the cores, the Worker hop) than alone at the floor.
   */
  readonly inference_ratio: number;
  /** `worker_ms / floor_ms`. */
  readonly overhead_ratio: number;
  /** Median of `worker / floor` over the pairs of runs taken side by side. */
  readonly paired_ratio_p50: number;
  /** Pairs of runs. */
  readonly pairs: number;
}

/** Time to first audio against the floor of the segment that first audio waits for. */
export interface FirstAudioComparison {
  /** The first segment the worker synthesises (normalised text). */
  readonly segment: string;
  /** Floor synthesis time of that segment, p50, in ms. */
  readonly floor_ms: number;
  /** Worker time to first audio, p50, in ms. */
  readonly ttfa_ms: number;
  /** `ttfa_ms / floor_ms`. */
  readonly ratio: number;
  /** Median of `ttfa / floor` over the pairs of runs taken side by side. */
  readonly paired_ratio_p50: number;
  /** Pairs of runs. */
  readonly pairs: number;
}

/** Everything one benchmark run measured. */
export interface BenchResult {
  /** `quick` or `full`. */
  readonly mode: string;
  /** Model id. */
  readonly voice: string;
  /** Model family. */
  readonly family: string;
  /** Where it ran. */
  readonly machine: Record<string, unknown>;
  /** The worker as it reported itself. */
  readonly worker: {
    readonly execution_provider: string;
    readonly voice_load_ms: number;
    /** Exit code of the worker on SIGTERM (0 when it shut down cleanly); null while running. */
    readonly exit_code: number | null;
  };
  /** Time to first audio. */
  readonly ttfa_ms: {
    readonly one_chunk: Percentiles;
    /**
     * From the token that completes the first clause; this includes the wait for the next token,
     * which tells the segmenter that the clause's last word is complete.
     */
    readonly token_stream: Percentiles & { readonly token_interval_ms: number };
  };
  /** Real-time factor (synthesis time / audio time). */
  readonly rtf: {
    readonly short: Percentiles & { readonly audio_ms: number };
    readonly long: Percentiles & { readonly audio_ms: number };
  };
  /** Synthesis at the floor (no gRPC, no pipeline) against the worker. */
  readonly floor: {
    readonly method: string;
    readonly execution_provider: string;
    readonly short: FloorComparison;
    readonly long: FloorComparison;
    /** First audio against the floor of the first segment, per TTFA scenario. */
    readonly first_audio: {
      readonly one_chunk: FirstAudioComparison;
      readonly token_stream: FirstAudioComparison;
    };
  };
  /** STOP sent -> final frame received. */
  readonly stop_ms: Percentiles & { readonly effective: number; readonly frames_after_p50: number };
  /**
   * PAUSE sent -> last frame received; `held`: runs in which no frame came in the `hold_ms` after
   * that, before RESUME (longer than the voice's pauses between bursts of frames).
   */
  readonly pause_ms: Percentiles & {
    readonly held: number;
    readonly hold_ms: number;
    readonly frames_after_p50: number;
  };
  /** Most concurrent sessions that all stayed ahead of real time. */
  readonly max_realtime_sessions: number;
  /** How the search went. */
  readonly realtime_search: {
    readonly playout_buffer_ms: number;
    readonly cap: number;
    readonly capped: boolean;
    readonly steps: readonly {
      sessions: number;
      underrun_sessions: number;
      worst_lateness_ms: number;
      /** The slowest session's first frame after its text was sent (not an underrun). */
      first_frame_max_ms: number;
    }[];
  };
  /** Resident memory of the worker process, in MiB. */
  readonly rss_mb: {
    readonly idle: number;
    readonly voice_loaded: number;
    readonly warm: number;
    readonly active_peak: number;
    readonly active_sessions: number;
    /**
     * Growth per further active session over the last doubling of `sessions` (2 -> 4 in a full
     * run), in MiB: the steady cost, without the one-off growth the first sessions bring.
     */
    readonly per_session: number;
    /**
     * Growth with the last extra resident voice of the same family, in MiB (the steady cost, as
     * `per_session`); null without other voices.
     */
    readonly per_voice: number | null;
    /** Peak RSS with 1, 2, 4, ... sessions speaking the paragraph at once. */
    readonly sessions: readonly { active_sessions: number; peak_rss_mb: number }[];
    /** RSS as voices of the same family are loaded one by one (the first: the voice alone). */
    readonly voices: readonly { resident_voices: number; rss_mb: number; model_id: string }[];
  };
  /** Frames per second delivered on one stream (paragraph, unpaced). */
  readonly frames_per_s: Percentiles;
}

/** A summary cut down to p50/p95/n and rounded. */
export function percentiles(summary: Summary, digits = 2): Percentiles {
  return { p50: round(summary.p50, digits), p95: round(summary.p95, digits), n: summary.n };
}

/** Machine facts with snake_case keys, as in the result JSON. */
export function machineJson(facts: MachineFacts): Record<string, unknown> {
  return {
    cores: facts.cores,
    cpu: facts.cpu,
    os: facts.os,
    execution_provider: facts.executionProvider,
    webgpu_adapter: facts.webgpuAdapter,
    webgpu_adapter_is_fallback: facts.webgpuAdapterIsFallback,
    deno: facts.deno,
    onnxruntime_web: facts.onnxruntimeWeb,
    date: facts.date,
    load_average: round(facts.loadAverage, 2),
  };
}

function row(name: string, p50: number | string, p95: number | string = ""): string {
  return `${name.padEnd(38)}${String(p50).padStart(10)}${String(p95).padStart(10)}`;
}

/** The short table printed on stderr. */
export function formatTable(result: BenchResult): string {
  const m = result.machine;
  return [
    `tts-worker bench (${result.mode}): voice ${result.voice} (${result.family}) on ` +
    `${result.worker.execution_provider}; ${m.cores} cores, Deno ${m.deno}, ` +
    `onnxruntime-web ${m.onnxruntime_web}, WebGPU ${m.webgpu_adapter ?? "none"}, ` +
    `load average ${m.load_average} at start`,
    row("measure", "p50", "p95"),
    row("ttfa one chunk (ms)", result.ttfa_ms.one_chunk.p50, result.ttfa_ms.one_chunk.p95),
    row("ttfa token stream (ms)", result.ttfa_ms.token_stream.p50, result.ttfa_ms.token_stream.p95),
    row("rtf short", result.rtf.short.p50, result.rtf.short.p95),
    row("rtf long", result.rtf.long.p50, result.rtf.long.p95),
    row("floor rtf short / long", result.floor.short.floor_rtf, result.floor.long.floor_rtf),
    row(
      "overhead ratio short / long",
      result.floor.short.overhead_ratio,
      result.floor.long.overhead_ratio,
    ),
    row(
      "inference ratio short / long",
      result.floor.short.inference_ratio,
      result.floor.long.inference_ratio,
    ),
    row(
      "ttfa / floor of first segment (1 / tok)",
      result.floor.first_audio.one_chunk.ratio,
      result.floor.first_audio.token_stream.ratio,
    ),
    row("stop (ms)", result.stop_ms.p50, result.stop_ms.p95),
    row("pause (ms)", result.pause_ms.p50, result.pause_ms.p95),
    row("frames per second, one stream", result.frames_per_s.p50, result.frames_per_s.p95),
    row(
      "max real-time sessions",
      `${result.max_realtime_sessions}${result.realtime_search.capped ? " (cap)" : ""}`,
    ),
    row(
      "rss MiB idle / voice / per session",
      `${result.rss_mb.idle} / ${result.rss_mb.voice_loaded}`,
      result.rss_mb.per_session,
    ),
    row("rss MiB per extra resident voice", result.rss_mb.per_voice ?? "n/a"),
  ].join("\n");
}
