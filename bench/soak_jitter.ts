/**
 * Frame jitter as a listener would feel it: how late each frame arrives behind the real-time
 * schedule that its utterance's first frame sets.
 *
 * The worker does not pace its output: frames leave as soon as they are synthesised, usually in
 * bursts well ahead of real time, so the spacing between two arrivals says little (a burst gives
 * 0 ms, a pause between sentences hundreds). What matters to a client that plays the audio is
 * whether a frame is there when it is due. Precisely:
 *
 * - The frames of one utterance are split into runs. The first run starts with the utterance's first
 *   frame; after a PAUSE, a new run starts with the first frame that arrives after RESUME was sent
 *   (a pause is the client's own choice, not jitter).
 * - In a run whose first frame arrived at `a₀`, frame `j` of the run (`j = 0, 1, ...`) is due at
 *   `a₀ + j × 20 ms`.
 * - The frame's jitter is `max(0, arrival − due)`: 0 when it was on time or early, otherwise by how
 *   much it was late. A client holding a playout buffer of `B` ms hears a gap exactly when some
 *   frame's jitter exceeds `B`.
 *
 * Times are the client's `performance.now()` at the moment grpc-js hands the frame over, so the
 * client's own event-loop delays are included.
 *
 * @module
 */

/**
 * The jitter of every frame of one utterance, in arrival order (see the module documentation).
 *
 * @param arrivalsMs arrival time of each frame, in ms, in arrival order
 * @param runStarts indices of the frames that start a new run (the first frame always does)
 * @param frameMs frame duration
 *
 * @example
 * ```ts
 * scheduleJitter([0, 0, 0, 70]); // [0, 0, 0, 10]: frame 3 was due at 60 ms
 * scheduleJitter([0, 20, 500, 520], [2]); // [0, 0, 0, 0]: a new run started at frame 2
 * ```
 */
export function scheduleJitter(
  arrivalsMs: readonly number[],
  runStarts: readonly number[] = [],
  frameMs = 20,
): number[] {
  const starts = new Set(runStarts);
  let runStart = 0;
  return arrivalsMs.map((arrival, i) => {
    if (starts.has(i)) runStart = i;
    const due = arrivalsMs[runStart] + (i - runStart) * frameMs;
    return Math.max(0, arrival - due);
  });
}
