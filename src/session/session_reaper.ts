/**
 * Ends sessions that have been idle too long: no text, no control and no frame for
 * `idleTimeoutMs`, and nothing in flight but an utterance held by PAUSE (whose client may be gone
 * without closing its connection). Their open stream ends cleanly, a paused utterance with its
 * final frame; the orchestrator learns of it through NOT_FOUND on its next call for the session.
 *
 * @module
 */
import type { Session } from "./session.ts";
import type { SessionRegistry } from "./session_registry.ts";

/** Settings of a {@linkcode SessionReaper}. */
export interface SessionReaperOptions {
  /** A session idle this long is ended, in ms. */
  readonly idleTimeoutMs: number;
  /** How often to look, in ms; default a tenth of the timeout, between 50 ms and 10 s. */
  readonly intervalMs?: number;
  /** Called for each session ended (for the log). */
  readonly onReap?: (session: Session, idleMs: number) => void;
  /** The clock, in Unix ms (tests). */
  readonly now?: () => number;
}

/** Periodically ends idle sessions of a registry. */
export class SessionReaper {
  #registry: SessionRegistry;
  #options: SessionReaperOptions;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param registry the live sessions @param options timeout and hooks */
  constructor(registry: SessionRegistry, options: SessionReaperOptions) {
    if (!(options.idleTimeoutMs > 0)) {
      throw new RangeError(`idleTimeoutMs must be positive, got ${options.idleTimeoutMs}`);
    }
    this.#registry = registry;
    this.#options = options;
  }

  /** Starts looking periodically. */
  start(): void {
    if (this.#timer !== undefined) return;
    const interval = this.#options.intervalMs ??
      Math.min(10_000, Math.max(50, this.#options.idleTimeoutMs / 10));
    const timer = setInterval(() => this.reap(), interval);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Stops looking. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Ends every session idle longer than the timeout now; returns them. */
  reap(): Session[] {
    const now = (this.#options.now ?? Date.now)();
    const idle = this.#registry.idleSince(now - this.#options.idleTimeoutMs);
    for (const session of idle) {
      const removed = this.#registry.remove(session.id);
      removed?.stream?.end(); // a paused utterance ends with its final frame
      this.#options.onReap?.(session, now - session.lastActivity);
    }
    return idle;
  }
}
