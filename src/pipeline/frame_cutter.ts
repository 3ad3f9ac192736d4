/**
 * Pipeline stage: 48 kHz float audio -> 20 ms wire frames of 960 int16 little-endian samples.
 *
 * Samples carry over from one chunk to the next, so chunk and sentence boundaries never insert
 * silence; only the very end of an utterance is padded. The frame rule: an utterance of `N`
 * samples gives `floor(N / 960)` ordinary frames and then exactly one final frame, which holds
 * the `N % 960` remaining samples followed by silence. When `N` is a multiple of 960 (zero
 * included) the final frame is all silence; so every utterance, even an empty one, ends in
 * exactly one frame with `isFinal` set, and `floor(N / 960) + 1` frames are sent in all.
 *
 * @module
 */
import { floatSampleToInt16, FRAME_BYTES, FRAME_SAMPLES } from "./pcm.ts";

/** One 20 ms frame as it goes on the wire. */
export interface PcmFrame {
  /** Exactly 1920 bytes: 960 samples, int16 little-endian, 48 kHz mono. Its own buffer. */
  readonly audio: Uint8Array;
  /** True on the utterance's last frame only. */
  readonly isFinal: boolean;
}

/** Whether this host stores integers little-endian (then int16 views write wire order). */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Writes `count` float samples from `source[from]` as int16 LE into `target` at sample `at`. */
function writeSamples(
  source: Float32Array,
  from: number,
  count: number,
  target: Uint8Array,
  at: number,
): void {
  if (HOST_IS_LITTLE_ENDIAN) {
    const samples = new Int16Array(target.buffer, target.byteOffset + at * 2, count);
    for (let i = 0; i < count; i++) samples[i] = floatSampleToInt16(source[from + i]);
    return;
  }
  const view = new DataView(target.buffer, target.byteOffset + at * 2, count * 2);
  for (let i = 0; i < count; i++) view.setInt16(i * 2, floatSampleToInt16(source[from + i]), true);
}

/**
 * Cuts 48 kHz float chunks of any length into 20 ms int16 frames, carrying the remainder across
 * calls. Frames are handed to the transport, so they are never written again: the frames one
 * {@linkcode FrameCutter.push} completes are views into one buffer allocated for them together
 * (one allocation per chunk, none per frame), and the remainder waits in a buffer of the cutter's
 * own that is reused from chunk to chunk.
 */
export class FrameCutter {
  readonly #pending = new Uint8Array(FRAME_BYTES);
  #filled = 0;

  /** Samples waiting for the next frame (0-959). */
  get pendingSamples(): number {
    return this.#filled;
  }

  /** Converts and appends `samples`; returns the frames completed by them (none final). */
  push(samples: Float32Array): PcmFrame[] {
    const total = this.#filled + samples.length;
    const count = Math.floor(total / FRAME_SAMPLES);
    if (count === 0) {
      writeSamples(samples, 0, samples.length, this.#pending, this.#filled);
      this.#filled = total;
      return [];
    }
    const block = new Uint8Array(count * FRAME_BYTES);
    block.set(this.#pending.subarray(0, this.#filled * 2));
    const used = count * FRAME_SAMPLES - this.#filled;
    writeSamples(samples, 0, used, block, this.#filled);
    this.#filled = samples.length - used;
    writeSamples(samples, used, this.#filled, this.#pending, 0);
    const frames: PcmFrame[] = new Array(count);
    for (let i = 0; i < count; i++) {
      frames[i] = { audio: block.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES), isFinal: false };
    }
    return frames;
  }

  /**
   * Ends the utterance: returns the final frame, the pending samples padded with silence (all
   * silence when none are pending). The cutter is then empty, ready for the next utterance.
   */
  finish(): PcmFrame {
    const audio = new Uint8Array(FRAME_BYTES);
    audio.set(this.#pending.subarray(0, this.#filled * 2));
    this.#filled = 0;
    return { audio, isFinal: true };
  }

  /** Drops pending samples without emitting them. */
  reset(): void {
    this.#filled = 0;
  }
}

/**
 * {@linkcode FrameCutter} as a Web Streams transform: 48 kHz float chunks in, frames out;
 * closing the input emits the final frame (always exactly one).
 */
export class FrameCutterStream extends TransformStream<Float32Array, PcmFrame> {
  constructor() {
    const cutter = new FrameCutter();
    super({
      transform(chunk, controller) {
        for (const frame of cutter.push(chunk)) controller.enqueue(frame);
      },
      flush(controller) {
        controller.enqueue(cutter.finish());
      },
    });
  }
}
