/**
 * The fair scheduler in front of the inference Workers: decides which session's segment runs next
 * when more segments wait than there are Workers free.
 *
 * The order, precisely:
 *
 * 1. **First segments first.** A session whose next waiting request is the first segment of an
 *    utterance goes ahead of every session whose next request is a later segment, so a new
 *    utterance's first audio never waits behind other sessions' long answers. Among several
 *    first segments, the one that arrived earliest goes first.
 * 2. **Round-robin across sessions.** Otherwise the sessions with waiting requests take turns:
 *    after a session is served it goes to the back of the line, whatever it has still waiting.
 * 3. **FIFO within a session.** A session's own requests run in the order they were submitted.
 *
 * At most `concurrency` tasks run at once. An aborted request leaves the queue at once and its
 * caller's promise rejects with the signal's reason; a running one is rejected at once too and its
 * task is told through the signal it was given, but its slot stays taken until the task settles
 * (work already on a CPU cannot be taken back), so the scheduler never runs more tasks than it has
 * slots.
 *
 * @module
 */

/** Who asks for an inference: what the scheduler orders requests by. */
export interface InferenceTicket {
  /** The session the segment belongs to; requests of one session run in order. */
  readonly sessionId: string;
  /** Whether the segment is the first of its utterance (it goes ahead of other sessions' later ones). */
  readonly first: boolean;
}

/**
 * One unit of work. `signal` aborts when the request's caller gives up; the task should stop as
 * early as it can. Its slot is free again when the returned promise settles.
 */
export type InferenceTask<T> = (signal: AbortSignal) => Promise<T>;

/** How loaded the scheduler is. */
export interface InferenceSchedulerStats {
  /** Requests waiting for a slot. */
  readonly queued: number;
  /** Tasks holding a slot (including aborted ones that have not settled yet). */
  readonly running: number;
  /** The most tasks that run at once. */
  readonly concurrency: number;
}

interface Entry {
  readonly ticket: InferenceTicket;
  readonly order: number;
  readonly start: () => void;
}

const NEVER_ABORTED = new AbortController().signal;

/** Runs inference tasks on a fixed number of slots in a fair order (see the module docs). */
export class InferenceScheduler {
  #concurrency: number;
  #running = 0;
  #queued = 0;
  #arrivals = 0;
  /** Waiting requests of each session, oldest first. */
  #bySession = new Map<string, Entry[]>();
  /** Sessions with waiting requests, in round-robin order (the next to serve first). */
  #turns: string[] = [];

  /** @param concurrency the most tasks that run at once (the number of Workers), at least 1 */
  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
    }
    this.#concurrency = concurrency;
  }

  /** The most tasks that run at once. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Queue depth and slots in use. */
  stats(): InferenceSchedulerStats {
    return { queued: this.#queued, running: this.#running, concurrency: this.#concurrency };
  }

  /**
   * Runs `task` when its turn comes and a slot is free; resolves or rejects with its outcome.
   * An aborted `signal` rejects with the signal's reason at once, whether the request waits or
   * runs.
   */
  run<T>(ticket: InferenceTicket, task: InferenceTask<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    let waiting = true;
    const onAbort = () => {
      if (waiting) this.#remove(entry);
      settle(() => reject(signal!.reason));
    };
    const entry: Entry = {
      ticket,
      order: this.#arrivals++,
      start: () => {
        waiting = false;
        this.#running++;
        let work: Promise<T>;
        try {
          work = task(signal ?? NEVER_ABORTED);
        } catch (error) {
          work = Promise.reject(error);
        }
        // The slot is free (and handed on) before the caller hears of the outcome.
        const release = () => {
          this.#running--;
          this.#dispatch();
        };
        work.then(
          (value) => {
            release();
            settle(() => resolve(value));
          },
          (error) => {
            release();
            settle(() => reject(error));
          },
        );
      },
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#enqueue(entry);
    this.#dispatch();
    return promise;
  }

  #enqueue(entry: Entry): void {
    const id = entry.ticket.sessionId;
    let queue = this.#bySession.get(id);
    if (!queue) {
      queue = [];
      this.#bySession.set(id, queue);
      this.#turns.push(id);
    }
    queue.push(entry);
    this.#queued++;
  }

  #remove(entry: Entry): void {
    const id = entry.ticket.sessionId;
    const queue = this.#bySession.get(id);
    const index = queue?.indexOf(entry) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    this.#queued--;
    if (queue.length === 0) {
      this.#bySession.delete(id);
      this.#turns.splice(this.#turns.indexOf(id), 1);
    }
  }

  /** The session to serve next: the earliest waiting first segment, else the next in turn. */
  #nextSession(): string | undefined {
    let chosen: string | undefined;
    let earliest = Infinity;
    for (const id of this.#turns) {
      const head = this.#bySession.get(id)![0];
      if (head.ticket.first && head.order < earliest) {
        chosen = id;
        earliest = head.order;
      }
    }
    return chosen ?? this.#turns[0];
  }

  #dispatch(): void {
    while (this.#running < this.#concurrency) {
      const id = this.#nextSession();
      if (id === undefined) return;
      const queue = this.#bySession.get(id)!;
      const entry = queue.shift()!;
      this.#queued--;
      this.#turns.splice(this.#turns.indexOf(id), 1);
      if (queue.length === 0) this.#bySession.delete(id);
      else this.#turns.push(id);
      entry.start();
    }
  }
}
