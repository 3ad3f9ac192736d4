/**
 * The engine Workers of a process, seen from the main thread. Each {@linkcode EngineWorker} is one
 * Deno Worker (`engine_worker.ts`) that hosts any number of voices; an {@linkcode EngineWorkerPool}
 * is the fixed set of them that every resident voice shares. Sharing matters for memory: a
 * Worker's onnxruntime-web WebAssembly heap only grows, so a voice in Workers of its own would
 * pay for another runtime and another heap high-water mark, where a voice added to the shared
 * Workers pays for its weights.
 *
 * @module
 */
import type { EngineReply, EngineRequest } from "./engine_worker_protocol.ts";

type Pending = {
  resolve: (reply: EngineReply) => void;
  reject: (error: Error) => void;
};

/** A request without its `id` (the Worker handle numbers requests itself). */
// Distributive Omit, so each request kind keeps its own fields.
export type EngineRequestBody = EngineRequest extends infer R
  ? R extends unknown ? Omit<R, "id"> : never
  : never;

/** One engine Worker thread. Requests are answered in order; see `engine_worker.ts`. */
export class EngineWorker {
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #nextVoice = 1;
  #closed = false;

  /** Starts the Worker. */
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

  /** Requests sent and not answered yet: how busy the Worker is. */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /** Whether {@linkcode EngineWorker.terminate} has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** A number for a voice about to be loaded in this Worker, unique within it. */
  newVoiceNumber(): number {
    return this.#nextVoice++;
  }

  /**
   * Sends a request and resolves with its reply (rejects with the Worker's error message). An
   * aborted `signal` sends a `cancel` for it; the call then settles with the Worker's answer.
   */
  call(body: EngineRequestBody, signal?: AbortSignal): Promise<EngineReply> {
    if (this.#closed) return Promise.reject(new Error("engine worker stopped"));
    const id = this.#nextId++;
    return new Promise<EngineReply>((resolve, reject) => {
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

  /** Stops the Worker at once; calls in flight reject. Safe to call twice. */
  terminate(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
    this.#failAll(new Error("engine worker stopped"));
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/** The engine Workers that every resident voice of a process shares. */
export class EngineWorkerPool {
  /** The Workers, in a fixed order. */
  readonly workers: readonly EngineWorker[];

  /**
   * Starts `size` Workers.
   * @throws {RangeError} unless `size` is a whole number of at least 1
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `an engine worker pool needs a whole number of Workers, at least 1, got ${size}`,
      );
    }
    this.workers = Array.from({ length: size }, () => new EngineWorker());
  }

  /** How many Workers. */
  get size(): number {
    return this.workers.length;
  }

  /** Stops every Worker. */
  terminate(): void {
    for (const worker of this.workers) worker.terminate();
  }
}
