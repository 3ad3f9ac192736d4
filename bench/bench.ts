/**
 * `deno task bench`: starts the real worker with one voice, measures it over gRPC and prints one
 * JSON object on stdout (and a short table on stderr). See {@linkcode BENCH_USAGE}.
 *
 * What is measured (all times on the benchmark's `performance.now()` clock, on the client side):
 *
 * - `ttfa_ms`: from sending the chunk that completes the first segment to the first frame, for one
 *   sentence sent as one chunk and for text streamed as LLM tokens every 30 ms.
 * - `rtf`: time from sending the text (one final chunk) to the final frame, over the audio's
 *   duration, for one sentence and for a paragraph.
 * - `floor`: the same segments synthesised in this process with nothing around them (see
 *   `floor.ts`); `overhead_ratio` is the worker's time over the floor's, p50 against p50.
 * - `stop_ms`: STOP sent -> final frame received; `pause_ms`: PAUSE sent -> last frame received.
 * - `max_realtime_sessions`: most concurrent sessions for which no session underruns a 100 ms
 *   playout buffer (1, 2, 4, ... up to a cap, then bisected between the last pass and first fail).
 * - `rss_mb`: the worker's VmRSS with no voice, with the voice, warm, and per active session.
 * - `frames_per_s`: frames per second delivered on one stream (paragraph, as fast as it comes).
 *
 * @module
 */
import { DEFAULT_CONFIG } from "../src/config.ts";
import { ModelStore } from "../src/models/model_store.ts";
import { startTestWorker, type TestWorker } from "../tests/support/worker_process.ts";
import { type BenchOptions, parseBenchOptions } from "./bench_options.ts";
import { createFloor, type FloorRun } from "./floor.ts";
import { ensureLoadTestVoice, LOAD_TEST_VOICE_ID } from "./load_test_voice.ts";
import { machineFacts, residentMb } from "./machine.ts";
import {
  type BenchResult,
  type FirstAudioComparison,
  type FloorComparison,
  formatTable,
  machineJson,
  percentiles,
} from "./report.ts";
import {
  type BenchTarget,
  type ConcurrencyStep,
  concurrentSessions,
  pauseLatency,
  speakTimed,
  stopLatency,
  ttfaOneChunk,
  ttfaTokenStream,
  type UtteranceTiming,
} from "./scenarios.ts";
import { median, round, summarize } from "./stats.ts";
import {
  firstWorkerSegment,
  llmTokens,
  LONG_TEXT,
  SHORT_TEXT,
  STREAMED_TEXT,
  workerSegments,
} from "./texts.ts";
import { sleep } from "../tests/support/sleep.ts";
import { type JsonCli, runJsonCli } from "./json_cli.ts";

/** Interval between streamed tokens, in ms. */
const TOKEN_INTERVAL_MS = 30;
/** Playout buffer of the real-time check, in ms. */
const PLAYOUT_BUFFER_MS = 100;
/** Silence that shows a PAUSE has taken hold, in ms. */
const PAUSE_QUIET_MS = 250;
/** Least time a PAUSE is held and checked for frames that leak through, in ms. */
const PAUSE_MIN_HOLD_MS = 1000;
/** The built-in voice the worker starts with (unloaded again for the idle memory figure). */
const START_MODEL = "espeak-en-us";

async function repeat<T>(times: number, measure: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await measure());
  return results;
}

async function settledRss(pid: number): Promise<number> {
  await sleep(300);
  return round(await residentMb(pid), 1);
}

/**
 * Runs `worker` and `floor` in turn `times` times (the floor first on odd rounds), so that each
 * worker measurement has a floor measurement taken right beside it.
 */
async function interleave<W, F>(
  times: number,
  worker: () => Promise<W>,
  floor: () => Promise<F>,
): Promise<[W[], F[]]> {
  const workers: W[] = [];
  const floors: F[] = [];
  for (let i = 0; i < times; i++) {
    if (i % 2 === 1) floors.push(await floor());
    workers.push(await worker());
    if (i % 2 === 0) floors.push(await floor());
  }
  return [workers, floors];
}

/** Median of the ratios of paired measurements. */
function pairedRatio(worker: number[], floor: number[]): number {
  return median(worker.map((ms, i) => ms / floor[i]));
}

/** A worker run and the inference time the worker itself recorded for it. */
interface MeteredTiming {
  readonly timing: UtteranceTiming;
  /** Growth of the worker's `inference_seconds_total` over the run, in ms. */
  readonly inferenceMs: number;
}

/** The worker's inference time so far (GetCapabilities' `inference_seconds_total`), in ms. */
async function workerInferenceMs(target: BenchTarget): Promise<number> {
  const { metrics } = await target.client.getCapabilities();
  return (metrics.inference_seconds_total ?? 0) * 1000;
}

/** Runs `speak` and reads how much inference time the worker recorded meanwhile. */
async function metered(
  target: BenchTarget,
  speak: () => Promise<UtteranceTiming>,
): Promise<MeteredTiming> {
  const before = await workerInferenceMs(target);
  const timing = await speak();
  return { timing, inferenceMs: (await workerInferenceMs(target)) - before };
}

function compare(floor: FloorRun[], runs: MeteredTiming[]): FloorComparison {
  const worker = runs.map((run) => run.timing);
  const floorMs = median(floor.map((run) => run.elapsedMs));
  const workerMs = median(worker.map((run) => run.synthesisMs));
  const inferenceMs = median(runs.map((run) => run.inferenceMs));
  return {
    floor_ms: round(floorMs, 3),
    floor_rtf: round(median(floor.map((run) => run.elapsedMs / run.audioMs)), 5),
    worker_ms: round(workerMs, 2),
    worker_inference_ms: round(inferenceMs, 2),
    inference_ratio: round(inferenceMs / floorMs, 3),
    overhead_ratio: round(workerMs / floorMs, 3),
    paired_ratio_p50: round(
      pairedRatio(worker.map((run) => run.synthesisMs), floor.map((run) => run.elapsedMs)),
      3,
    ),
    pairs: worker.length,
  };
}

function compareFirstAudio(
  segment: string,
  floor: FloorRun[],
  ttfa: number[],
): FirstAudioComparison {
  const floorMs = median(floor.map((run) => run.elapsedMs));
  const ttfaMs = median(ttfa);
  return {
    segment,
    floor_ms: round(floorMs, 3),
    ttfa_ms: round(ttfaMs, 2),
    ratio: round(ttfaMs / floorMs, 3),
    paired_ratio_p50: round(pairedRatio(ttfa, floor.map((run) => run.elapsedMs)), 3),
    pairs: ttfa.length,
  };
}

function rtf(timings: UtteranceTiming[]) {
  return {
    ...percentiles(summarize(timings.map((t) => t.synthesisMs / t.audioMs)), 5),
    audio_ms: median(timings.map((t) => t.audioMs)),
  };
}

/** Most voices loaded besides the benchmark's own for the memory-per-voice figure. */
const EXTRA_VOICES = 2;

/**
 * Loads up to {@linkcode EXTRA_VOICES} other downloaded voices of `family` one at a time, with
 * the worker's RSS after each (first entry: the benchmark's voice alone, `warm`), then unloads
 * them again.
 */
async function residentVoiceGrowth(
  client: TestWorker["client"],
  pid: number,
  voice: string,
  family: string,
  warm: number,
): Promise<{ resident_voices: number; rss_mb: number; model_id: string }[]> {
  const others = (await client.listModels()).models
    .filter((model) =>
      model.family === family && model.model_id !== voice && !model.is_loaded &&
      model.metadata.downloaded !== "false"
    )
    .slice(0, EXTRA_VOICES)
    .map((model) => model.model_id);
  const growth = [{ resident_voices: 1, rss_mb: warm, model_id: voice }];
  for (const id of others) {
    const loaded = await client.loadModel(id);
    if (!loaded.success) throw new Error(`LoadModel ${id} failed: ${loaded.message}`);
    growth.push({
      resident_voices: growth.length + 1,
      rss_mb: await settledRss(pid),
      model_id: id,
    });
  }
  for (const id of others) {
    const unloaded = await client.unloadModel(id);
    if (!unloaded.success) throw new Error(`UnloadModel ${id} failed: ${unloaded.message}`);
  }
  return growth;
}

/**
 * The next number of concurrent sessions to try in the real-time search, or undefined when the
 * search is over: doubling from 1 while every count passes (up to `cap`), then bisecting between
 * the most that passed (`best`) and the fewest that failed (`failed`) until they are adjacent.
 */
export function nextSessionCount(
  best: number,
  failed: number | undefined,
  cap: number,
): number | undefined {
  if (failed === undefined) {
    const next = best === 0 ? 1 : best * 2;
    return next <= cap ? next : undefined;
  }
  const middle = Math.floor((best + failed) / 2);
  return middle > best ? middle : undefined;
}

/**
 * Finds the most concurrent sessions that all stay real time: 1, 2, 4, ... up to `cap`, then a
 * bisection between the last count that passed and the first that failed.
 */
async function searchRealtime(target: BenchTarget, cap: number, progress: (s: string) => void) {
  const steps: ConcurrencyStep[] = [];
  let best = 0;
  let failed: number | undefined;
  for (
    let count = nextSessionCount(best, failed, cap);
    count !== undefined;
    count = nextSessionCount(best, failed, cap)
  ) {
    const step = await concurrentSessions(target, count, LONG_TEXT, PLAYOUT_BUFFER_MS);
    steps.push(step);
    progress(
      `  ${count} sessions: ${step.underrunSessions} underran, worst lateness ` +
        `${round(step.worstLatenessMs, 1)} ms`,
    );
    if (step.underrunSessions > 0) failed = count;
    else best = count;
  }
  return { best, steps, capped: failed === undefined && best * 2 > cap };
}

/** Where the load-test voice is written when no models directory is given. */
const LOAD_TEST_VOICE_DIR = new URL("./tmp/voices/", import.meta.url).pathname;
/** The real Piper config the load-test voice takes its phoneme map from. */
const LESSAC_LOW_CONFIG = new URL(
  "../tests/fixtures/piper-configs/en_US-lessac-low.onnx.json",
  import.meta.url,
).pathname;

/** Runs every measurement against a fresh worker; `progress` gets a line per stage. */
export async function runBench(
  options: BenchOptions,
  report: (line: string) => void = (line) => console.error(line),
): Promise<BenchResult> {
  const began = performance.now();
  const progress = (line: string) =>
    report(`[${((performance.now() - began) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const { iterations: it, voice } = options;
  const machine = await machineFacts(options.ep);
  let modelsDir = options.modelsDir ?? DEFAULT_CONFIG.modelsDir;
  if (voice === LOAD_TEST_VOICE_ID) {
    modelsDir = options.modelsDir ?? LOAD_TEST_VOICE_DIR;
    progress(`writing the load-test voice into ${modelsDir} (unless it is there) ...`);
    await ensureLoadTestVoice(modelsDir, LESSAC_LOW_CONFIG, 1 + EXTRA_VOICES);
  }
  const descriptor = await new ModelStore(modelsDir).resolve(voice);
  if (!descriptor) throw new Error(`unknown voice "${voice}" (models dir ${modelsDir})`);

  progress(`starting the worker (voice ${voice}, ep ${options.ep}) ...`);
  const worker: TestWorker = await startTestWorker([
    // Synthesis speed is measured: frames go as fast as they are made, not paced to real time.
    "--audio-lead-ms",
    "0",
    "--execution-provider",
    options.ep,
    "--models-dir",
    modelsDir,
    "--default-model",
    START_MODEL,
    "--max-sessions",
    String(Math.max(it.maxSessionsCap, it.rssSessions) + 2),
  ]);
  const { client } = worker;
  const pid = worker.process.pid;
  const target: BenchTarget = { client, modelId: voice };
  let result: BenchResult;
  try {
    const unloaded = await client.unloadModel(START_MODEL);
    if (!unloaded.success) throw new Error(`UnloadModel failed: ${unloaded.message}`);
    const idle = await settledRss(pid);
    const loaded = await client.loadModel(voice);
    if (!loaded.success) throw new Error(`LoadModel ${voice} failed: ${loaded.message}`);
    const voiceLoaded = await settledRss(pid);
    const info = (await client.listModels()).models.find((model) => model.model_id === voice);

    progress("warming up ...");
    await repeat(it.warmUp, () => speakTimed(target, LONG_TEXT));
    await speakTimed(target, SHORT_TEXT);

    progress("loading the floor ...");
    const floor = await createFloor(descriptor, options.ep);
    const firstOneChunk = firstWorkerSegment([SHORT_TEXT]);
    const firstTokens = firstWorkerSegment(llmTokens(STREAMED_TEXT));
    let oneChunk: number[], tokens: number[];
    let short: MeteredTiming[], long: MeteredTiming[];
    let floorShort: FloorRun[], floorLong: FloorRun[];
    let floorFirstOneChunk: FloorRun[], floorFirstTokens: FloorRun[];
    try {
      const runShort = await floor.prepare(SHORT_TEXT);
      const runLong = await floor.prepare(LONG_TEXT);
      const runFirstOneChunk = await floor.prepareSegments([firstOneChunk]);
      const runFirstTokens = await floor.prepareSegments([firstTokens]);
      await repeat(it.warmUp, runLong);

      // Each worker measurement alternates with its floor run, so that the machine's changing
      // speed (other tenants, clocks) weighs on both alike.
      progress("time to first audio, against the floor of the first segment ...");
      [oneChunk, floorFirstOneChunk] = await interleave(
        it.ttfa,
        () => ttfaOneChunk(target, SHORT_TEXT),
        runFirstOneChunk,
      );
      [tokens, floorFirstTokens] = await interleave(
        it.ttfa,
        () => ttfaTokenStream(target, STREAMED_TEXT, TOKEN_INTERVAL_MS),
        runFirstTokens,
      );

      progress("real-time factor, against the floor ...");
      [short, floorShort] = await interleave(
        it.rtfShort,
        () => metered(target, () => speakTimed(target, SHORT_TEXT)),
        runShort,
      );
      [long, floorLong] = await interleave(
        it.rtfLong,
        () => metered(target, () => speakTimed(target, LONG_TEXT)),
        runLong,
      );
    } finally {
      await floor.release();
    }

    progress("stop and pause ...");
    const stops = await repeat(it.control, () => stopLatency(target, LONG_TEXT));
    // Held for twice a segment's bare inference at least: a PAUSE that let frames through would
    // show them within that time.
    const segmentFloorMs = median(floorLong.map((run) => run.elapsedMs)) /
      workerSegments(LONG_TEXT).length;
    const holdMs = Math.round(Math.max(PAUSE_MIN_HOLD_MS, 2 * segmentFloorMs));
    const pauses = await repeat(
      it.control,
      () => pauseLatency(target, LONG_TEXT, PAUSE_QUIET_MS, holdMs),
    );

    progress("memory as sessions grow ...");
    const warm = await settledRss(pid);
    const sessionGrowth: { active_sessions: number; peak_rss_mb: number }[] = [];
    for (let count = 1; count <= it.rssSessions; count *= 2) {
      const step = await concurrentSessions(target, count, LONG_TEXT, PLAYOUT_BUFFER_MS, pid);
      sessionGrowth.push({ active_sessions: count, peak_rss_mb: round(step.peakRssMb ?? warm, 1) });
    }
    const activePeak = sessionGrowth.at(-1)?.peak_rss_mb ?? warm;
    const activeSessions = sessionGrowth.at(-1)?.active_sessions ?? 0;

    progress("memory as resident voices grow ...");
    const voiceGrowth = await residentVoiceGrowth(client, pid, voice, descriptor.family, warm);

    progress(`concurrent real-time sessions (cap ${it.maxSessionsCap}) ...`);
    const search = await searchRealtime(target, it.maxSessionsCap, progress);

    result = {
      mode: options.quick ? "quick" : "full",
      voice,
      family: descriptor.family,
      machine: machineJson(machine),
      worker: {
        execution_provider: info?.metadata.execution_provider ?? "unknown",
        voice_load_ms: Number(loaded.load_duration_ms),
        exit_code: null,
      },
      ttfa_ms: {
        one_chunk: percentiles(summarize(oneChunk)),
        token_stream: {
          ...percentiles(summarize(tokens)),
          token_interval_ms: TOKEN_INTERVAL_MS,
        },
      },
      rtf: { short: rtf(short.map((run) => run.timing)), long: rtf(long.map((run) => run.timing)) },
      floor: {
        method: floor.method,
        execution_provider: floor.executionProvider,
        short: compare(floorShort, short),
        long: compare(floorLong, long),
        first_audio: {
          one_chunk: compareFirstAudio(firstOneChunk, floorFirstOneChunk, oneChunk),
          token_stream: compareFirstAudio(firstTokens, floorFirstTokens, tokens),
        },
      },
      stop_ms: {
        ...percentiles(summarize(stops.map((s) => s.ms))),
        effective: stops.filter((s) => s.effective).length,
        frames_after_p50: median(stops.map((s) => s.framesAfter)),
      },
      pause_ms: {
        ...percentiles(summarize(pauses.map((p) => p.ms))),
        held: pauses.filter((p) => p.effective).length,
        hold_ms: holdMs,
        frames_after_p50: median(pauses.map((p) => p.framesAfter)),
      },
      max_realtime_sessions: search.best,
      realtime_search: {
        playout_buffer_ms: PLAYOUT_BUFFER_MS,
        cap: it.maxSessionsCap,
        capped: search.capped,
        steps: search.steps.map((step) => ({
          sessions: step.sessions,
          underrun_sessions: step.underrunSessions,
          worst_lateness_ms: round(step.worstLatenessMs, 1),
          first_frame_max_ms: round(step.firstFrameMaxMs, 1),
        })),
      },
      rss_mb: {
        idle,
        voice_loaded: voiceLoaded,
        warm,
        active_peak: activePeak,
        active_sessions: activeSessions,
        per_session: round(marginalSessionMb(sessionGrowth, warm), 2),
        per_voice: voiceGrowth.length > 1
          ? round(voiceGrowth.at(-1)!.rss_mb - voiceGrowth.at(-2)!.rss_mb, 1)
          : null,
        sessions: sessionGrowth,
        voices: voiceGrowth,
      },
      frames_per_s: percentiles(
        summarize(long.map(({ timing }) => timing.frames / (timing.synthesisMs / 1000))),
        1,
      ),
    };
  } catch (error) {
    await worker.stop();
    throw error;
  }
  progress("stopping the worker ...");
  const exitCode = await worker.stop();
  if (exitCode !== 0) progress(`warning: the worker exited with code ${exitCode} on SIGTERM`);
  progress("done");
  return { ...result, worker: { ...result.worker, exit_code: exitCode } };
}

/**
 * Growth of peak RSS per further session over the last doubling of `steps` (1, 2, 4, ... active
 * sessions), in MiB; with one step, its growth over `warm`.
 */
export function marginalSessionMb(
  steps: readonly { active_sessions: number; peak_rss_mb: number }[],
  warm: number,
): number {
  const last = steps.at(-1);
  if (!last) return 0;
  const before = steps.at(-2) ?? { active_sessions: 0, peak_rss_mb: warm };
  const grown = (last.peak_rss_mb - before.peak_rss_mb) /
    (last.active_sessions - before.active_sessions);
  return Math.max(0, grown);
}

/**
 * File name of a result: `<date>T<hhmm>-<ep>-<voice>.json` (UTC), so that runs of one day do not
 * overwrite each other.
 */
export function resultFileName(result: BenchResult): string {
  const minute = String(result.machine.date).slice(0, 16).replace(":", "");
  return `${minute}-${result.machine.execution_provider}-${result.voice}.json`;
}

/** The `deno task bench` command line. */
export const BENCH_CLI: JsonCli<BenchOptions, BenchResult> = {
  name: "bench",
  parse: parseBenchOptions,
  run: runBench,
  summary: formatTable,
  resultFileName,
};

/** Runs the CLI; returns the exit code. */
export function main(args: string[]): Promise<number> {
  return runJsonCli(BENCH_CLI, args);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
