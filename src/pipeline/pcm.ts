/**
 * PCM wire format of the worker and the conversions to it: float samples in [-1, 1] become
 * 16-bit signed little-endian integers, 48 kHz mono, cut into 20 ms frames.
 *
 * @module
 */

/** Sample rate of every frame the worker sends, in Hz. */
export const OUTPUT_SAMPLE_RATE = 48000;

/** Duration of one output frame, in milliseconds. */
export const FRAME_DURATION_MS = 20;

/** Samples in one output frame: 20 ms at 48 kHz. */
export const FRAME_SAMPLES = (OUTPUT_SAMPLE_RATE * FRAME_DURATION_MS) / 1000;

/** Bytes in one output frame: two bytes per 16-bit sample. */
export const FRAME_BYTES = FRAME_SAMPLES * 2;

/** Largest int16 value a float sample maps to; full scale (1.0) maps here. */
export const INT16_FULL_SCALE = 32767;

/**
 * Converts one float sample to int16: scales by 32767, rounds half away from zero and clamps
 * to [-32767, 32767], so out-of-range input clips instead of wrapping round and clipping is
 * symmetric (-32768 is never produced). NaN becomes 0.
 */
export function floatSampleToInt16(sample: number): number {
  const scaled = sample * INT16_FULL_SCALE;
  // `(x + 0.5) | 0` is Math.round for 0 <= x < 32767: the sum is exact there (a float32 sample
  // times 32767 has no bits below 2^-53 near 0.5), and `| 0` truncates. About five times faster
  // than Math.round with its branches, and this runs for every sample sent.
  if (scaled >= 0) return scaled >= INT16_FULL_SCALE ? INT16_FULL_SCALE : (scaled + 0.5) | 0;
  if (scaled <= -INT16_FULL_SCALE) return -INT16_FULL_SCALE;
  return 0 - ((0.5 - scaled) | 0); // NaN: (NaN | 0) is 0, and 0 - 0 is +0
}

/**
 * Converts float samples to int16 with {@linkcode floatSampleToInt16} (clamping, rounding).
 * Writes into `output` when given (it must hold at least `input.length` samples) and returns a
 * view of exactly `input.length` samples.
 */
export function floatToInt16(input: Float32Array, output?: Int16Array): Int16Array {
  const n = input.length;
  if (output !== undefined && output.length < n) {
    throw new RangeError(`output holds ${output.length} samples, ${n} needed`);
  }
  const out = output ?? new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = floatSampleToInt16(input[i]);
  return out.length === n ? out : out.subarray(0, n);
}

/**
 * Serialises int16 samples as little-endian bytes, whatever the host's byte order. Writes into
 * `output` when given (it must hold at least `2 * samples.length` bytes) and returns a view of
 * exactly `2 * samples.length` bytes.
 */
export function int16ToBytesLE(samples: Int16Array, output?: Uint8Array): Uint8Array {
  const bytes = samples.length * 2;
  if (output !== undefined && output.length < bytes) {
    throw new RangeError(`output holds ${output.length} bytes, ${bytes} needed`);
  }
  const out = output ?? new Uint8Array(bytes);
  const view = new DataView(out.buffer, out.byteOffset, bytes);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i], true);
  return out.length === bytes ? out : out.subarray(0, bytes);
}

/** Reads little-endian int16 bytes back into samples (the inverse of {@linkcode int16ToBytesLE}). */
export function bytesLEToInt16(bytes: Uint8Array): Int16Array {
  if (bytes.length % 2 !== 0) {
    throw new RangeError(`odd byte count ${bytes.length} is not whole int16 samples`);
  }
  const out = new Int16Array(bytes.length / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}
