/**
 * `deno task bench:ep [--configs LIST] [--rounds N] [--voice ID --voices-dir DIR] [--json F]`: the
 * load-test voice (a real Piper voice's compute, `load_test_voice.ts`), or another Piper voice, run
 * through bare onnxruntime-web `InferenceSession.run` in several configurations, to choose what
 * the worker's WebGPU path should do. Prints one JSON object on stdout (a table on stderr) and writes it to
 * `<results-dir>/<date>-execution-providers-<adapter>.json`.
 *
 * Configurations (`--configs`, comma-separated; default all):
 *
 * - `wasm`: single-threaded SIMD WASM, float32: the reference.
 * - `webgpu`: the WebGPU EP as the worker uses it: outputs left on the GPU
 *   (`preferredOutputLocation: "gpu-buffer"`) and read back with `Tensor.getData()`.
 * - `webgpu-cpu-output`: onnxruntime's default, outputs copied back to the CPU inside `run()`
 *   (what the worker did before these figures).
 * - `webgpu-fp16`: the float16 load-test voice (weights and activations in float16, Piper's
 *   float32 interface kept), on WebGPU. Needs the adapter's `shader-f16` feature to run as float16
 *   on the GPU.
 * - `wasm-fp16`: the float16 voice on WASM (onnxruntime computes it in float32 there).
 *
 * Each configuration is loaded (`load_ms`: session creation; `first_run_ms`: the warm-up run that
 * compiles kernels), then the texts are synthesised segment by segment (ids computed before the
 * clock starts) in `rounds` rounds, configurations interleaved with a rotating order, so that a
 * machine that slows down weighs on all alike. Figures are medians over rounds; `speedup_vs_wasm`
 * is the `wasm` median over the configuration's median for the same text. `accuracy` compares each
 * configuration's samples for the long text's first segment with those of `wasm`: the largest
 * absolute difference and the signal-to-error ratio in dB (the load-test voice has random weights,
 * so float16 rounding is amplified through its layers more than a trained voice's would be).
 *
 * @module
 */
import type * as Ort from "onnxruntime-web";
import {
  createInferenceSession,
  loadOrt,
  onnxSessionOptions,
  probeWebGpu,
} from "../src/engines/onnx_runtime.ts";
import { loadPiperConfig, type PiperVoiceConfig } from "../src/engines/piper/piper_config.ts";
import { parseCliArgs, usageError, type UsageMessage } from "./cli_args.ts";
import { piperSegmentIds, runPiperTimed } from "./floor.ts";
import { type JsonCli, runJsonCli } from "./json_cli.ts";
import {
  ensureLoadTestFp16Voice,
  ensureLoadTestVoice,
  LOAD_TEST_VOICE_ID,
} from "./load_test_voice.ts";
import { type MachineFacts, machineFacts } from "./machine.ts";
import { median, round } from "./stats.ts";
import { LONG_TEXT, SHORT_TEXT, workerSegments } from "./texts.ts";

/** Names of the configurations, in the order they are reported. */
export const EP_CONFIG_NAMES = [
  "wasm",
  "webgpu",
  "webgpu-cpu-output",
  "webgpu-fp16",
  "wasm-fp16",
] as const;

/** One configuration's name. */
export type EpConfigName = typeof EP_CONFIG_NAMES[number];

/** What a configuration runs. */
export interface EpConfig {
  /** Its name. */
  readonly name: EpConfigName;
  /** Execution provider. */
  readonly ep: "wasm" | "webgpu";
  /** Precision of the voice. */
  readonly precision: "fp32" | "fp16";
  /** Whether outputs stay on the GPU until read with `getData()` (the worker's way on WebGPU). */
  readonly outputOnGpu: boolean;
}

/** Every configuration, by name. */
export const EP_CONFIGS: Readonly<Record<EpConfigName, EpConfig>> = {
  "wasm": { name: "wasm", ep: "wasm", precision: "fp32", outputOnGpu: false },
  "webgpu": { name: "webgpu", ep: "webgpu", precision: "fp32", outputOnGpu: true },
  "webgpu-cpu-output": {
    name: "webgpu-cpu-output",
    ep: "webgpu",
    precision: "fp32",
    outputOnGpu: false,
  },
  "webgpu-fp16": { name: "webgpu-fp16", ep: "webgpu", precision: "fp16", outputOnGpu: true },
  "wasm-fp16": { name: "wasm-fp16", ep: "wasm", precision: "fp16", outputOnGpu: false },
};

/** Usage text. */
export const EP_BENCH_USAGE =
  `usage: deno task bench:ep [--configs LIST] [--rounds N] [--voice ID --voices-dir DIR]
                          [--json out.json] [--results-dir DIR]

The load-test voice through bare onnxruntime-web in each configuration (${
    EP_CONFIG_NAMES.join(", ")
  }); configurations that need WebGPU are skipped, with the reason, where there is no adapter.`;

/** Parsed options. */
export interface EpBenchOptions {
  /** Configurations to measure. */
  readonly configs: readonly EpConfig[];
  /** Timed rounds per text. */
  readonly rounds: number;
  /** Extra file to write the JSON to. */
  readonly json?: string;
  /** Directory of the dated result files. */
  readonly resultsDir: string;
  /** The voice: the load-test voice (default) or another Piper voice in `voicesDir`. */
  readonly voice: string;
  /** Where the load-test voices are written, or where `voice` is. */
  readonly voicesDir: string;
}

const DEFAULT_RESULTS_DIR = new URL("./results/", import.meta.url).pathname;
const VOICES_DIR = new URL("./tmp/voices/", import.meta.url).pathname;
const LESSAC_LOW_CONFIG = new URL(
  "../tests/fixtures/piper-configs/en_US-lessac-low.onnx.json",
  import.meta.url,
).pathname;

/** Parses the arguments; returns a message (with usage) instead when they are wrong or `--help`. */
export function parseEpBenchOptions(args: string[]): EpBenchOptions | UsageMessage {
  const parsed = parseCliArgs(args, {
    configs: { type: "string", default: EP_CONFIG_NAMES.join(",") },
    rounds: { type: "string", default: "7" },
    json: { type: "string" },
    "results-dir": { type: "string", default: DEFAULT_RESULTS_DIR },
    voice: { type: "string", default: LOAD_TEST_VOICE_ID },
    "voices-dir": { type: "string", default: VOICES_DIR },
    help: { type: "boolean", default: false },
  }, EP_BENCH_USAGE);
  if (!("values" in parsed)) return parsed;
  const { values } = parsed;
  const names = values.configs.split(",").map((name) => name.trim()).filter((name) => name);
  const unknown = names.filter((name) => !(name in EP_CONFIGS));
  if (unknown.length > 0 || names.length === 0) {
    return usageError(
      `--configs takes names from ${EP_CONFIG_NAMES.join(", ")}; got "${values.configs}"`,
      EP_BENCH_USAGE,
    );
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    return usageError(
      `--rounds must be a whole number >= 1, got "${values.rounds}"`,
      EP_BENCH_USAGE,
    );
  }
  return {
    configs: [...new Set(names)].map((name) => EP_CONFIGS[name as EpConfigName]),
    rounds,
    json: values.json,
    resultsDir: values["results-dir"],
    voice: values.voice,
    voicesDir: values["voices-dir"],
  };
}

/** The WebGPU adapter as the benchmark process sees it. */
export interface AdapterFacts {
  /** Description, or vendor/architecture/device. */
  readonly name: string | null;
  /** `GPUAdapterInfo` fields. */
  readonly vendor: string | null;
  /** `GPUAdapterInfo.architecture`. */
  readonly architecture: string | null;
  /** Whether it is a software (fallback) adapter. */
  readonly isFallback: boolean | null;
  /** Whether `shader-f16` is among its features. */
  readonly shaderF16: boolean;
  /** Its features, sorted. */
  readonly features: string[];
  /** Why there is none, when there is none. */
  readonly reason?: string;
}

async function adapterFacts(): Promise<AdapterFacts> {
  const probe = await probeWebGpu();
  if (!probe.adapter) {
    return {
      name: null,
      vendor: null,
      architecture: null,
      isFallback: null,
      shaderF16: false,
      features: [],
      reason: probe.reason,
    };
  }
  const features = [...probe.adapter.features].map(String).sort();
  return {
    name: probe.name ?? null,
    vendor: probe.adapter.info.vendor || null,
    architecture: probe.adapter.info.architecture || null,
    isFallback: probe.isFallback,
    shaderF16: features.includes("shader-f16"),
    features,
  };
}

/** A loaded configuration, ready to run ids. */
interface LoadedConfig {
  readonly config: EpConfig;
  readonly loadMs: number;
  readonly firstRunMs: number;
  /** Runs one segment; returns its samples and the time the run took (read-back included). */
  run(ids: readonly number[]): Promise<{ samples: Float32Array; elapsedMs: number }>;
  release(): Promise<void>;
}

async function createSession(
  config: EpConfig,
  model: Uint8Array,
): Promise<{ session: Ort.InferenceSession; ort: typeof Ort }> {
  if (config.ep === "wasm" || config.outputOnGpu) {
    // As the worker creates its sessions (WebGPU ones leave their outputs on the GPU).
    const onnx = await createInferenceSession(model, config.ep);
    return { session: onnx.session, ort: onnx.ort };
  }
  // The worker's WebGPU session options but for one: onnxruntime copies the outputs back itself.
  const probe = await probeWebGpu();
  if (!probe.adapter) throw new Error(`configuration ${config.name} needs WebGPU: ${probe.reason}`);
  const ort = await loadOrt("webgpu");
  const session = await ort.InferenceSession.create(model, {
    ...onnxSessionOptions("webgpu"),
    preferredOutputLocation: "cpu",
  });
  return { session, ort };
}

async function loadConfig(
  config: EpConfig,
  voiceConfig: PiperVoiceConfig,
  modelPath: string,
): Promise<LoadedConfig> {
  const model = await Deno.readFile(modelPath);
  const loadStarted = performance.now();
  const { session, ort } = await createSession(config, model);
  const loadMs = performance.now() - loadStarted;
  const run = (ids: readonly number[]) => runPiperTimed({ session, ort }, voiceConfig, ids);
  const firstStarted = performance.now();
  await run([0, 1, 0]);
  const firstRunMs = performance.now() - firstStarted;
  return { config, loadMs, firstRunMs, run, release: () => session.release() };
}

/** Largest absolute difference and signal-to-error ratio (dB) of `actual` against `reference`. */
export function compareSamples(
  reference: Float32Array,
  actual: Float32Array,
): { max_abs_diff: number; snr_db: number | null } {
  if (reference.length !== actual.length) {
    throw new Error(`lengths differ: ${reference.length} and ${actual.length} samples`);
  }
  let maxAbsDiff = 0;
  let signal = 0;
  let error = 0;
  for (let i = 0; i < reference.length; i++) {
    const diff = actual[i] - reference[i];
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(diff));
    signal += reference[i] * reference[i];
    error += diff * diff;
  }
  return {
    max_abs_diff: round(maxAbsDiff, 6),
    snr_db: error === 0 ? null : round(10 * Math.log10(signal / error), 1),
  };
}

/** One configuration's figures for one text. */
export interface EpTextFigures {
  /** Median time to synthesise the text, segment by segment, in ms. */
  readonly ms_p50: number;
  /** That over the audio's duration. */
  readonly rtf_p50: number;
  /** The `wasm` median over this one (null without `wasm`). */
  readonly speedup_vs_wasm: number | null;
}

/** One configuration's result. */
export interface EpConfigResult {
  /** Configuration name. */
  readonly name: string;
  /** Execution provider. */
  readonly ep: string;
  /** Voice precision. */
  readonly precision: string;
  /** Outputs kept on the GPU until read. */
  readonly output_on_gpu: boolean;
  /** Why it was not measured, when it was not. */
  readonly skipped?: string;
  /** Session creation, ms. */
  readonly load_ms?: number;
  /** Warm-up run (kernel compilation), ms. */
  readonly first_run_ms?: number;
  /** Figures per text. */
  readonly texts?: Record<string, EpTextFigures>;
  /** Against `wasm`, on the long text's first segment. */
  readonly accuracy?: { max_abs_diff: number; snr_db: number | null };
}

/** What `bench:ep` prints. */
export interface EpBenchResult {
  /** Where it ran. */
  readonly machine: MachineFacts;
  /** The WebGPU adapter. */
  readonly adapter: AdapterFacts;
  /** The voices: float32, and its float16 variant where there is one. */
  readonly voices: { readonly fp32: string; readonly fp16: string | null };
  /** Timed rounds. */
  readonly rounds: number;
  /** The texts: segments and audio length. */
  readonly texts: Record<string, { segments: number; audio_ms: number }>;
  /** One entry per configuration. */
  readonly configs: EpConfigResult[];
}

function progress(message: string): void {
  console.error(`[bench:ep] ${message}`);
}

/** Runs the measurement. */
export async function runEpBench(options: EpBenchOptions): Promise<EpBenchResult> {
  const machine = await machineFacts(
    options.configs.some((config) => config.ep === "webgpu") ? "webgpu" : "wasm",
  );
  const adapter = await adapterFacts();
  // Only the load-test voice has a float16 variant (it is built here, from the same seed).
  let fp16Voice: string | undefined;
  if (options.voice === LOAD_TEST_VOICE_ID) {
    await ensureLoadTestVoice(options.voicesDir, LESSAC_LOW_CONFIG);
    fp16Voice = await ensureLoadTestFp16Voice(options.voicesDir, LESSAC_LOW_CONFIG);
  }
  const dir = options.voicesDir.replace(/\/$/, "");
  const voiceConfig = await loadPiperConfig(`${dir}/${options.voice}.onnx.json`);
  const texts: Record<string, number[][]> = {
    short: await piperSegmentIds(workerSegments(SHORT_TEXT), voiceConfig),
    long: await piperSegmentIds(workerSegments(LONG_TEXT), voiceConfig),
  };

  const loaded: LoadedConfig[] = [];
  const skipped: EpConfigResult[] = [];
  for (const config of options.configs) {
    const id = config.precision === "fp16" ? fp16Voice : options.voice;
    const base = {
      name: config.name,
      ep: config.ep,
      precision: config.precision,
      output_on_gpu: config.outputOnGpu,
    };
    if (config.ep === "webgpu" && !adapter.name) {
      skipped.push({ ...base, skipped: `no WebGPU adapter: ${adapter.reason}` });
      continue;
    }
    if (id === undefined) {
      skipped.push({ ...base, skipped: `${options.voice} has no float16 variant` });
      continue;
    }
    progress(`loading ${config.name} ...`);
    try {
      loaded.push(await loadConfig(config, voiceConfig, `${dir}/${id}.onnx`));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      progress(`${config.name} failed to load: ${message}`);
      skipped.push({ ...base, skipped: `failed to load: ${message}` });
    }
  }

  const times = new Map<string, Record<string, number[]>>();
  const audioMs: Record<string, number> = {};
  const reference = new Map<string, Float32Array>();
  for (const item of loaded) times.set(item.config.name, { short: [], long: [] });
  for (let round = 0; round < options.rounds; round++) {
    progress(`round ${round + 1} of ${options.rounds}`);
    const order = loaded.map((_, i) => loaded[(i + round) % loaded.length]);
    for (const item of order) {
      for (const [name, segments] of Object.entries(texts)) {
        let elapsed = 0;
        let samples = 0;
        for (const [index, ids] of segments.entries()) {
          const run = await item.run(ids);
          elapsed += run.elapsedMs;
          samples += run.samples.length;
          if (round === 0 && name === "long" && index === 0) {
            reference.set(item.config.name, run.samples);
          }
        }
        times.get(item.config.name)![name].push(elapsed);
        audioMs[name] = (samples / voiceConfig.sampleRate) * 1000;
      }
    }
  }
  for (const item of loaded) await item.release();

  const wasmTimes = times.get("wasm");
  const wasmSamples = reference.get("wasm");
  const measured: EpConfigResult[] = loaded.map((item) => {
    const own = times.get(item.config.name)!;
    const figures: Record<string, EpTextFigures> = {};
    for (const name of Object.keys(texts)) {
      const ms = median(own[name]);
      figures[name] = {
        ms_p50: round(ms, 2),
        rtf_p50: round(ms / audioMs[name], 5),
        speedup_vs_wasm: wasmTimes ? round(median(wasmTimes[name]) / ms, 2) : null,
      };
    }
    const samples = reference.get(item.config.name);
    return {
      name: item.config.name,
      ep: item.config.ep,
      precision: item.config.precision,
      output_on_gpu: item.config.outputOnGpu,
      load_ms: round(item.loadMs, 1),
      first_run_ms: round(item.firstRunMs, 1),
      texts: figures,
      accuracy: wasmSamples && samples ? compareSamples(wasmSamples, samples) : undefined,
    };
  });
  const configs = [...measured, ...skipped].sort((a, b) =>
    EP_CONFIG_NAMES.indexOf(a.name as EpConfigName) -
    EP_CONFIG_NAMES.indexOf(b.name as EpConfigName)
  );
  return {
    machine,
    adapter,
    voices: { fp32: options.voice, fp16: fp16Voice ?? null },
    rounds: options.rounds,
    texts: Object.fromEntries(
      Object.entries(texts).map((
        [name, segments],
      ) => [name, { segments: segments.length, audio_ms: round(audioMs[name] ?? 0, 1) }]),
    ),
    configs,
  };
}

/** A short table of the result, for people. */
export function formatEpTable(result: EpBenchResult): string {
  const lines = [
    `adapter: ${result.adapter.name ?? `none (${result.adapter.reason})`}` +
    (result.adapter.name ? `, shader-f16 ${result.adapter.shaderF16 ? "yes" : "no"}` : ""),
    "config              load ms  first ms  short ms  long ms  long rtf  vs wasm  snr dB",
  ];
  for (const config of result.configs) {
    if (!config.texts) {
      lines.push(`${config.name.padEnd(18)}  skipped: ${config.skipped}`);
      continue;
    }
    const cell = (value: number | null | undefined, width: number) =>
      String(value ?? "-").padStart(width);
    lines.push(
      config.name.padEnd(18) + cell(config.load_ms, 9) + cell(config.first_run_ms, 10) +
        cell(config.texts.short.ms_p50, 10) + cell(config.texts.long.ms_p50, 9) +
        cell(config.texts.long.rtf_p50, 10) + cell(config.texts.long.speedup_vs_wasm, 9) +
        cell(config.accuracy?.snr_db, 8),
    );
  }
  return lines.join("\n");
}

/**
 * File name of a result: `<date>-execution-providers-<adapter>.json`, with `-<voice>` before the
 * extension for a voice other than the load-test voice.
 */
export function epResultFileName(result: EpBenchResult): string {
  const date = String(result.machine.date).slice(0, 10);
  const adapter = (result.adapter.name ?? "no-adapter").toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "").slice(0, 40);
  const voice = result.voices.fp32 === LOAD_TEST_VOICE_ID ? "" : `-${result.voices.fp32}`;
  return `${date}-execution-providers-${adapter}${voice}.json`;
}

/** The `deno task bench:ep` command line. */
export const EP_BENCH_CLI: JsonCli<EpBenchOptions, EpBenchResult> = {
  name: "bench:ep",
  parse: parseEpBenchOptions,
  run: runEpBench,
  summary: formatEpTable,
  resultFileName: epResultFileName,
};

/** Runs the CLI; returns the exit code. */
export function main(args: string[]): Promise<number> {
  return runJsonCli(EP_BENCH_CLI, args);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
