/**
 * The counts a soak run keeps across all its sessions: frames, sequence gaps, utterances and their
 * final frames, control commands, jitter samples, and errors by gRPC status code.
 *
 * @module
 */
import { status } from "@grpc/grpc-js";

/** How many problem messages are kept as samples. */
export const MAX_PROBLEM_SAMPLES = 20;

/**
 * The name of the gRPC status code carried by `error` (`"UNAVAILABLE"`, ...), or `"UNKNOWN"` when it
 * carries none (a failure that never reached the wire).
 */
export function grpcCodeName(error: unknown): string {
  const code = error && typeof error === "object" && "code" in error ? error.code : undefined;
  if (typeof code === "number" && typeof status[code] === "string") return status[code];
  return "UNKNOWN";
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Counters of a soak run, shared by every session loop. */
export class SoakTally {
  /** Frames received. */
  framesReceived = 0;
  /** Frames whose `sequence_number` was not the previous one + 1 (or 0 for a session's first). */
  sequenceGaps = 0;
  /** Frames of the wrong size, rate, duration or session id. */
  malformedFrames = 0;
  /** Frames that arrived on a stream before its first utterance was sent. */
  strayFrames = 0;
  /** Sessions started (StartSession succeeded). */
  rounds = 0;
  /** Utterances sent, by kind. */
  readonly utterances: Record<string, number> = {};
  /** Utterances that did not get exactly one final frame (none, or more than one). */
  badFinals = 0;
  /** Utterances whose frames stopped coming before the final one (the call was then cancelled). */
  stalled = 0;
  /** STOP commands sent; `stopsEffective` of them ended an utterance in progress. */
  stops = 0;
  /** STOP commands answered "stopped". */
  stopsEffective = 0;
  /** PAUSE/RESUME pairs sent. */
  pauses = 0;
  /** Control commands skipped because the utterance ended before their moment came. */
  actionsSkipped = 0;
  /** Per-frame jitter, in ms (see `soak_jitter.ts`). */
  readonly jitterMs: number[] = [];
  /** Time to first audio of utterances sent as one chunk, in ms. */
  readonly ttfaMs: number[] = [];
  /** Failed calls by gRPC status code name. */
  readonly errorsByCode: Record<string, number> = {};
  /** Calls answered `success: false` where success was expected, by method. */
  readonly refusals: Record<string, number> = {};
  /** The first problems seen, for diagnosis. */
  readonly samples: string[] = [];

  /** Counts one utterance of `kind`. */
  countUtterance(kind: string): void {
    bump(this.utterances, kind);
  }

  /** Counts a failed call of `method`. */
  recordError(method: string, error: unknown): void {
    const code = grpcCodeName(error);
    bump(this.errorsByCode, code);
    const details = error instanceof Error ? error.message : String(error);
    this.sample(`${method}: ${code}: ${details}`);
  }

  /** Counts a call of `method` that answered `success: false`. */
  recordRefusal(method: string, message: string): void {
    bump(this.refusals, method);
    this.sample(`${method} refused: ${message}`);
  }

  /** Keeps `problem` as a sample while there are fewer than {@linkcode MAX_PROBLEM_SAMPLES}. */
  sample(problem: string): void {
    if (this.samples.length < MAX_PROBLEM_SAMPLES) this.samples.push(problem.slice(0, 300));
  }

  /** Failed calls in all. */
  get errors(): number {
    return Object.values(this.errorsByCode).reduce((sum, n) => sum + n, 0);
  }

  /** Refused calls in all. */
  get refused(): number {
    return Object.values(this.refusals).reduce((sum, n) => sum + n, 0);
  }
}
