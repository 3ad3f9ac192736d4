/**
 * The live sessions, by id, with the admission limit.
 *
 * @module
 */
import type { Session } from "./session.ts";
import type { SessionStream } from "./session_stream.ts";

/** Why a session could not be added. */
export type AdmissionResult =
  | { readonly ok: true }
  | {
    readonly ok: false;
    readonly reason: "exists" | "full" | "draining";
    readonly message: string;
  };

/** The outcome of {@linkcode SessionRegistry.attachStream}. */
export type AttachResult =
  | {
    readonly ok: true;
    /** The idle stream the new one replaced (now superseded), if the session had one. */
    readonly replaced: SessionStream | undefined;
  }
  | {
    readonly ok: false;
    /** The session's stream, which still speaks or has an utterance open. */
    readonly current: SessionStream;
  };

/** How many refused session ids are remembered, so that their streams get RESOURCE_EXHAUSTED. */
const REFUSED_IDS_REMEMBERED = 1024;

/** Live sessions and the Synthesize stream each has open (at most one; see `attachStream`). */
export class SessionRegistry {
  /** Most sessions admitted at once. */
  readonly maxSessions: number;
  #sessions = new Map<string, Session>();
  #streams = new Map<string, SessionStream>();
  /** Ids refused for lack of room, oldest first (a bounded memory). */
  #refused = new Set<string>();
  #draining = false;

  /** @param maxSessions the admission limit */
  constructor(maxSessions: number) {
    this.maxSessions = maxSessions;
  }

  /** Number of live sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Number of Synthesize streams open. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Whether the worker is shutting down and admits no new session. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Stops admitting sessions (graceful shutdown); live ones go on. */
  startDraining(): void {
    this.#draining = true;
  }

  /**
   * Whether a session `id` would be admitted now, without admitting it: StartSession asks before
   * it loads a model, so that a worker that is full or shutting down does no work for nothing. A
   * refusal for being full is remembered as {@linkcode SessionRegistry.add}'s is.
   */
  admission(id: string): AdmissionResult {
    if (this.#draining) {
      return {
        ok: false,
        reason: "draining",
        message: "the worker is shutting down and admits no new sessions; use another worker",
      };
    }
    if (this.#sessions.has(id)) {
      return {
        ok: false,
        reason: "exists",
        message: `session "${id}" is already live; end it or use another id`,
      };
    }
    if (this.#sessions.size >= this.maxSessions) {
      this.#rememberRefused(id);
      return {
        ok: false,
        reason: "full",
        message:
          `the worker is at its limit of ${this.maxSessions} concurrent sessions; retry later or use another worker`,
      };
    }
    return { ok: true };
  }

  /** Admits a session unless its id is live, the worker is full or shutting down. */
  add(session: Session): AdmissionResult {
    const admission = this.admission(session.id);
    if (!admission.ok) return admission;
    this.#refused.delete(session.id);
    this.#sessions.set(session.id, session);
    return { ok: true };
  }

  /** Whether `id` was lately refused because the worker was full (and is not live now). */
  wasRefused(id: string): boolean {
    return this.#refused.has(id) && !this.#sessions.has(id);
  }

  #rememberRefused(id: string): void {
    this.#refused.delete(id);
    this.#refused.add(id);
    if (this.#refused.size > REFUSED_IDS_REMEMBERED) {
      this.#refused.delete(this.#refused.values().next().value!);
    }
  }

  /** The live session with this id. */
  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** Removes a session; returns it, with the stream it had open. */
  remove(id: string): { session: Session; stream?: SessionStream } | undefined {
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    this.#sessions.delete(id);
    const stream = this.#streams.get(id);
    this.#streams.delete(id);
    return { session, stream };
  }

  /** The open stream of a session. */
  streamOf(id: string): SessionStream | undefined {
    return this.#streams.get(id);
  }

  /**
   * Attaches a stream to a session. A session has one stream at a time: a current stream that is
   * {@linkcode SessionStream.idle} (all its text spoken to its final frame) is superseded by the
   * new one and handed back as `replaced`, since its client has moved on to the next stream (its
   * half-close may still be on the way); a current stream that is not idle keeps the session, and
   * the new one is refused.
   */
  attachStream(id: string, stream: SessionStream): AttachResult {
    const current = this.#streams.get(id);
    if (current && !current.idle) return { ok: false, current };
    current?.supersede();
    this.#streams.set(id, stream);
    return { ok: true, replaced: current };
  }

  /** Detaches a stream (only if it is still the session's current one). */
  detachStream(id: string, stream: SessionStream): void {
    if (this.#streams.get(id) === stream) this.#streams.delete(id);
  }

  /** Ids of the live sessions that speak with a model. */
  sessionsUsing(modelId: string): string[] {
    return [...this.#sessions.values()].filter((s) => s.modelId === modelId).map((s) => s.id);
  }

  /**
   * Live sessions with no activity since `cutoff` (Unix ms) and no utterance in flight, or one
   * held by PAUSE.
   */
  idleSince(cutoff: number): Session[] {
    return this.all().filter((session) => {
      if (session.lastActivity >= cutoff) return false;
      // A paused utterance sends nothing and waits for its client: when that client has said
      // nothing for so long (it may be gone without closing), the session is idle too.
      const stream = this.#streams.get(session.id);
      return !stream?.busy || session.gate.paused;
    });
  }

  /** Open streams that still have an utterance in flight or queued. */
  busyStreams(): SessionStream[] {
    return [...this.#streams.values()].filter((stream) => stream.busy);
  }

  /** Every live session. */
  all(): Session[] {
    return [...this.#sessions.values()];
  }
}
