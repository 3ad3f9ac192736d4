/**
 * The worker's figures, kept in one place: every event is recorded into Prometheus metrics (a
 * `prom-client` registry of this instance's own), and both `GetCapabilities.metrics` and the
 * `/metrics` endpoint read them from here, so that the two always agree.
 *
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { VoiceInfo } from "../engines/engine.ts";
import type { InferenceTiming } from "../pipeline/inference_stream.ts";

/** How many recent samples the rolling medians and 95th percentiles cover. */
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

/** How loaded inference is right now (the inference scheduler reports it). */
export interface InferenceLoad {
  /** Segments waiting for an inference Worker. */
  readonly queued: number;
  /** Segments being synthesised. */
  readonly running: number;
  /** The most segments synthesised at once. */
  readonly concurrency: number;
}

/** One resident voice and an estimate of the memory it holds. */
export interface ResidentVoiceFigures {
  /** Model id. */
  readonly modelId: string;
  /** Execution provider it runs on. */
  readonly executionProvider: string;
  /** Estimated memory, in bytes: the growth of the process's resident set while it loaded. */
  readonly memoryBytes: number;
  /** Size of its model files on disk, in bytes (0 for a built-in voice). */
  readonly fileBytes: number;
}

/** Why StartSession did not start a session. */
export type SessionRejectionReason =
  | "invalid_id"
  | "exists"
  | "unknown_model"
  | "load_failed"
  | "bad_options"
  | "full"
  | "draining";

/** The worker's state that metrics read when they are collected. */
export interface WorkerMetricsSources {
  /** Reads the inference queue; without it the queue reads as empty. */
  readonly inferenceLoad?: () => InferenceLoad;
  /** Number of live sessions; without it, 0. */
  readonly activeSessions?: () => number;
  /** The resident voices; without it, none. */
  readonly residentVoices?: () => readonly ResidentVoiceFigures[];
}

/** The voice an inference ran on, as labels. */
export type InferenceVoice = Pick<VoiceInfo, "id" | "executionProvider">;

const TTFA_BUCKETS_S = [0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];
const RTF_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5];
const INFERENCE_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Sum of the values of a counter or gauge (over all its label sets). */
async function total(metric: Counter | Gauge): Promise<number> {
  const { values } = await metric.get();
  return values.reduce((sum, entry) => sum + entry.value, 0);
}

/** Sum of all observations of a histogram, over every label set. */
async function histogramSum(metric: Histogram<string>): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((entry) => entry.metricName?.endsWith("_sum"))
    .reduce((sum, entry) => sum + entry.value, 0);
}

/**
 * Counters, gauges and histograms of the worker (Prometheus names `tts_*`), plus rolling windows
 * (the last 200 samples) for the medians `GetCapabilities` reports.
 */
export class WorkerMetrics {
  #registry = new Registry();
  #rtf: number[] = [];
  #ttfa: number[] = [];
  #inferenceLoad: () => InferenceLoad;

  #sessionsActive: Gauge;
  #sessionsStarted: Counter;
  #sessionsRejected: Counter<"reason">;
  #utterances: Counter;
  #utterancesFailed: Counter;
  #stoppedTextDropped: Counter;
  #framesSent: Counter;
  #ttfaSeconds: Histogram;
  #rtfHistogram: Histogram;
  #inferenceSeconds: Histogram<"model_id" | "execution_provider">;
  #queueDepth: Gauge;
  #inferenceRunning: Gauge;
  #inferenceWorkers: Gauge;
  #rpcErrors: Counter<"method" | "code">;
  #engineWorkerCrashes: Counter<"replaced">;
  #residentVoices: Gauge;
  #residentMemory: Gauge<"model_id" | "execution_provider">;
  #residentFiles: Gauge<"model_id">;

  /** @param sources the live state read at collection time (sessions, queue, voices) */
  constructor(sources: WorkerMetricsSources = {}) {
    this.#inferenceLoad = sources.inferenceLoad ??
      (() => ({ queued: 0, running: 0, concurrency: 0 }));
    const activeSessions = sources.activeSessions ?? (() => 0);
    const residentVoices = sources.residentVoices ?? (() => []);
    const registers = [this.#registry];
    const load = () => this.#inferenceLoad();

    this.#sessionsActive = new Gauge({
      name: "tts_sessions_active",
      help: "Live sessions.",
      registers,
      collect() {
        this.set(activeSessions());
      },
    });
    this.#sessionsStarted = new Counter({
      name: "tts_sessions_started_total",
      help: "Sessions StartSession admitted.",
      registers,
    });
    this.#sessionsRejected = new Counter({
      name: "tts_sessions_rejected_total",
      help: "StartSession calls that started no session, by reason.",
      labelNames: ["reason"] as const,
      registers,
    });
    this.#utterances = new Counter({
      name: "tts_utterances_total",
      help: "Utterances finished (each ended with its final frame).",
      registers,
    });
    this.#utterancesFailed = new Counter({
      name: "tts_utterances_failed_total",
      help: "Utterances cut short by an error in synthesis (each still ended with a final frame).",
      registers,
    });
    this.#stoppedTextDropped = new Counter({
      name: "tts_stopped_text_chunks_dropped_total",
      help: "Text chunks dropped as the late rest of an utterance that a STOP cut short.",
      registers,
    });
    this.#framesSent = new Counter({
      name: "tts_frames_sent_total",
      help: "20 ms audio frames written to clients.",
      registers,
    });
    this.#ttfaSeconds = new Histogram({
      name: "tts_ttfa_seconds",
      help:
        "Time to first audio of an utterance: from its first text to its first frame ready to send (waits for pacing or PAUSE not counted).",
      buckets: TTFA_BUCKETS_S,
      registers,
    });
    this.#rtfHistogram = new Histogram({
      name: "tts_rtf",
      help: "Real-time factor of one inference: inference time over the audio's duration.",
      buckets: RTF_BUCKETS,
      registers,
    });
    this.#inferenceSeconds = new Histogram({
      name: "tts_inference_seconds",
      help: "Time of one segment's inference, waiting for an inference Worker included.",
      labelNames: ["model_id", "execution_provider"] as const,
      buckets: INFERENCE_BUCKETS_S,
      registers,
    });
    this.#queueDepth = new Gauge({
      name: "tts_inference_queue_depth",
      help: "Segments waiting for an inference Worker.",
      registers,
      collect() {
        this.set(load().queued);
      },
    });
    this.#inferenceRunning = new Gauge({
      name: "tts_inference_running",
      help: "Segments being synthesised.",
      registers,
      collect() {
        this.set(load().running);
      },
    });
    this.#inferenceWorkers = new Gauge({
      name: "tts_inference_workers",
      help: "The most segments synthesised at once.",
      registers,
      collect() {
        this.set(load().concurrency);
      },
    });
    this.#rpcErrors = new Counter({
      name: "tts_rpc_errors_total",
      help: "RPCs that ended with an error status, by method and gRPC status code.",
      labelNames: ["method", "code"] as const,
      registers,
    });
    this.#engineWorkerCrashes = new Counter({
      name: "tts_engine_worker_crashes_total",
      help: "Engine Workers that crashed, by whether a fresh one took the place (replaced=true).",
      labelNames: ["replaced"] as const,
      registers,
    });
    this.#residentVoices = new Gauge({
      name: "tts_resident_voices",
      help: "Voices loaded and ready to speak.",
      registers,
      collect() {
        this.set(residentVoices().length);
      },
    });
    this.#residentMemory = new Gauge({
      name: "tts_resident_voice_memory_bytes",
      help: "Estimated memory of a resident voice: growth of the process's resident set at load.",
      labelNames: ["model_id", "execution_provider"] as const,
      registers,
      collect() {
        this.reset();
        for (const voice of residentVoices()) {
          this.set(
            { model_id: voice.modelId, execution_provider: voice.executionProvider },
            voice.memoryBytes,
          );
        }
      },
    });
    this.#residentFiles = new Gauge({
      name: "tts_resident_voice_file_bytes",
      help: "Size of a resident voice's model files on disk (0 for a built-in voice).",
      labelNames: ["model_id"] as const,
      registers,
      collect() {
        this.reset();
        for (const voice of residentVoices()) {
          this.set({ model_id: voice.modelId }, voice.fileBytes);
        }
      },
    });
  }

  /** Records one inference: its real-time factor, and its time under the voice's labels. */
  recordInference(timing: InferenceTiming, voice?: InferenceVoice): void {
    if (timing.audioMs > 0) {
      const rtf = timing.elapsedMs / timing.audioMs;
      pushBounded(this.#rtf, rtf);
      this.#rtfHistogram.observe(rtf);
    }
    this.#inferenceSeconds.observe(
      { model_id: voice?.id ?? "", execution_provider: voice?.executionProvider ?? "" },
      timing.elapsedMs / 1000,
    );
  }

  /** Records the time to first audio of one utterance, in ms. */
  recordTtfa(ms: number): void {
    pushBounded(this.#ttfa, ms);
    this.#ttfaSeconds.observe(ms / 1000);
  }

  /** Counts one frame written to a client. */
  recordFrame(): void {
    this.#framesSent.inc();
  }

  /** Counts one finished utterance. */
  recordUtterance(): void {
    this.#utterances.inc();
  }

  /** Counts one session admitted. */
  recordSessionStarted(): void {
    this.#sessionsStarted.inc();
  }

  /** Counts one StartSession that started no session. */
  recordSessionRejected(reason: SessionRejectionReason): void {
    this.#sessionsRejected.inc({ reason });
  }

  /** Counts one RPC that ended with an error; `code` is the gRPC status name (`NOT_FOUND`). */
  recordRpcError(method: string, code: string): void {
    this.#rpcErrors.inc({ method, code });
  }

  /** Counts one utterance cut short by an error in synthesis. */
  recordUtteranceFailed(): void {
    this.#utterancesFailed.inc();
  }

  /** Counts one text chunk dropped as the late rest of an utterance a STOP cut short. */
  recordStoppedTextDropped(): void {
    this.#stoppedTextDropped.inc();
  }

  /** Counts one engine Worker crash; `replaced` when a fresh Worker took its place. */
  recordEngineWorkerCrash(replaced: boolean): void {
    this.#engineWorkerCrashes.inc({ replaced: String(replaced) });
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.#registry.metrics();
  }

  /** The content type of {@linkcode WorkerMetrics.exposition}. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /**
   * A snapshot for `GetCapabilities.metrics`, read from the same metrics `/metrics` shows.
   * `rtf`/`rtf_p95` and `ttfa_ms_p50`/`ttfa_ms_p95` cover the last 200 samples; `queue_depth` is
   * the number of segments waiting for an inference Worker, `inference_running` those being
   * synthesised, `inference_workers` how many can be at once.
   */
  async snapshot(): Promise<Record<string, number>> {
    const ttfa = await this.#ttfaSeconds.get();
    const ttfaCount = ttfa.values.find((v) => v.metricName === "tts_ttfa_seconds_count");
    return {
      rtf: median(this.#rtf),
      rtf_p95: percentile(this.#rtf, 0.95),
      ttfa_ms_p50: median(this.#ttfa),
      ttfa_ms_p95: percentile(this.#ttfa, 0.95),
      ttfa_count: ttfaCount?.value ?? 0,
      frames_sent_total: await total(this.#framesSent),
      utterances_total: await total(this.#utterances),
      utterances_failed_total: await total(this.#utterancesFailed),
      stopped_text_chunks_dropped_total: await total(this.#stoppedTextDropped),
      active_sessions: await total(this.#sessionsActive),
      sessions_started_total: await total(this.#sessionsStarted),
      sessions_rejected_total: await total(this.#sessionsRejected),
      rpc_errors_total: await total(this.#rpcErrors),
      engine_worker_crashes_total: await total(this.#engineWorkerCrashes),
      queue_depth: await total(this.#queueDepth),
      inference_running: await total(this.#inferenceRunning),
      inference_seconds_total: await histogramSum(this.#inferenceSeconds),
      inference_workers: await total(this.#inferenceWorkers),
      resident_voices: await total(this.#residentVoices),
      resident_memory_bytes: await total(this.#residentMemory),
    };
  }
}
