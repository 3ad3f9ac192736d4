/**
 * Whether a stream of 20 ms frames could be played without a gap by a client that keeps a fixed
 * playout buffer: playback of frame 0 starts `bufferMs` after it arrives, and frame `k` is due
 * `k × frameMs` later. A frame that arrives after it is due is an underrun.
 *
 * @module
 */

/** Outcome of {@linkcode checkPlayout}. */
export interface PlayoutCheck {
  /** Frames that arrived after they were due. */
  readonly underruns: number;
  /**
   * Latest arrival relative to its due time, in milliseconds, over all frames: negative when every
   * frame was early (then its magnitude is the smallest slack), positive when some frame was late.
   */
  readonly worstLatenessMs: number;
}

/**
 * Checks frame arrival times (milliseconds, any common clock, in arrival order) against a playout
 * buffer of `bufferMs` that plays one frame every `frameMs`.
 *
 * @throws {RangeError} when there are no arrivals or the sizes are not positive.
 *
 * @example
 * ```ts
 * checkPlayout([0, 20, 40], 20, 100).underruns; // 0
 * checkPlayout([0, 200], 20, 100).underruns; // 1: frame 1 was due at 120 ms
 * ```
 */
export function checkPlayout(
  arrivalsMs: readonly number[],
  frameMs = 20,
  bufferMs = 100,
): PlayoutCheck {
  if (arrivalsMs.length === 0) throw new RangeError("no frames arrived");
  if (!(frameMs > 0) || !(bufferMs >= 0)) {
    throw new RangeError(`frame and buffer sizes must be positive, got ${frameMs}, ${bufferMs}`);
  }
  const start = arrivalsMs[0] + bufferMs;
  let underruns = 0;
  let worstLatenessMs = -Infinity;
  arrivalsMs.forEach((arrival, k) => {
    const lateness = arrival - (start + k * frameMs);
    if (lateness > 0) underruns++;
    if (lateness > worstLatenessMs) worstLatenessMs = lateness;
  });
  return { underruns, worstLatenessMs };
}
