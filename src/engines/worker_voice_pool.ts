/**
 * A resident voice served by a pool of engine Workers, with a copy of the voice in each (its own
 * onnxruntime-web session or espeak-ng voice there). onnxruntime-web's WebAssembly runs on one
 * thread in Deno, so parallelism comes from the Workers: with as many Workers as cores, that many
 * segments are synthesised at once. Sessions hold no copy of anything; every session that speaks
 * with the model shares the pool. The Workers themselves are shared by every voice of the process
 * (an {@linkcode EngineWorkerPool}), so that a further voice costs its weights, not another set of
 * runtimes and heaps.
 *
 * Inference requests go through an {@linkcode InferenceScheduler}, which may be shared by the
 * pools of several voices so that all of them together run no more segments at once than it has
 * slots. Phonemisation (`prepare`) is short and goes straight to the least busy Worker.
 *
 * @module
 */
import type {
  InferenceContext,
  PreparedSegment,
  SynthesisOptions,
  VoiceInfo,
  VoiceModel,
  VoiceSource,
} from "./engine.ts";
import { type EngineWorker, EngineWorkerPool } from "./engine_worker_pool.ts";
import { probeWebGpu } from "./onnx_runtime.ts";
import type { InferenceScheduler } from "./inference_scheduler.ts";
import { WorkerVoice } from "./worker_voice.ts";

/** The context of an `infer()` call that names none: one anonymous session's later segments. */
const ANONYMOUS: InferenceContext = { sessionId: "", first: false };

/** How a pool is built. */
export interface WorkerVoicePoolOptions {
  /**
   * The engine Workers to load the voice in, shared with other voices; or how many Workers to
   * start for this voice alone (at least 1), stopped when the voice is disposed.
   */
  readonly workers: EngineWorkerPool | number;
  /**
   * Orders the inference requests. Give it at most as many slots as the pool has Workers, so that
   * a Worker is free whenever a slot is; several pools may share one scheduler.
   */
  readonly scheduler: InferenceScheduler;
}

/** What a {@linkcode WorkerVoicePool} needs to load itself into a Worker that replaced a crashed one. */
export interface VoiceRecovery {
  /** The Workers' pool, which replaces crashed Workers. */
  readonly workers: EngineWorkerPool;
  /** The voice as loaded, its execution provider settled. */
  readonly source: VoiceSource;
}

/**
 * A `VoiceModel` whose inference runs on a pool of Workers. Create it with
 * {@linkcode loadWorkerVoicePool}. When one of its Workers crashes, the calls in flight there
 * fail, work goes to the copies in the other Workers, and the voice loads itself into the
 * Worker that replaces the crashed one.
 */
export class WorkerVoicePool implements VoiceModel {
  /** One copy per Worker; a copy being loaded into a replacement Worker is not `loaded` yet. */
  #voices: WorkerVoice[];
  #info: VoiceInfo;
  #scheduler: InferenceScheduler;
  #ownWorkers: EngineWorkerPool | undefined;
  #unsubscribe: (() => void) | undefined;
  #recovering = new Set<Promise<void>>();
  #disposed = false;

  /**
   * Wraps copies of one voice, each loaded in a different Worker; `ownWorkers`, when given, are
   * stopped on dispose. With `recovery`, a copy whose Worker crashed is loaded anew in the
   * replacement Worker.
   */
  constructor(
    voices: readonly WorkerVoice[],
    scheduler: InferenceScheduler,
    ownWorkers?: EngineWorkerPool,
    recovery?: VoiceRecovery,
  ) {
    if (voices.length === 0) throw new RangeError("a voice pool needs at least one Worker");
    this.#voices = [...voices];
    this.#info = voices[0].info;
    this.#scheduler = scheduler;
    this.#ownWorkers = ownWorkers;
    if (recovery) {
      this.#unsubscribe = recovery.workers.onWorkerCrashed((crashed, replacement) => {
        if (!replacement) return;
        const recovering = this.#recover(crashed, replacement, recovery.source);
        this.#recovering.add(recovering);
        recovering.finally(() => this.#recovering.delete(recovering));
      });
    }
  }

  /** What the voice is (as the first Worker loaded it). */
  get info(): VoiceInfo {
    return this.#info;
  }

  /** How many Workers serve the voice (not counting crashed ones, nor copies still loading). */
  get size(): number {
    return this.#voices.filter(serving).length;
  }

  /** Settles once the voice is loaded in every Worker that replaced a crashed one so far. */
  async recovered(): Promise<void> {
    while (this.#recovering.size > 0) await Promise.all(this.#recovering);
  }

  /** Normalises and phonemises one segment, in the least busy Worker. */
  prepare(text: string, options: SynthesisOptions): Promise<PreparedSegment> {
    if (this.#disposed) return Promise.reject(this.#disposedError());
    const voice = this.#leastBusy();
    return voice
      ? voice.prepare(text, options)
      : this.#afterRecovery().then((copy) => copy.prepare(text, options));
  }

  /**
   * Runs inference on a free Worker when the scheduler gives `context` its turn. An aborted
   * `signal` rejects at once: a waiting request leaves the queue, a running one is cancelled in
   * its Worker as far as it can be (the Worker's slot is free once the Worker has stopped).
   */
  infer(
    segment: PreparedSegment,
    options: SynthesisOptions,
    signal?: AbortSignal,
    context: InferenceContext = ANONYMOUS,
  ): Promise<Float32Array> {
    if (this.#disposed) return Promise.reject(this.#disposedError());
    return this.#scheduler.run(
      { sessionId: context.sessionId, first: context.first },
      (taskSignal) => {
        if (this.#disposed) return Promise.reject(this.#disposedError());
        const voice = this.#leastBusy();
        return voice
          ? voice.inferInWorker(segment, options, taskSignal)
          : this.#afterRecovery().then((copy) => copy.inferInWorker(segment, options, taskSignal));
      },
      signal,
    );
  }

  /** Frees the voice in every Worker (and stops Workers of its own). Safe to call twice. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#unsubscribe?.();
    await Promise.all(this.#voices.map((voice) => voice.dispose()));
    this.#ownWorkers?.terminate();
  }

  /**
   * The serving copy whose Worker has the fewest requests in hand (the first such, on a tie),
   * chosen at once so that calls made together spread over the Workers; none when every Worker
   * of the voice has crashed.
   */
  #leastBusy(): WorkerVoice | undefined {
    let best: WorkerVoice | undefined;
    for (const voice of this.#voices) {
      if (!serving(voice)) continue;
      if (!best || voice.pendingCalls < best.pendingCalls) best = voice;
    }
    return best;
  }

  /** With no copy serving: waits for the voice to be loaded into the replacement Workers. */
  async #afterRecovery(): Promise<WorkerVoice> {
    await this.recovered();
    const best = this.#leastBusy();
    if (!best) throw new Error(`no engine Worker holds voice ${this.info.id}: its Workers crashed`);
    return best;
  }

  /** Loads the voice into `replacement` in place of its copy in `crashed`, if it had one. */
  async #recover(
    crashed: EngineWorker,
    replacement: EngineWorker,
    source: VoiceSource,
  ): Promise<void> {
    const index = this.#voices.findIndex((voice) => voice.worker === crashed);
    if (index < 0 || this.#disposed) return;
    // In place at once, not yet serving: should the replacement crash too while the copy loads,
    // the next crash notice finds it here and loads the voice into the next replacement.
    const fresh = new WorkerVoice(replacement);
    this.#voices[index] = fresh;
    try {
      await fresh.load(source);
    } catch {
      // Not serving: the other copies serve; a replacement that cannot load stays unused.
      return;
    }
    if (this.#disposed) await fresh.dispose();
  }

  #disposedError(): Error {
    return new Error(`voice ${this.#info.id} disposed`);
  }
}

/** Whether a copy can take requests: loaded, in a Worker that has not crashed. */
function serving(voice: WorkerVoice): boolean {
  return voice.loaded && !voice.worker.closed;
}

/**
 * For `auto`, probes for WebGPU here on the main thread (once per process) and asks for WASM when
 * there is no hardware adapter, so that the engine Workers, which live as long as the process,
 * never open a software WebGPU adapter they would not use (Workers holding Mesa's software adapter
 * were seen to crash the process at exit). With a hardware adapter `auto` stays, and the first
 * Worker tries WebGPU and falls back to WASM on its own.
 */
async function withoutUselessWebGpu(source: VoiceSource): Promise<VoiceSource> {
  if ((source.executionProvider ?? "auto") !== "auto") return source;
  const probe = await probeWebGpu();
  if (probe.adapter && !probe.isFallback) return source;
  return { ...source, executionProvider: "wasm" };
}

/**
 * Loads `source` in every engine Worker of `options.workers` (or in Workers started for it); if
 * any load fails, the voice is unloaded from every Worker (Workers started for it are stopped) and
 * the first error rethrown.
 *
 * The first Worker loads alone and settles the execution provider (for `auto`, after probing for
 * a WebGPU adapter); the others then load at once with that provider, so that only one Worker
 * ever probes WebGPU (several Deno Workers that each opened WebGPU on Mesa's software adapter
 * were seen to corrupt the heap at process exit). A voice that ended on WebGPU stays in that one
 * Worker: the GPU is what runs its segments in parallel, and each further copy would hold
 * another copy of the model in GPU memory. The scheduler's order still holds; the requests it
 * lets through to that Worker wait there in that order.
 */
export async function loadWorkerVoicePool(
  source: VoiceSource,
  options: WorkerVoicePoolOptions,
): Promise<WorkerVoicePool> {
  const { scheduler } = options;
  const own = typeof options.workers === "number"
    ? new EngineWorkerPool(options.workers)
    : undefined;
  const pool = own ?? options.workers as EngineWorkerPool;
  const workers = pool.workers.filter((worker) => !worker.closed);
  if (workers.length === 0) throw new Error("no engine Worker is running (they crashed)");
  const voices = [new WorkerVoice(workers[0])];
  try {
    const info = await voices[0].load(await withoutUselessWebGpu(source));
    const count = info.executionProvider === "webgpu" ? 1 : workers.length;
    // Only neural families read `executionProvider`; espeak-ng reports `wasm` in any case.
    const settled: VoiceSource = { ...source, executionProvider: "wasm" };
    for (const worker of workers.slice(1, count)) voices.push(new WorkerVoice(worker));
    const loads = await Promise.allSettled(voices.slice(1).map((voice) => voice.load(settled)));
    const failed = loads.find((load) => load.status === "rejected");
    if (failed) throw failed.reason;
    // A replacement Worker loads the voice as the others did, on WebGPU if it ended there.
    const recoverWith: VoiceSource = info.executionProvider === "webgpu"
      ? { ...source, executionProvider: "webgpu" }
      : settled;
    return new WorkerVoicePool(voices, scheduler, own, { workers: pool, source: recoverWith });
  } catch (error) {
    await Promise.all(voices.map((voice) => voice.dispose()));
    own?.terminate();
    throw error;
  }
}
