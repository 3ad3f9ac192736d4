/**
 * The one place that loads onnxruntime-web and configures it for Deno.
 *
 * Two builds of onnxruntime-web 1.30 are used, each imported lazily the first time it is needed:
 *
 * - `onnxruntime-web/wasm` for the `wasm` execution provider: the SIMD WebAssembly build
 *   (`ort-wasm-simd-threaded.wasm`) with one thread, since multi-threaded WASM fails in Deno.
 * - `onnxruntime-web/webgpu` for the `webgpu` execution provider: ONNX Runtime's native WebGPU
 *   EP (`ort-wasm-simd-threaded.asyncify.wasm`), which runs on Deno's built-in `navigator.gpu`
 *   with no browser globals added. The default bundle's older JSEP WebGPU backend does not work
 *   in Deno (its buffer uploads are rejected by Deno's `GPUQueue.writeBuffer`), and the `node`
 *   build that a plain `onnxruntime-web` import resolves to has no WebGPU at all.
 *
 * The `.wasm` binaries are resolved from the installed npm package with `import.meta.resolve`
 * and read with `Deno.readFile`, so they load from deno's `nodeModulesDir` layout and from the
 * virtual file system of a `deno compile` binary alike.
 *
 * Both builds also load inside a Deno Worker (see {@linkcode withoutOpaqueLocation}).
 *
 * `auto` picks WebGPU only for a hardware adapter: a software ("fallback") adapter such as Mesa's
 * llvmpipe runs ONNX models several times slower than WASM, so it is used only when `webgpu` is
 * asked for explicitly.
 *
 * All `run()` calls of one build are serialised: a single-threaded WASM instance, and above all
 * the asyncify build, must not have two runs in flight at once.
 *
 * @module
 */
import type * as Ort from "onnxruntime-web";
import { rejectOnAbort } from "./abort.ts";
import type { ExecutionProviderPreference } from "./engine.ts";
import { errorMessage } from "../error_message.ts";

/** The onnxruntime-web module namespace (either build; both have the same API). */
export type OrtModule = typeof Ort;

/** An execution provider a session actually runs on. */
export type ExecutionProvider = "wasm" | "webgpu";

/** Input tensors of one `run()`, by input name. */
export type OnnxFeeds = Record<string, Ort.Tensor>;

/** Output tensors of one `run()`, by output name. */
export type OnnxOutputs = Record<string, Ort.Tensor>;

/** An inference session together with what it runs on. */
export interface OnnxSession {
  /**
   * The onnxruntime-web session. Prefer {@linkcode OnnxSession.run}, which serialises runs and
   * returns CPU tensors (a WebGPU session's own `run()` returns `gpu-buffer` outputs).
   */
  readonly session: Ort.InferenceSession;
  /** Execution provider the session runs on. */
  readonly executionProvider: ExecutionProvider;
  /** Description of the WebGPU adapter, for `webgpu` sessions. */
  readonly adapterName?: string;
  /**
   * The onnxruntime-web build that owns the session: build input tensors with its `Tensor`
   * (tensors of the other build fail its `instanceof` checks).
   */
  readonly ort: OrtModule;
  /** For an `auto` preference that ended on WASM: why WebGPU was not used. */
  readonly autoReason?: string;
  /**
   * Runs the model, queued behind every other run of the same build, and returns its outputs as
   * CPU tensors. An aborted `signal` rejects the call at once; a run still waiting in the queue is
   * then skipped.
   */
  run(feeds: OnnxFeeds, signal?: AbortSignal): Promise<OnnxOutputs>;
  /** Releases the session. */
  release(): Promise<void>;
}

/** What a look for a WebGPU adapter found. */
export interface WebGpuProbe {
  /** The adapter, or undefined when there is none. */
  readonly adapter?: GPUAdapter;
  /** Human-readable adapter name (e.g. `llvmpipe (LLVM 15.0.6, 256 bits)`). */
  readonly name?: string;
  /** Whether the adapter is a software / fallback adapter. */
  readonly isFallback: boolean;
  /** Why there is no adapter, when there is none. */
  readonly reason?: string;
}

const WASM_FILES: Record<ExecutionProvider, string> = {
  wasm: "ort-wasm-simd-threaded.wasm",
  webgpu: "ort-wasm-simd-threaded.asyncify.wasm",
};

const builds = new Map<ExecutionProvider, Promise<OrtModule>>();
const runQueues = new Map<ExecutionProvider, Promise<unknown>>();

function wasmFileUrl(provider: ExecutionProvider): URL {
  // Literal specifiers, so that `deno compile` sees and embeds both binaries.
  const resolved = provider === "wasm"
    ? import.meta.resolve("onnxruntime-web/ort-wasm-simd-threaded.wasm")
    : import.meta.resolve("onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm");
  return new URL(resolved);
}

/**
 * Runs `load` with `globalThis.location` hidden when its origin is opaque. In a Deno Worker
 * started from a `file:` module, `location.origin` is the string `"null"`, which onnxruntime-web
 * uses as a URL base while it is imported and fails ("Invalid URL ... with base 'null'").
 */
async function withoutOpaqueLocation<T>(load: () => Promise<T>): Promise<T> {
  const scope = globalThis as { location?: { readonly origin: string } };
  const own = Object.getOwnPropertyDescriptor(globalThis, "location");
  if (scope.location?.origin !== "null" || !own?.configurable) return await load();
  Object.defineProperty(globalThis, "location", { value: undefined, configurable: true });
  try {
    return await load();
  } finally {
    Object.defineProperty(globalThis, "location", own);
  }
}

async function importBuild(provider: ExecutionProvider): Promise<OrtModule> {
  const url = wasmFileUrl(provider);
  let binary: Uint8Array;
  try {
    binary = await Deno.readFile(url);
  } catch (error) {
    throw new Error(
      `cannot read onnxruntime-web's ${WASM_FILES[provider]} at ${url.href}: ${
        errorMessage(error)
      } (is the npm package installed? run "deno install")`,
    );
  }
  const ort: OrtModule = await withoutOpaqueLocation(() =>
    provider === "wasm" ? import("onnxruntime-web/wasm") : import("onnxruntime-web/webgpu")
  );
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = binary;
  ort.env.logLevel = "error";
  return ort;
}

/**
 * Returns the onnxruntime-web build for an execution provider, importing and configuring it on
 * first use (single-threaded SIMD WASM, binary read from the installed npm package).
 */
export function loadOrt(provider: ExecutionProvider): Promise<OrtModule> {
  let build = builds.get(provider);
  if (!build) {
    build = importBuild(provider);
    builds.set(provider, build);
    build.catch(() => builds.delete(provider));
  }
  return build;
}

const webGpuProbes = new WeakMap<GPU, Promise<WebGpuProbe>>();

/**
 * Looks for a WebGPU adapter through `navigator.gpu`; never throws. The adapter is requested once
 * per `navigator.gpu` (so once per thread) and the answer kept: a Worker hosts many voices, and
 * adapters requested again and again in one Worker (Mesa's software adapter here) were seen to
 * crash the process at exit.
 */
export function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) {
    return Promise.resolve({
      isFallback: false,
      reason: "navigator.gpu is not available in this runtime",
    });
  }
  let probe = webGpuProbes.get(gpu);
  if (!probe) {
    probe = requestWebGpuAdapter(gpu);
    webGpuProbes.set(gpu, probe);
  }
  return probe;
}

async function requestWebGpuAdapter(gpu: GPU): Promise<WebGpuProbe> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return {
      isFallback: false,
      reason: `navigator.gpu.requestAdapter() failed: ${errorMessage(error)}`,
    };
  }
  if (!adapter) {
    return { isFallback: false, reason: "navigator.gpu.requestAdapter() found no adapter" };
  }
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const name = info.description || [info.vendor, info.architecture, info.device]
    .filter((part) => part).join(" ") ||
    "unknown WebGPU adapter";
  return { adapter, name, isFallback: info.isFallbackAdapter === true };
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("aborted", "AbortError");
}

function enqueueRun<T>(
  provider: ExecutionProvider,
  task: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const guarded = () => signal?.aborted ? Promise.reject(abortError(signal)) : task();
  const previous = runQueues.get(provider) ?? Promise.resolve();
  const result = previous.then(guarded, guarded);
  runQueues.set(provider, result.catch(() => undefined));
  return rejectOnAbort(result, signal, abortError);
}

/**
 * Outputs of a `run()` as CPU tensors: an output left on the GPU (`gpu-buffer`) is read back with
 * `getData(true)`, which also frees its GPU buffer; CPU outputs are returned as they are.
 */
export async function outputsOnCpu(ort: OrtModule, outputs: OnnxOutputs): Promise<OnnxOutputs> {
  const result: OnnxOutputs = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.location !== "gpu-buffer") {
      result[name] = tensor;
      continue;
    }
    const data = await tensor.getData(true);
    result[name] = new ort.Tensor(tensor.type, data as Float32Array, tensor.dims);
  }
  return result;
}

/**
 * The options every session of a provider is created with. WebGPU sessions leave their outputs on
 * the GPU and {@linkcode outputsOnCpu} reads them back: on an NVIDIA H200 that took 12-31 % off the
 * load-test voice's time against onnxruntime's own copy back (bench/execution_providers.ts, README).
 */
export function onnxSessionOptions(
  provider: ExecutionProvider,
): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: "all",
    logSeverityLevel: 3,
    ...(provider === "webgpu" ? { preferredOutputLocation: "gpu-buffer" as const } : {}),
  };
}

async function createOn(
  provider: ExecutionProvider,
  modelBytes: Uint8Array,
  adapterName?: string,
): Promise<OnnxSession> {
  const ort = await loadOrt(provider);
  const session = await ort.InferenceSession.create(modelBytes, onnxSessionOptions(provider));
  return {
    session,
    executionProvider: provider,
    adapterName,
    ort,
    run: (feeds, signal) =>
      enqueueRun(provider, async () => outputsOnCpu(ort, await session.run(feeds)), signal),
    release: () => enqueueRun(provider, () => session.release()),
  };
}

/**
 * Creates an onnxruntime-web inference session for a model.
 *
 * - `wasm`: single-threaded SIMD WebAssembly.
 * - `webgpu`: the WebGPU execution provider; rejects with an Error saying why when no WebGPU
 *   adapter is available. Operators without a WebGPU kernel run on the CPU, as onnxruntime
 *   partitions them.
 * - `auto`: WebGPU when `navigator.gpu.requestAdapter()` yields a hardware adapter, else WASM.
 */
export async function createInferenceSession(
  modelBytes: Uint8Array,
  preference: ExecutionProviderPreference,
): Promise<OnnxSession> {
  if (preference === "wasm") return await createOn("wasm", modelBytes);
  if (preference !== "webgpu" && preference !== "auto") {
    throw new Error(
      `unknown execution provider preference "${preference}"; expected auto, wasm or webgpu`,
    );
  }
  const probe = await probeWebGpu();
  if (preference === "webgpu") {
    if (!probe.adapter) {
      throw new Error(`execution provider "webgpu" was requested but ${probe.reason}`);
    }
    return await createOn("webgpu", modelBytes, probe.name);
  }
  if (!probe.adapter) {
    return { ...await createOn("wasm", modelBytes), autoReason: probe.reason };
  }
  if (probe.isFallback) {
    return {
      ...await createOn("wasm", modelBytes),
      autoReason: `WebGPU adapter "${probe.name}" is a software fallback adapter, slower than WASM`,
    };
  }
  try {
    return await createOn("webgpu", modelBytes, probe.name);
  } catch (error) {
    return {
      ...await createOn("wasm", modelBytes),
      autoReason: `WebGPU session on "${probe.name}" failed: ${errorMessage(error)}`,
    };
  }
}
