/**
 * Real-time pacing of a stream's frames. A client plays 20 ms frames in real time from the first
 * one it gets; the clock tracks when it will have played every frame sent so far and holds the
 * next frame back while more than the allowed lead of audio is already on its way. Without it, a
 * client whose HTTP/2 window is large (grpcio grows it to megabytes) is sent a whole answer at
 * once, and PAUSE or STOP find nothing left to act on.
 *
 * @module
 */
import { FRAME_DURATION_MS } from "../pipeline/pcm.ts";

/** Tracks how far ahead of real time a stream's audio is. */
export class PlayoutClock {
  readonly #leadMs: number;
  /** When (performance.now()) the client will have played every frame sent so far. */
  #playedUntil = -Infinity;

  /**
   * @param leadMs most audio (ms) that may be on its way ahead of real time; 0 turns pacing off,
   * and a positive lead below one frame counts as one frame
   */
  constructor(leadMs: number) {
    if (!(leadMs >= 0)) throw new RangeError(`leadMs must be 0 or more, got ${leadMs}`);
    this.#leadMs = leadMs === 0 ? Infinity : Math.max(leadMs, FRAME_DURATION_MS);
  }

  /** Milliseconds to wait before the next frame may be sent (0: now). */
  waitMs(now: number = performance.now()): number {
    return Math.max(0, this.#playedUntil + FRAME_DURATION_MS - this.#leadMs - now);
  }

  /** Audio (ms) sent and not yet played, by this clock. */
  leadMs(now: number = performance.now()): number {
    return Math.max(0, this.#playedUntil - now);
  }

  /** Forgets the audio on its way (the client dropped it: barge-in): the next lead goes at once. */
  reset(): void {
    this.#playedUntil = -Infinity;
  }

  /** Notes one frame sent at `now`: playback of it follows the frames before it, or starts now. */
  sent(now: number = performance.now()): void {
    this.#playedUntil = Math.max(now, this.#playedUntil) + FRAME_DURATION_MS;
  }
}

/**
 * Resolves true after at least `ms`, or false as soon as `signal` aborts (the timer is cleared).
 */
export function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    // Whole milliseconds, rounded up: a timer rounds a fraction down and would fire early.
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, Math.ceil(ms));
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
