/**
 * Command-line options of `deno task bench`.
 *
 * @module
 */
import { parseCliArgs, usageError, type UsageMessage } from "./cli_args.ts";

/** Usage text. */
export const BENCH_USAGE =
  `usage: deno task bench [--ep wasm|webgpu] [--voice ID] [--models-dir DIR] [--quick]
                       [--json out.json] [--results-dir DIR]

Starts the worker (src/main.ts) with the voice, measures it over gRPC and prints one JSON object on
stdout (a table on stderr). The JSON is also written to <results-dir>/<date>-<ep>-<voice>.json
(default results dir: bench/results) and, with --json, to that file.

--voice en_US-loadtest-low: a voice with random weights and the compute of a real Piper voice
(bench/load_test_voice.ts), written into bench/tmp/voices (or --models-dir) on first use.`;

/** How many times each measurement runs, and the limits of the concurrency search. */
export interface BenchIterations {
  /**
   * Paragraphs spoken before measuring, in the worker and at the floor alike: WebAssembly starts
   * in a baseline tier and is optimised only after it has run a while.
   */
  readonly warmUp: number;
  /** One-chunk and token-stream TTFA runs, each (and as many floor runs of the first segment). */
  readonly ttfa: number;
  /** Short-text RTF runs (each paired with a floor run). */
  readonly rtfShort: number;
  /** Paragraph RTF runs (each paired with a floor run). */
  readonly rtfLong: number;
  /** STOP and PAUSE runs, each. */
  readonly control: number;
  /** Highest number of concurrent sessions tried. */
  readonly maxSessionsCap: number;
  /** Concurrent sessions for the per-session memory figure. */
  readonly rssSessions: number;
}

/** Parsed options. */
export interface BenchOptions {
  /** Execution provider for neural voices. */
  readonly ep: "wasm" | "webgpu";
  /** Voice (model id). */
  readonly voice: string;
  /** Models directory for the worker (and the floor), or undefined for the worker's default. */
  readonly modelsDir?: string;
  /** Few iterations, low caps. */
  readonly quick: boolean;
  /** Extra file to write the JSON to. */
  readonly json?: string;
  /** Directory of the dated result files. */
  readonly resultsDir: string;
  /** Iteration counts for the mode. */
  readonly iterations: BenchIterations;
}

/** Iterations of `--quick`: done in well under 2 minutes on 2 cores. */
export const QUICK_ITERATIONS: BenchIterations = {
  warmUp: 3,
  ttfa: 3,
  rtfShort: 3,
  rtfLong: 2,
  control: 3,
  maxSessionsCap: 4,
  rssSessions: 2,
};

/** Iterations of a full run. */
export const FULL_ITERATIONS: BenchIterations = {
  warmUp: 5,
  ttfa: 20,
  rtfShort: 20,
  rtfLong: 10,
  control: 10,
  maxSessionsCap: 64,
  rssSessions: 4,
};

/** Default directory of result files, beside this module. */
export const DEFAULT_RESULTS_DIR = new URL("./results/", import.meta.url).pathname;

/** Parses the arguments; returns a message (with usage) instead when they are wrong or `--help`. */
export function parseBenchOptions(
  args: string[],
): BenchOptions | UsageMessage {
  const parsed = parseCliArgs(
    args,
    {
      ep: { type: "string", default: "wasm" },
      voice: { type: "string", default: "espeak-en-us" },
      "models-dir": { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      "results-dir": { type: "string", default: DEFAULT_RESULTS_DIR },
      help: { type: "boolean", default: false },
    },
    BENCH_USAGE,
  );
  if (!("values" in parsed)) return parsed;
  const { values } = parsed;
  if (values.ep !== "wasm" && values.ep !== "webgpu") {
    return usageError(`--ep must be wasm or webgpu, got "${values.ep}"`, BENCH_USAGE);
  }
  if (values.voice.trim() === "") {
    return usageError("--voice is empty", BENCH_USAGE);
  }
  return {
    ep: values.ep,
    voice: values.voice,
    modelsDir: values["models-dir"],
    quick: values.quick,
    json: values.json,
    resultsDir: values["results-dir"],
    iterations: values.quick ? QUICK_ITERATIONS : FULL_ITERATIONS,
  };
}
