/**
 * `deno task soak`: starts the real worker and runs concurrent sessions of varied text against it
 * for a set time, then prints one JSON object on stdout (a short summary on stderr). See
 * {@linkcode SOAK_USAGE} and {@linkcode SoakResult}.
 *
 * Each session loops: StartSession, 1-4 utterances one after the other on one Synthesize stream
 * (short, long, numbers, markup, nothing speakable; many streamed as LLM word tokens or cut at
 * random characters; some cut short by STOP or held by PAUSE/RESUME), EndSession or half-close,
 * again (see `soak_plan.ts`). All sessions share one client channel, as an orchestrator's would.
 * The sessions run in a process of their own (`soak_load.ts`, which says why); this one starts the
 * worker, runs that process, stops the worker with SIGTERM and judges the outcome.
 *
 * The run fails (exit status 1) when any frame sequence had a gap, any utterance did not end in
 * exactly one final frame, a frame was malformed or stray, a call failed, was refused or stalled,
 * the worker logged an error, sessions were left open, nothing was received, or the worker or the
 * load process did not exit with 0.
 *
 * @module
 */
import { startTestWorker } from "../tests/support/worker_process.ts";
import { type JsonCli, runJsonCli } from "./json_cli.ts";
import type { LoadReport } from "./soak_load.ts";
import { parseSoakOptions, SOAK_USAGE, type SoakOptions } from "./soak_options.ts";

export { SOAK_USAGE };

const LOAD = new URL("./soak_load.ts", import.meta.url).pathname;
/** pino's level number of `error`. */
const PINO_ERROR = 50;

/** What `deno task soak` prints: the load process's figures, the worker's end, the verdict. */
export interface SoakResult extends LoadReport {
  /** The worker's pacing lead (`--audio-lead-ms`; 0: unpaced). */
  readonly audio_lead_ms: number;
  /** The worker at the end. */
  readonly worker: {
    /** Exit code on SIGTERM (0: clean shutdown; 134: aborted). */
    readonly exit_code: number;
    /** Signal that ended it, if one did. */
    readonly signal: string | null;
    /** Log lines at level error or above. */
    readonly error_logs: number;
  };
  /** Why the run failed (empty when it passed). */
  readonly failures: string[];
  /** Whether it passed. */
  readonly ok: boolean;
}

/** The reasons `result` fails (empty when it passes). */
export function failuresOf(result: Omit<SoakResult, "failures" | "ok">): string[] {
  const failures: string[] = [];
  const check = (bad: boolean, reason: string) => bad && failures.push(reason);
  check(result.frames.sequence_gaps > 0, `${result.frames.sequence_gaps} sequence gaps`);
  check(result.utterances.bad_finals > 0, `${result.utterances.bad_finals} bad finals`);
  check(result.utterances.stalled > 0, `${result.utterances.stalled} stalled utterances`);
  check(result.frames.malformed > 0, `${result.frames.malformed} malformed frames`);
  check(result.frames.stray > 0, `${result.frames.stray} stray frames`);
  check(result.errors.total > 0, `${result.errors.total} failed calls`);
  const refused = Object.values(result.errors.refusals).reduce((a, b) => a + b, 0);
  check(refused > 0, `${refused} refused calls`);
  check(result.worker.error_logs > 0, `${result.worker.error_logs} worker error logs`);
  check((result.sessions_left_open ?? 0) > 0, `${result.sessions_left_open} sessions left open`);
  check(result.frames.received === 0, "no frames received");
  check(result.worker.exit_code !== 0, `worker exit code ${result.worker.exit_code}`);
  return failures;
}

/** Runs the soak; progress lines go to stderr. Throws when the load process gives no report. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  console.error(`starting the worker (voice ${options.voice}) ...`);
  // The worker's client is never used, so it never connects (see soak_load.ts on GOAWAY).
  const worker = await startTestWorker([
    // 0 (the default) stresses synthesis speed; the worker's own 1000 is production's pacing.
    "--audio-lead-ms",
    String(options.audioLeadMs),
    "--max-sessions",
    String(options.sessions + 2),
    ...(options.modelsDir === undefined ? [] : ["--models-dir", options.modelsDir]),
  ]);
  let load: Deno.CommandOutput;
  try {
    load = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        LOAD,
        "--address",
        worker.address,
        "--pid",
        String(worker.process.pid),
        "--sessions",
        String(options.sessions),
        "--duration-s",
        String(options.durationS),
        "--voice",
        options.voice,
        "--seed",
        String(options.seed),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
  } catch (error) {
    await worker.stop();
    throw error;
  }
  console.error("stopping the worker ...");
  const exitCode = await worker.stop();
  const { signal } = await worker.process.status;
  const text = new TextDecoder().decode(load.stdout).trim();
  if (load.code !== 0 || text === "") {
    throw new Error(
      `the load process exited with ${load.code}${load.signal ? ` (${load.signal})` : ""}` +
        ` and no report; the worker exited with ${exitCode}`,
    );
  }
  const report: LoadReport = JSON.parse(text);
  const errorLogs = worker.logs.filter((entry) => Number(entry.level) >= PINO_ERROR);
  const problems = [
    ...report.problems,
    ...errorLogs.slice(0, 3).map((entry) => `worker log: ${JSON.stringify(entry).slice(0, 300)}`),
  ];
  const partial = {
    ...report,
    audio_lead_ms: options.audioLeadMs,
    problems,
    worker: { exit_code: exitCode, signal, error_logs: errorLogs.length },
  };
  const failures = failuresOf(partial);
  return { ...partial, failures, ok: failures.length === 0 };
}

/** A few lines for people. */
export function formatSummary(result: SoakResult): string {
  return [
    `soak: ${result.sessions} sessions, ${result.elapsed_s} s, voice ${result.voice}, ` +
    `seed ${result.seed}, load average ${result.machine.load_average_start} on ` +
    `${result.machine.cores} cores`,
    `  rounds ${result.rounds}, utterances ${result.utterances.total}, frames ` +
    `${result.frames.received} (worker sent ${result.frames.worker_sent}), ` +
    `audio ${result.frames.audio_s} s`,
    `  sequence gaps ${result.frames.sequence_gaps}, bad finals ${result.utterances.bad_finals}, ` +
    `errors ${result.errors.total} ${JSON.stringify(result.errors.by_code)}`,
    `  jitter p50 ${result.jitter_ms.p50} ms, p95 ${result.jitter_ms.p95} ms, max ` +
    `${result.jitter_ms.max} ms; ttfa p50 ${result.ttfa_ms.p50} ms, p95 ${result.ttfa_ms.p95} ms`,
    `  rss ${result.rss_mb.start} -> ${result.rss_mb.end} MiB (peak ${result.rss_mb.peak}); ` +
    `worker exit ${result.worker.exit_code}`,
    result.ok ? "  PASS" : `  FAIL: ${result.failures.join(", ")}`,
  ].join("\n");
}

/** The `deno task soak` command line: exit 1 when the soak saw a fault. */
export const SOAK_CLI: JsonCli<SoakOptions, SoakResult> = {
  name: "soak",
  parse: parseSoakOptions,
  run: runSoak,
  summary: formatSummary,
  exitCode: (result) => result.ok ? 0 : 1,
};

/** Runs the CLI; returns the exit code. */
export function main(args: string[]): Promise<number> {
  return runJsonCli(SOAK_CLI, args);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
