/**
 * The engine Workers of a process, seen from the main thread. Each {@linkcode EngineWorker} is one
 * Deno Worker (`engine_worker.ts`) that hosts any number of voices; an {@linkcode EngineWorkerPool}
 * is the fixed number of them that every resident voice shares (a crashed one is replaced).
 * Sharing matters for memory: a Worker's onnxruntime-web WebAssembly heap only grows, so a voice
 * in Workers of its own would pay for another runtime and another heap high-water mark, where a
 * voice added to the shared Workers pays for its weights.
 *
 * @module
 */
import type {
  EngineLogLevel,
  EngineMessage,
  EngineReply,
  EngineRequest,
} from "./engine_worker_protocol.ts";

/** The module every engine Worker runs unless told otherwise. */
const ENGINE_WORKER_MODULE = new URL("./engine_worker.ts", import.meta.url);

/** How an {@linkcode EngineWorker} is started. */
export interface EngineWorkerOptions {
  /** The Worker's module: `engine_worker.ts`, or a stand-in that wraps it (tests). */
  readonly module?: URL;
  /** Called once if the Worker crashes, after its calls in flight have been rejected. */
  readonly onCrash?: (worker: EngineWorker, error: Error) => void;
  /** Called with each line the Worker's code writes to its console (default: this console). */
  readonly onLog?: EngineLogListener;
}

/** Writes an engine Worker's console line to this thread's console, as the Worker would have. */
function logToConsole(level: EngineLogLevel, message: string): void {
  if (level === "error") console.error(message);
  else if (level === "warn") console.warn(message);
  else console.log(message);
}

/** Receives a line an engine Worker's code wrote to its console. */
export type EngineLogListener = (level: EngineLogLevel, message: string) => void;

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

  /**
   * Starts the Worker. An error that escapes the Worker's code (an engine's callback throwing, a
   * lost GPU device) stops it: it is then {@linkcode EngineWorker.closed}, its calls in flight
   * reject with `engine worker crashed: ...`, later calls reject at once, and `onCrash` is told.
   */
  constructor(options: EngineWorkerOptions = {}) {
    this.#worker = new Worker(options.module ?? ENGINE_WORKER_MODULE, { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<EngineMessage>) => {
      if (!("id" in event.data)) {
        (options.onLog ?? logToConsole)(event.data.level, event.data.message);
        return;
      }
      const pending = this.#pending.get(event.data.id);
      if (!pending) return;
      this.#pending.delete(event.data.id);
      pending.resolve(event.data);
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      if (this.#closed) return;
      const error = new Error(`engine worker crashed: ${event.message}`);
      this.#closed = true;
      this.#worker.terminate();
      this.#failAll(error);
      options.onCrash?.(this, error);
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

/**
 * Called when a Worker of the pool has crashed, with the fresh Worker that took its place (it
 * holds no voice yet), or `undefined` when the pool has used up its restarts for now; in that
 * case it is called once more (`late` true) when the window allows the replacement.
 */
export type WorkerCrashListener = (
  crashed: EngineWorker,
  replacement: EngineWorker | undefined,
  error: Error,
  late: boolean,
) => void;

/** How an {@linkcode EngineWorkerPool} is started. */
export interface EngineWorkerPoolOptions {
  /** The Workers' module (see {@linkcode EngineWorkerOptions.module}). */
  readonly module?: URL;
  /**
   * Most crashed Workers replaced at once in any `restartWindowMs`; a crashed Worker beyond them
   * is replaced when the window allows. 0 replaces none, ever.
   */
  readonly maxRestarts?: number;
  /** The window of `maxRestarts`, in ms (default {@linkcode RESTART_WINDOW_MS}). */
  readonly restartWindowMs?: number;
  /** Called with each line a Worker's code writes to its console (default: this console). */
  readonly onLog?: EngineLogListener;
}

/** The default window over which {@linkcode EngineWorkerPoolOptions.maxRestarts} counts. */
export const RESTART_WINDOW_MS = 60_000;

/**
 * The engine Workers that every resident voice of a process shares. A Worker that crashes is
 * replaced by a fresh one at the same place, and the listeners are told, so that each voice can
 * load itself into the replacement; so that a Worker crashing on every start cannot loop, at
 * most `maxRestarts` (default 8) are replaced in any minute, and a crashed Worker beyond that
 * stays closed until the minute allows its replacement.
 */
export class EngineWorkerPool {
  #workers: EngineWorker[];
  #module: URL | undefined;
  #onLog: EngineLogListener | undefined;
  #maxRestarts: number;
  #restartWindowMs: number;
  #restarts: number[] = [];
  #lateReplacements = new Set<ReturnType<typeof setTimeout>>();
  #restartsTotal = 0;
  #listeners = new Set<WorkerCrashListener>();
  #terminated = false;

  /**
   * Starts `size` Workers.
   * @throws {RangeError} unless `size` is a whole number of at least 1
   */
  constructor(size: number, options: EngineWorkerPoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `an engine worker pool needs a whole number of Workers, at least 1, got ${size}`,
      );
    }
    this.#module = options.module;
    this.#onLog = options.onLog;
    this.#maxRestarts = options.maxRestarts ?? 8;
    this.#restartWindowMs = options.restartWindowMs ?? RESTART_WINDOW_MS;
    this.#workers = Array.from({ length: size }, () => this.#start());
  }

  /** The Workers, in a fixed order (a replacement takes its crashed Worker's place). */
  get workers(): readonly EngineWorker[] {
    return this.#workers;
  }

  /** How many Workers. */
  get size(): number {
    return this.#workers.length;
  }

  /** Crashed Workers replaced so far. */
  get restarts(): number {
    return this.#restartsTotal;
  }

  /** Calls `listener` whenever a Worker crashes (after replacing it); returns its unsubscribe. */
  onWorkerCrashed(listener: WorkerCrashListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops every Worker; crashed ones are no longer replaced. */
  terminate(): void {
    this.#terminated = true;
    for (const timer of this.#lateReplacements) clearTimeout(timer);
    this.#lateReplacements.clear();
    for (const worker of this.#workers) worker.terminate();
  }

  #start(): EngineWorker {
    return new EngineWorker({
      module: this.#module,
      onLog: this.#onLog,
      onCrash: (crashed, error) => this.#replace(crashed, error),
    });
  }

  #replace(crashed: EngineWorker, error: Error, late = false): void {
    const index = this.#workers.indexOf(crashed);
    if (this.#terminated || index < 0) return;
    const now = performance.now();
    this.#restarts = this.#restarts.filter((at) => now - at < this.#restartWindowMs);
    let replacement: EngineWorker | undefined;
    if (this.#restarts.length < this.#maxRestarts) {
      this.#restarts.push(now);
      this.#restartsTotal++;
      replacement = this.#start();
      this.#workers[index] = replacement;
    } else if (this.#maxRestarts > 0) {
      // Replaced once the oldest restart of the window has left it.
      const wait = this.#restarts[0] + this.#restartWindowMs - now;
      const timer = setTimeout(() => {
        this.#lateReplacements.delete(timer);
        this.#replace(crashed, error, true);
      }, Math.max(0, wait) + 1);
      this.#lateReplacements.add(timer);
      if (late) return; // still no room: no one is told again until there is
    }
    for (const listener of [...this.#listeners]) listener(crashed, replacement, error, late);
  }
}
