/**
 * One Synthesize call seen from the client with a stopwatch: when each chunk went out, when each
 * frame came in, and waits on those events. Checks the wire invariants as frames arrive (frame size,
 * gap-free sequence numbers), so that a benchmark never times a broken stream.
 *
 * @module
 */
import type { SynthesizeCall, TtsClient } from "../src/rpc/client.ts";
import type { AudioFrame } from "../src/rpc/messages.ts";
import { FRAME_BYTES } from "../src/pipeline/pcm.ts";
import { TextChunkWriter } from "./text_chunk_writer.ts";

/** Milliseconds on the `performance.now()` clock. */
export type Instant = number;

/** A Synthesize stream that records arrival times. Create it with {@linkcode openTimedStream}. */
export class TimedStream {
  /** The call. */
  readonly call: SynthesizeCall;
  /** The session the stream speaks for. */
  readonly sessionId: string;
  /** Arrival time of every frame, in order. */
  readonly arrivals: Instant[] = [];
  /** Arrival times of the final frames (one per utterance). */
  readonly finals: Instant[] = [];
  /** Problems seen on the wire (wrong size, sequence gap); empty when all is well. */
  readonly problems: string[] = [];
  /** Set when the call ended with an error. */
  error?: string;
  /** Whether the call has ended (cleanly or not). */
  ended = false;
  #nextSequence: number | undefined;
  #writer: TextChunkWriter;
  #waiters = new Set<() => void>();

  /** Wraps an open call; prefer {@linkcode openTimedStream}. */
  constructor(call: SynthesizeCall, sessionId: string) {
    this.call = call;
    this.sessionId = sessionId;
    this.#writer = new TextChunkWriter(call, sessionId);
    call.on("data", (frame: AudioFrame) => this.#onFrame(frame));
    call.on("error", (error: { details?: string; message?: string }) => {
      this.error = error.details ?? error.message ?? String(error);
      this.#end();
    });
    call.on("end", () => this.#end());
  }

  /** Sends a text chunk; returns when it was handed to the transport. */
  send(text: string, isFinal: boolean): Instant {
    return this.#writer.write(text, isFinal);
  }

  /** Half-closes the call: no more text. */
  endInput(): void {
    this.call.end();
  }

  /** Resolves once `count` frames have arrived; rejects if the call ends first. */
  framesArrived(count: number): Promise<Instant> {
    return this.#until(() => this.arrivals.length >= count ? this.arrivals[count - 1] : undefined);
  }

  /** Resolves with the arrival time of the `count`-th final frame; rejects if the call ends first. */
  finalArrived(count = 1): Promise<Instant> {
    return this.#until(() => this.finals.length >= count ? this.finals[count - 1] : undefined);
  }

  /** Resolves once the call has ended (cleanly or with an error). */
  closed(): Promise<void> {
    return this.#until(() => this.ended ? true : undefined, false).then(() => undefined);
  }

  /**
   * Waits until no frame has arrived for `quietMs` since `since` or the last frame, whichever is
   * later; resolves with the last arrival at or after `since`, or undefined when none came.
   */
  async quietAfter(since: Instant, quietMs: number): Promise<Instant | undefined> {
    while (true) {
      const last = Math.max(since, this.arrivals.at(-1) ?? since);
      const wait = last + quietMs - performance.now();
      if (wait <= 0 || this.ended) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const last = this.arrivals.at(-1);
    return last !== undefined && last >= since ? last : undefined;
  }

  #onFrame(frame: AudioFrame): void {
    const now = performance.now();
    this.arrivals.push(now);
    if (frame.audio_data.byteLength !== FRAME_BYTES) {
      this.problems.push(`frame ${frame.sequence_number} has ${frame.audio_data.byteLength} bytes`);
    }
    const sequence = Number(frame.sequence_number);
    if (this.#nextSequence !== undefined && sequence !== this.#nextSequence) {
      this.problems.push(`sequence jumped from ${this.#nextSequence - 1} to ${sequence}`);
    }
    this.#nextSequence = sequence + 1;
    if (frame.is_final) this.finals.push(now);
    this.#wake();
  }

  #end(): void {
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  #until<T>(check: () => T | undefined, failOnEnd = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const test = () => {
        const value = check();
        if (value !== undefined) {
          this.#waiters.delete(test);
          resolve(value);
        } else if (this.ended && failOnEnd) {
          this.#waiters.delete(test);
          reject(
            new Error(
              `stream of ${this.sessionId} ended early after ${this.arrivals.length} frames` +
                (this.error ? `: ${this.error}` : ""),
            ),
          );
        }
      };
      this.#waiters.add(test);
      test();
    });
  }
}

/** Starts session `sessionId` with `modelId` and opens its Synthesize call. */
export async function openTimedStream(
  client: TtsClient,
  sessionId: string,
  modelId: string,
): Promise<TimedStream> {
  const started = await client.startSession(sessionId, modelId);
  if (!started.success) throw new Error(`StartSession ${sessionId} failed: ${started.message}`);
  return new TimedStream(client.synthesize(), sessionId);
}

/** Half-closes the stream, waits for the call to end, ends the session; throws on wire problems. */
export async function closeTimedStream(client: TtsClient, stream: TimedStream): Promise<void> {
  if (!stream.ended) stream.endInput();
  await stream.closed();
  await client.endSession(stream.sessionId);
  if (stream.error) throw new Error(`stream of ${stream.sessionId} failed: ${stream.error}`);
  if (stream.problems.length > 0) {
    throw new Error(`stream of ${stream.sessionId}: ${stream.problems.join("; ")}`);
  }
}
