/**
 * Measurements of audio for tests on real worker output: level, how much of it is voiced,
 * spectral balance, clipping and clicks at frame seams.
 *
 * Every function takes {@linkcode Samples} in full-scale units: an `Int16Array` is read as
 * `value / 32768`, float arrays as they are (so 1.0 is full scale either way).
 *
 * @module
 */

/** Mono PCM: int16 (scaled by 1/32768) or float samples in [-1, 1]. */
export type Samples = Int16Array | Float32Array | Float64Array;

/** A power spectrum from {@linkcode powerSpectrum}. */
export interface PowerSpectrum {
  /** Power of bins 0 .. size/2 (DC to Nyquist), Hann-windowed. */
  readonly power: Float64Array;
  /** Width of one bin in Hz. */
  readonly binHz: number;
}

/** What {@linkcode detectSeamClicks} found at the frame seams. */
export interface SeamReport {
  /** Seams examined (frame boundaries inside the signal). */
  readonly seams: number;
  /** Largest sample-to-sample step across a seam, full-scale units. */
  readonly maxSeamStep: number;
  /** Largest sample-to-sample step inside frames, full-scale units. */
  readonly maxInteriorStep: number;
  /** Largest ratio of a seam's step to the largest step in its neighbourhood inside frames. */
  readonly worstRatio: number;
  /** Seams whose step exceeds both the floor and `ratio` times their neighbourhood's steps. */
  readonly clicks: number;
}

/** Thresholds of {@linkcode detectSeamClicks}. */
export interface SeamClickOptions {
  /** Samples on each side of a seam whose steps make its neighbourhood; default 16. */
  readonly neighbourhood?: number;
  /** A seam step this many times its neighbourhood's largest step is a click; default 3. */
  readonly ratio?: number;
  /** Steps below this (full-scale units) are never clicks; default 0.01 (-40 dBFS). */
  readonly floor?: number;
}

/** Thresholds of {@linkcode voicedFraction}. */
export interface VoicedOptions {
  /** Window RMS level in dBFS above which a window counts as voiced; default -40. */
  readonly thresholdDb?: number;
  /** Window length in milliseconds; default 20. */
  readonly windowMs?: number;
}

function scaleOf(pcm: Samples): number {
  return pcm instanceof Int16Array ? 1 / 32768 : 1;
}

/** Reads little-endian int16 bytes (one buffer, or frames in order) into samples. */
export function pcmFromBytesLE(bytes: Uint8Array | readonly Uint8Array[]): Int16Array {
  const chunks = bytes instanceof Uint8Array ? [bytes] : bytes;
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  if (total % 2 !== 0) throw new RangeError(`odd byte count ${total}`);
  const out = new Int16Array(total / 2);
  let index = 0;
  let carry = -1; // a low byte left over from an odd-length chunk
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      if (carry < 0) {
        carry = chunk[i];
      } else {
        out[index++] = (chunk[i] << 24) >> 16 | carry;
        carry = -1;
      }
    }
  }
  return out;
}

/** Root-mean-square level in full-scale units (a full-scale sine gives 0.707); 0 when empty. */
export function rms(pcm: Samples): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
  return Math.sqrt(sum / pcm.length) * scaleOf(pcm);
}

/** Converts a full-scale level to dBFS (-Infinity for 0). */
export function toDb(level: number): number {
  return 20 * Math.log10(level);
}

/**
 * Fraction of whole windows (20 ms by default) whose RMS level is above a threshold (-40 dBFS
 * by default): how much of the signal is sound rather than silence. 0 for a signal shorter than
 * one window.
 */
export function voicedFraction(
  pcm: Samples,
  sampleRate: number,
  options: VoicedOptions = {},
): number {
  const windowSamples = Math.round((sampleRate * (options.windowMs ?? 20)) / 1000);
  const windows = Math.floor(pcm.length / windowSamples);
  if (windows === 0) return 0;
  const threshold = 10 ** ((options.thresholdDb ?? -40) / 20);
  let voiced = 0;
  for (let w = 0; w < windows; w++) {
    const start = w * windowSamples;
    if (rms(pcm.subarray(start, start + windowSamples)) > threshold) voiced++;
  }
  return voiced / windows;
}

/** Fraction of samples at or beyond `threshold` of full scale (default 0.999): clipping. */
export function clippedFraction(pcm: Samples, threshold = 0.999): number {
  if (pcm.length === 0) return 0;
  const limit = threshold / scaleOf(pcm);
  let clipped = 0;
  for (let i = 0; i < pcm.length; i++) if (Math.abs(pcm[i]) >= limit) clipped++;
  return clipped / pcm.length;
}

/**
 * In-place iterative radix-2 FFT of the complex sequence `re + i im`; both arrays must have the
 * same power-of-two length.
 */
export function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (im.length !== n || (n & (n - 1)) !== 0) {
    throw new RangeError(`fft needs two arrays of one power-of-two length, got ${n}/${im.length}`);
  }
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const halfSize = size / 2;
    const angle = (-2 * Math.PI) / size;
    for (let k = 0; k < halfSize; k++) {
      const wr = Math.cos(angle * k);
      const wi = Math.sin(angle * k);
      for (let start = k; start < n; start += size) {
        const odd = start + halfSize;
        const tr = wr * re[odd] - wi * im[odd];
        const ti = wr * im[odd] + wi * re[odd];
        re[odd] = re[start] - tr;
        im[odd] = im[start] - ti;
        re[start] += tr;
        im[start] += ti;
      }
    }
  }
}

/**
 * Power spectrum of the whole signal: Hann-windowed, zero-padded to a power of two, bins from
 * DC to Nyquist. Samples are in full-scale units.
 */
export function powerSpectrum(pcm: Samples, sampleRate: number): PowerSpectrum {
  let size = 2;
  while (size < pcm.length) size *= 2;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const scale = scaleOf(pcm);
  const n = pcm.length;
  for (let i = 0; i < n; i++) {
    const hann = n > 1 ? 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)) : 1;
    re[i] = pcm[i] * scale * hann;
  }
  fft(re, im);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) power[k] = re[k] * re[k] + im[k] * im[k];
  return { power, binHz: sampleRate / size };
}

/** Sum of spectrum power over bins whose centre frequency is within [fromHz, toHz). */
export function bandPower(spectrum: PowerSpectrum, fromHz: number, toHz = Infinity): number {
  const { power, binHz } = spectrum;
  let sum = 0;
  const first = Math.max(0, Math.ceil(fromHz / binHz));
  for (let k = first; k < power.length && k * binHz < toHz; k++) sum += power[k];
  return sum;
}

/**
 * Share of the signal's energy at or above `fromHz` (0-1), from its Hann-windowed spectrum; 0
 * for a silent signal.
 */
export function bandEnergyRatio(pcm: Samples, sampleRate: number, fromHz: number): number {
  const spectrum = powerSpectrum(pcm, sampleRate);
  const total = bandPower(spectrum, 0);
  return total > 0 ? bandPower(spectrum, fromHz) / total : 0;
}

/**
 * Frequency of the strongest spectral peak in Hz, refined between bins by Gaussian (log-power
 * parabolic) interpolation. NaN for a silent signal.
 */
export function dominantFrequency(pcm: Samples, sampleRate: number): number {
  const { power, binHz } = powerSpectrum(pcm, sampleRate);
  let best = 1;
  for (let k = 2; k < power.length - 1; k++) if (power[k] > power[best]) best = k;
  if (!(power[best] > 0)) return NaN;
  const a = Math.log(power[best - 1] || Number.MIN_VALUE);
  const b = Math.log(power[best]);
  const c = Math.log(power[best + 1] || Number.MIN_VALUE);
  const denominator = a - 2 * b + c;
  const offset = denominator < 0 ? (0.5 * (a - c)) / denominator : 0;
  return (best + offset) * binHz;
}

/**
 * Largest sample-to-sample step (full-scale units) across the seams between consecutive frames
 * of `frameSamples` samples, i.e. between samples `k * frameSamples - 1` and `k * frameSamples`.
 */
export function maxSeamJump(pcm: Samples, frameSamples: number): number {
  let max = 0;
  for (let s = frameSamples; s < pcm.length; s += frameSamples) {
    max = Math.max(max, Math.abs(pcm[s] - pcm[s - 1]));
  }
  return max * scaleOf(pcm);
}

/**
 * Click detector for frame seams: compares the step across each seam with the steps inside the
 * frames around it (the `neighbourhood` samples either side). A click is a seam step above the
 * floor and more than `ratio` times the largest neighbouring step: a discontinuity the signal
 * itself does not explain.
 */
export function detectSeamClicks(
  pcm: Samples,
  frameSamples: number,
  options: SeamClickOptions = {},
): SeamReport {
  const neighbourhood = options.neighbourhood ?? 16;
  const ratioLimit = options.ratio ?? 3;
  const floor = options.floor ?? 0.01;
  const scale = scaleOf(pcm);
  const step = (i: number): number => Math.abs(pcm[i] - pcm[i - 1]) * scale;
  let maxInteriorStep = 0;
  for (let i = 1; i < pcm.length; i++) {
    if (i % frameSamples !== 0) maxInteriorStep = Math.max(maxInteriorStep, step(i));
  }
  let seams = 0;
  let maxSeamStep = 0;
  let worstRatio = 0;
  let clicks = 0;
  for (let s = frameSamples; s < pcm.length; s += frameSamples) {
    seams++;
    const seamStep = step(s);
    maxSeamStep = Math.max(maxSeamStep, seamStep);
    let around = 0;
    const from = Math.max(1, s - neighbourhood);
    const to = Math.min(pcm.length - 1, s + neighbourhood);
    for (let i = from; i <= to; i++) if (i !== s) around = Math.max(around, step(i));
    const ratio = seamStep / Math.max(around, Number.MIN_VALUE);
    if (seamStep > 0) worstRatio = Math.max(worstRatio, ratio);
    if (seamStep > floor && ratio > ratioLimit) clicks++;
  }
  return { seams, maxSeamStep, maxInteriorStep, worstRatio, clicks };
}
