/**
 * A resident voice hosted in an engine Worker, seen from the main thread as a `VoiceModel`.
 * Each call is a message; inference runs off the gRPC event loop. The Worker may host other
 * voices too (see `engine_worker_pool.ts`); a pool of these, one per Worker, serves a voice (see
 * `worker_voice_pool.ts`).
 *
 * @module
 */
import { rejectOnAbort } from "./abort.ts";
import type {
  PreparedSegment,
  SynthesisOptions,
  VoiceInfo,
  VoiceModel,
  VoiceSource,
} from "./engine.ts";
import { EngineWorker } from "./engine_worker_pool.ts";

/** A `VoiceModel` whose engine runs in an engine Worker. Create it with {@linkcode loadWorkerVoice}. */
export class WorkerVoice implements VoiceModel {
  readonly #worker: EngineWorker;
  readonly #ownsWorker: boolean;
  readonly #voice: number;
  #info: VoiceInfo | undefined;
  #disposed = false;

  /**
   * A voice to be loaded in `worker` (call {@linkcode WorkerVoice.load} next). With `ownsWorker`
   * the Worker is the voice's alone and stops when the voice is disposed.
   */
  constructor(worker: EngineWorker, ownsWorker = false) {
    this.#worker = worker;
    this.#ownsWorker = ownsWorker;
    this.#voice = worker.newVoiceNumber();
  }

  /** Whether the voice has been loaded in its Worker (and not disposed). */
  get loaded(): boolean {
    return this.#info !== undefined && !this.#disposed;
  }

  /** What the voice is; available once loaded. */
  get info(): VoiceInfo {
    if (!this.#info) throw new Error("voice not loaded");
    return this.#info;
  }

  /** The Worker the voice lives in. */
  get worker(): EngineWorker {
    return this.#worker;
  }

  /** Loads the voice inside the Worker. */
  async load(source: VoiceSource): Promise<VoiceInfo> {
    const reply = await this.#worker.call({ kind: "load", voice: this.#voice, source });
    if (reply.ok && reply.kind === "load") this.#info = reply.info;
    return this.info;
  }

  /** Normalises and phonemises one segment, in the Worker. */
  async prepare(text: string, options: SynthesisOptions): Promise<PreparedSegment> {
    if (this.#disposed) throw new Error("voice disposed");
    const reply = await this.#worker.call({ kind: "prepare", voice: this.#voice, text, options });
    if (reply.ok && reply.kind === "prepare") return reply.segment;
    throw new Error("unexpected reply to prepare");
  }

  /** Runs inference in the Worker; an aborted signal rejects at once and skips queued work. */
  infer(
    segment: PreparedSegment,
    options: SynthesisOptions,
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return rejectOnAbort(this.inferInWorker(segment, options, signal), signal);
  }

  /**
   * Runs inference in the Worker and settles only when the Worker is done with it, so that a
   * caller can tell when the Worker is free again. An aborted `signal` asks the Worker to skip
   * the request or abort it; the promise then rejects with `cancelled` (or resolves, when the
   * work finished first).
   */
  async inferInWorker(
    segment: PreparedSegment,
    options: SynthesisOptions,
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    if (this.#disposed) throw new Error("voice disposed");
    const reply = await this.#worker.call(
      { kind: "infer", voice: this.#voice, segment, options },
      signal,
    );
    if (reply.ok && reply.kind === "infer") return reply.pcm;
    throw new Error("unexpected reply to infer");
  }

  /** Requests sent to the voice's Worker and not answered yet, for any of its voices. */
  get pendingCalls(): number {
    return this.#worker.pendingCalls;
  }

  /** Frees the voice in its Worker (and stops the Worker if it is the voice's own). */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    try {
      await Promise.race([
        this.#worker.call({ kind: "unload", voice: this.#voice }),
        new Promise((resolve) => setTimeout(resolve, 2000)),
      ]);
    } catch {
      // A stopped or crashed Worker holds nothing any more.
    }
    if (this.#ownsWorker) this.#worker.terminate();
  }
}

/**
 * Loads `source` in `worker`, or in a Worker of its own when none is given (stopped when the voice
 * is disposed); on failure the voice is unloaded again and the error rethrown.
 */
export async function loadWorkerVoice(
  source: VoiceSource,
  worker?: EngineWorker,
): Promise<WorkerVoice> {
  const voice = worker ? new WorkerVoice(worker) : new WorkerVoice(new EngineWorker(), true);
  try {
    await voice.load(source);
    return voice;
  } catch (error) {
    await voice.dispose();
    throw error;
  }
}
