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

/**
 * Cuts 48 kHz float chunks of any length into 20 ms int16 frames, carrying the remainder across
 * calls. Every frame gets a fresh buffer, since frames are handed to the transport.
 */
export class FrameCutter {
  #frame = new Uint8Array(FRAME_BYTES);
  #view = new DataView(this.#frame.buffer);
  #filled = 0;

  /** Samples waiting for the next frame (0-959). */
  get pendingSamples(): number {
    return this.#filled;
  }

  /** Converts and appends `samples`; returns the frames completed by them (none final). */
  push(samples: Float32Array): PcmFrame[] {
    const frames: PcmFrame[] = [];
    let i = 0;
    while (i < samples.length) {
      const count = Math.min(FRAME_SAMPLES - this.#filled, samples.length - i);
      const view = this.#view;
      let byte = this.#filled * 2;
      for (const end = i + count; i < end; i++, byte += 2) {
        view.setInt16(byte, floatSampleToInt16(samples[i]), true);
      }
      this.#filled += count;
      if (this.#filled === FRAME_SAMPLES) frames.push(this.#takeFrame(false));
    }
    return frames;
  }

  /**
   * Ends the utterance: returns the final frame, the pending samples padded with silence (all
   * silence when none are pending). The cutter is then empty, ready for the next utterance.
   */
  finish(): PcmFrame {
    this.#frame.fill(0, this.#filled * 2);
    return this.#takeFrame(true);
  }

  /** Drops pending samples without emitting them. */
  reset(): void {
    this.#filled = 0;
  }

  #takeFrame(isFinal: boolean): PcmFrame {
    const frame: PcmFrame = { audio: this.#frame, isFinal };
    this.#frame = new Uint8Array(FRAME_BYTES);
    this.#view = new DataView(this.#frame.buffer);
    this.#filled = 0;
    return frame;
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
