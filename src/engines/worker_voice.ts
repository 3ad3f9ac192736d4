/**
 * A resident voice hosted in its own Deno Worker, seen from the main thread as a `VoiceModel`.
 * Each call is a message; inference runs off the gRPC event loop. Several of them make a pool
 * (see `worker_voice_pool.ts`).
 *
 * @module
 */
import type {
  PreparedSegment,
  SynthesisOptions,
  VoiceInfo,
  VoiceModel,
  VoiceSource,
} from "./engine.ts";
import type { EngineReply, EngineRequest } from "./engine_worker_protocol.ts";

type Pending = {
  resolve: (reply: EngineReply) => void;
  reject: (error: Error) => void;
};

// Distributive Omit, so each request kind keeps its own fields.
type RequestBody = EngineRequest extends infer R ? R extends unknown ? Omit<R, "id"> : never
  : never;

/** A `VoiceModel` whose engine runs in a dedicated Worker. Create it with {@linkcode loadWorkerVoice}. */
export class WorkerVoice implements VoiceModel {
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;
  #info: VoiceInfo | undefined;

  /** Starts the Worker; call {@linkcode WorkerVoice.load} next. */
  constructor() {
    this.#worker = new Worker(new URL("./engine_worker.ts", import.meta.url), {
      type: "module",
    });
    this.#worker.onmessage = (event: MessageEvent<EngineReply>) => {
      const pending = this.#pending.get(event.data.id);
      if (!pending) return;
      this.#pending.delete(event.data.id);
      pending.resolve(event.data);
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#failAll(new Error(`engine worker crashed: ${event.message}`));
    };
  }

  /** What the voice is; available once loaded. */
  get info(): VoiceInfo {
    if (!this.#info) throw new Error("voice not loaded");
    return this.#info;
  }

  /** Loads the voice inside the Worker. */
  async load(source: VoiceSource): Promise<VoiceInfo> {
    const reply = await this.#call({ kind: "load", source });
    if (reply.ok && reply.kind === "load") this.#info = reply.info;
    return this.info;
  }

  /** Normalises and phonemises one segment, in the Worker. */
  async prepare(text: string, options: SynthesisOptions): Promise<PreparedSegment> {
    const reply = await this.#call({ kind: "prepare", text, options });
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
    const reply = await this.#call({ kind: "infer", segment, options }, signal);
    if (reply.ok && reply.kind === "infer") return reply.pcm;
    throw new Error("unexpected reply to infer");
  }

  /** Requests sent to the Worker and not answered yet (how busy the Worker is). */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /** Frees the voice and stops the Worker. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.#closed) return;
    try {
      await Promise.race([
        this.#call({ kind: "dispose" }),
        new Promise((resolve) => setTimeout(resolve, 2000)),
      ]);
    } catch {
      // The worker is terminated below whatever it answered.
    }
    this.#closed = true;
    this.#worker.terminate();
    this.#failAll(new Error("voice disposed"));
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #call(body: RequestBody, signal?: AbortSignal): Promise<EngineReply> {
    if (this.#closed) return Promise.reject(new Error("voice disposed"));
    const id = this.#nextId++;
    return new Promise<EngineReply>((resolve, reject) => {
      // The Worker still answers a cancelled request: the call settles with that answer.
      const onAbort = () => {
        if (!this.#closed) {
          this.#worker.postMessage({ id: this.#nextId++, kind: "cancel", target: id });
        }
      };
      this.#pending.set(id, {
        resolve: (reply) => {
          signal?.removeEventListener("abort", onAbort);
          if (reply.ok) resolve(reply);
          else reject(new Error(reply.error));
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      });
      this.#worker.postMessage({ ...body, id } as EngineRequest);
      // After the request, so that the Worker sees the cancel after what it cancels.
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** Starts a Worker and loads `source` in it; on failure the Worker is stopped and the error rethrown. */
export async function loadWorkerVoice(source: VoiceSource): Promise<WorkerVoice> {
  const voice = new WorkerVoice();
  try {
    await voice.load(source);
    return voice;
  } catch (error) {
    await voice.dispose();
    throw error;
  }
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function rejectOnAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
