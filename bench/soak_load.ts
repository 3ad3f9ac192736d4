/**
 * The client side of `deno task soak`, run as its own process by `soak.ts`: connects to a running
 * worker, runs the concurrent session loops until the deadline, samples the worker's VmRSS from
 * `/proc/<pid>/status`, and prints one {@linkcode LoadReport} as JSON on stdout (progress on
 * stderr).
 *
 * Why a process of its own: with Deno 2.9.6, a `node:http2` session that has carried many streams
 * can abort the process that *receives* a GOAWAY on it, inside nghttp2
 * (`find_stream_on_goaway_func: Assertion 'stream->closed_next == NULL' failed`, exit 134;
 * denoland/deno#36788). Closing the channel sends the worker a GOAWAY (the worker may abort);
 * stopping the worker first sends the client one (the client may abort, losing the figures). So this
 * process prints its report and exits without closing its channel: the kernel closes the connection,
 * no GOAWAY is exchanged, and the worker, stopped afterwards with no connection open, exits cleanly
 * or reports its own failure.
 *
 * Usage (internal): `deno run -A bench/soak_load.ts --address HOST:PORT --pid PID --sessions N
 * --duration-s S --voice ID --seed N`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createTtsClient } from "../src/rpc/client.ts";
import { FRAME_DURATION_MS } from "../src/pipeline/pcm.ts";
import { residentMb } from "./machine.ts";
import { randomInt, seededRandom } from "./soak_plan.ts";
import { runSessionLoop, type SoakTarget } from "./soak_session.ts";
import { SoakTally } from "./soak_tally.ts";
import { percentile, round, summarize } from "./stats.ts";
import { sleep } from "../tests/support/sleep.ts";

/** An utterance whose next frame takes longer than this has stalled, in ms. */
export const STALL_MS = 30_000;
/** Frames later than this behind the real-time schedule would underrun a playout buffer this deep. */
export const PLAYOUT_BUFFER_MS = 100;
/** RSS samples over a run (about; at most one a second). */
const RSS_SAMPLES = 30;

/** What the load process is told. */
export interface LoadOptions {
  /** `host:port` of the worker. */
  readonly address: string;
  /** Process id of the worker, for its VmRSS. */
  readonly pid: number;
  /** Concurrent sessions. */
  readonly sessions: number;
  /** How long new rounds are started, in seconds. */
  readonly durationS: number;
  /** Voice of every session. */
  readonly voice: string;
  /** Seed of the plan. */
  readonly seed: number;
}

/** p50, p95, p99 and max of a measure, and how many samples; all 0 when there are none. */
export interface Distribution {
  /** Samples. */
  readonly n: number;
  /** Median. */
  readonly p50: number;
  /** 95th percentile. */
  readonly p95: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Largest sample. */
  readonly max: number;
}

/** What the load process measured. */
export interface LoadReport {
  /** Voice of every session. */
  readonly voice: string;
  /** Seed of the plan (`--seed` repeats the same texts and actions). */
  readonly seed: number;
  /** Concurrent sessions. */
  readonly sessions: number;
  /** Time new rounds were started for, in s. */
  readonly duration_s: number;
  /** Time from the first StartSession to the last round's end, in s. */
  readonly elapsed_s: number;
  /** Cores and load (the machine may be shared: high load means noisy timings). */
  readonly machine: {
    readonly cores: number;
    readonly load_average_start: number;
    readonly load_average_end: number;
    readonly deno: string;
  };
  /** Sessions started and ended (StartSession to EndSession), over all loops. */
  readonly rounds: number;
  /** Utterances sent, by kind, and those that did not end in exactly one final frame. */
  readonly utterances: {
    readonly total: number;
    readonly by_kind: Record<string, number>;
    /** Utterances with no final frame or with more than one (must be 0). */
    readonly bad_finals: number;
    /** Utterances whose frames stopped coming for {@linkcode STALL_MS} (also in bad_finals). */
    readonly stalled: number;
  };
  /** Frames. */
  readonly frames: {
    /** Received by the client. */
    readonly received: number;
    /** `frames_sent_total` that the worker reports at the end (null if it could not be read). */
    readonly worker_sent: number | null;
    /** Audio received, in s. */
    readonly audio_s: number;
    /** Frames whose sequence number was not the previous one + 1, or 0 first (must be 0). */
    readonly sequence_gaps: number;
    /** Frames with the wrong size, rate, duration or session id (must be 0). */
    readonly malformed: number;
    /** Frames before any text was sent on their stream (must be 0). */
    readonly stray: number;
  };
  /** Control commands. */
  readonly control: {
    /** STOP sent mid-utterance. */
    readonly stops: number;
    /** STOPs that found the utterance still being spoken ("stopped"). */
    readonly stops_effective: number;
    /** PAUSE/RESUME pairs. */
    readonly pauses: number;
    /** Commands not sent because the utterance had already ended. */
    readonly skipped: number;
  };
  /**
   * Per-frame jitter: lateness behind the real-time schedule that each utterance's first frame
   * (and each RESUME) sets, in ms (see `soak_jitter.ts`), and frames later than the playout buffer.
   */
  readonly jitter_ms: Distribution & {
    readonly playout_buffer_ms: number;
    readonly frames_over_buffer: number;
  };
  /** Time to first audio of utterances sent as one chunk (nothing-to-speak ones left out), in ms. */
  readonly ttfa_ms: Distribution;
  /** The worker's VmRSS, in MiB: start (voice loaded), peak, end, and samples over time. */
  readonly rss_mb: {
    readonly start: number;
    readonly peak: number;
    readonly end: number;
    readonly growth: number;
    /** Seconds between samples. */
    readonly interval_s: number;
    /** Samples from the start, one every `interval_s`. */
    readonly timeline: number[];
  };
  /** Failed calls by gRPC status code, and refusals (`success: false`) by method. */
  readonly errors: {
    readonly total: number;
    readonly by_code: Record<string, number>;
    readonly refusals: Record<string, number>;
  };
  /** `active_sessions` the worker reported after every round had ended (null if unread). */
  readonly sessions_left_open: number | null;
  /** The first problems seen (empty when all went well). */
  readonly problems: string[];
}

function distribution(values: readonly number[], digits = 1): Distribution {
  if (values.length === 0) return { n: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const summary = summarize(values);
  return {
    n: summary.n,
    p50: round(summary.p50, digits),
    p95: round(summary.p95, digits),
    p99: round(percentile(values, 99), digits),
    max: round(summary.max, digits),
  };
}

async function rssOrNull(pid: number): Promise<number | null> {
  try {
    return round(await residentMb(pid), 1);
  } catch {
    return null; // the process is gone
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; aborts `gone` when it has exited. */
function sampleRss(pid: number, intervalMs: number, gone: AbortController) {
  const timeline: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const mb = await rssOrNull(pid);
      if (mb === null) {
        gone.abort(new Error(`the worker (pid ${pid}) has exited`));
        return;
      }
      timeline.push(mb);
      await sleep(intervalMs);
    }
  })();
  return {
    timeline,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Runs the session loops against the worker at `options.address`; `report` gets progress lines. */
export async function runLoad(
  options: LoadOptions,
  report: (line: string) => void = (line) => console.error(line),
): Promise<LoadReport> {
  const began = performance.now();
  const progress = (line: string) =>
    report(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const loadStart = Deno.loadavg()[0];
  const client = createTtsClient(options.address);
  const tally = new SoakTally();
  const loaded = await client.loadModel(options.voice, true);
  if (!loaded.success) throw new Error(`LoadModel ${options.voice} failed: ${loaded.message}`);
  const rssStart = await rssOrNull(options.pid) ?? 0;
  const durationMs = options.durationS * 1000;
  const intervalMs = Math.max(1000, Math.round(durationMs / RSS_SAMPLES));
  const gone = new AbortController();
  const rss = sampleRss(options.pid, intervalMs, gone);
  progress(`${options.sessions} sessions for ${options.durationS} s (seed ${options.seed}) ...`);
  const target: SoakTarget = { client, modelId: options.voice, tally, stallMs: STALL_MS };
  const seeds = seededRandom(options.seed);
  const start = performance.now();
  const deadline = start + durationMs;
  const ticker = setInterval(() => {
    progress(
      `${tally.rounds} rounds, ${tally.framesReceived} frames, ${tally.errors} errors, ` +
        `${tally.badFinals} bad finals, rss ${rss.timeline.at(-1) ?? "?"} MiB`,
    );
  }, Math.max(5000, durationMs / 10));
  try {
    await Promise.all(
      Array.from({ length: options.sessions }, (_, i) =>
        runSessionLoop(
          target,
          `soak-${i}`,
          seededRandom(randomInt(seeds, 0, 2 ** 32 - 1)),
          deadline,
          gone.signal,
        )),
    );
  } finally {
    clearInterval(ticker);
    await rss.stop();
  }
  const elapsedS = round((performance.now() - start) / 1000, 1);
  await sleep(500);
  const rssEnd = await rssOrNull(options.pid) ?? 0;
  let workerSent: number | null = null;
  let openSessions: number | null = null;
  try {
    const metrics = (await client.getCapabilities()).metrics;
    workerSent = metrics.frames_sent_total ?? null;
    openSessions = metrics.active_sessions ?? null;
  } catch (error) {
    tally.recordError("GetCapabilities", error);
  }
  return {
    voice: options.voice,
    seed: options.seed,
    sessions: options.sessions,
    duration_s: options.durationS,
    elapsed_s: elapsedS,
    machine: {
      cores: navigator.hardwareConcurrency,
      load_average_start: round(loadStart, 2),
      load_average_end: round(Deno.loadavg()[0], 2),
      deno: Deno.version.deno,
    },
    rounds: tally.rounds,
    utterances: {
      total: Object.values(tally.utterances).reduce((a, b) => a + b, 0),
      by_kind: tally.utterances,
      bad_finals: tally.badFinals,
      stalled: tally.stalled,
    },
    frames: {
      received: tally.framesReceived,
      worker_sent: workerSent,
      audio_s: round((tally.framesReceived * FRAME_DURATION_MS) / 1000, 1),
      sequence_gaps: tally.sequenceGaps,
      malformed: tally.malformedFrames,
      stray: tally.strayFrames,
    },
    control: {
      stops: tally.stops,
      stops_effective: tally.stopsEffective,
      pauses: tally.pauses,
      skipped: tally.actionsSkipped,
    },
    jitter_ms: {
      ...distribution(tally.jitterMs),
      playout_buffer_ms: PLAYOUT_BUFFER_MS,
      frames_over_buffer: tally.jitterMs.filter((ms) => ms > PLAYOUT_BUFFER_MS).length,
    },
    ttfa_ms: distribution(tally.ttfaMs),
    rss_mb: {
      start: rssStart,
      peak: Math.max(rssStart, rssEnd, ...rss.timeline),
      end: rssEnd,
      growth: round(rssEnd - rssStart, 1),
      interval_s: intervalMs / 1000,
      timeline: rss.timeline,
    },
    errors: {
      total: tally.errors,
      by_code: tally.errorsByCode,
      refusals: tally.refusals,
    },
    sessions_left_open: openSessions,
    problems: tally.samples,
  };
}

/** Parses the load process's arguments (written by `soak.ts`, so any mistake is thrown). */
export function parseLoadOptions(args: string[]): LoadOptions {
  const { values } = parseArgs({
    args,
    options: {
      address: { type: "string" },
      pid: { type: "string" },
      sessions: { type: "string" },
      "duration-s": { type: "string" },
      voice: { type: "string" },
      seed: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (values[name] === undefined || !Number.isFinite(value)) {
      throw new Error(`--${name} must be a number, got "${values[name]}"`);
    }
    return value;
  };
  if (!values.address || !values.voice) throw new Error("--address and --voice are required");
  return {
    address: values.address,
    pid: number("pid"),
    sessions: number("sessions"),
    durationS: number("duration-s"),
    voice: values.voice,
    seed: number("seed"),
  };
}

if (import.meta.main) {
  let json: string;
  try {
    json = JSON.stringify(await runLoad(parseLoadOptions(Deno.args)));
  } catch (error) {
    console.error(`soak load failed: ${error instanceof Error ? error.stack : error}`);
    Deno.exit(1);
  }
  await Deno.stdout.write(new TextEncoder().encode(json + "\n"));
  // Exit with the channel still open: see the module documentation.
  Deno.exit(0);
}
