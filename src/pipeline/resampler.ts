/**
 * Streaming band-limited sample-rate conversion for rational ratios (16000, 22050, 24000,
 * 44100 -> 48000 and the like), by a polyphase Kaiser-windowed-sinc filter.
 *
 * Design. The ratio is reduced to `up / down` (22050 -> 48000 is 320 / 147). Output sample `n`
 * sits at input position `n * down / up`; its integer part selects the input samples and its
 * fractional part `p / up` selects one of `up` phases of a precomputed filter bank. Each phase is
 * the windowed sinc `2 fc sinc(2 fc t) w(t)` sampled at `t = j - p / up`, normalised to unity DC
 * gain. The cutoff `fc` lies midway between the passband edge (default 0.9 of the lower Nyquist
 * rate) and the stopband edge (default the lower Nyquist rate itself); the Kaiser window's length
 * and beta follow from the transition width and the stopband attenuation (default 90 dB), by
 * Kaiser's formulas. For 22050 -> 48000 that is a passband to 9.9 kHz, at least 80 dB of
 * attenuation of images above 11.025 kHz and 116 taps per output sample.
 *
 * Group delay. The filter is centred on each output position (zero phase), so output sample 0
 * lines up with input sample 0 and no delay or leading padding appears in the output; the input
 * before the stream's start counts as silence. The price is lookahead: an output sample needs the
 * `lookahead` input samples after its position, so `process()` holds back the last few outputs
 * (about 58 input samples, 2.6 ms at 22050 Hz) until more input comes or `flush()` ends the
 * stream. In all, a stream of `N` input samples gives `ceil(N * up / down)` output samples.
 *
 * Filter banks are cached per (ratio, design) at module level, so a resampler per utterance
 * costs only its small history buffer. The filtering itself runs in WebAssembly SIMD
 * ({@linkcode PolyphaseKernel}).
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { PolyphaseKernel } from "./polyphase_kernel.ts";

/** Filter design settings of a {@linkcode Resampler}. */
export interface ResamplerOptions {
  /** Passband edge as a fraction of the lower of the two Nyquist rates; default 0.9. */
  readonly passband?: number;
  /** Stopband edge as a fraction of the lower of the two Nyquist rates; default 1.0. */
  readonly stopband?: number;
  /** Stopband attenuation the Kaiser window is designed for, in dB; default 90. */
  readonly attenuationDb?: number;
}

/** A polyphase filter bank: `phases` filters of `taps` coefficients each, phase-major. */
interface FilterBank {
  readonly coefficients: Float32Array;
  readonly taps: number;
  /** Half the filter length: taps reach `half - 1` samples back and `half` samples ahead. */
  readonly half: number;
}

/** The most polyphase phases (reduced upsampling factor) a ratio may need. */
const MAX_PHASES = 4096;

const DEFAULT_PASSBAND = 0.9;
const DEFAULT_STOPBAND = 1.0;
const DEFAULT_ATTENUATION_DB = 90;

const bankCache = new Map<string, FilterBank>();

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  const quarterSquare = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

/** Kaiser's beta for a given stopband attenuation in dB. */
function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) {
    return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  }
  return 0;
}

function designBank(
  up: number,
  down: number,
  passband: number,
  stopband: number,
  attenuationDb: number,
): FilterBank {
  // Frequencies in cycles per input sample.
  const lowerNyquist = 0.5 * Math.min(1, up / down);
  const passEdge = passband * lowerNyquist;
  const stopEdge = stopband * lowerNyquist;
  const cutoff = (passEdge + stopEdge) / 2;
  // Kaiser's length estimate, in input samples.
  const span = (attenuationDb - 7.95) / (2.285 * 2 * Math.PI * (stopEdge - passEdge));
  const half = Math.max(Math.ceil(span / 2), Math.ceil(down / up) + 1, 2);
  const taps = 2 * half;
  const beta = kaiserBeta(attenuationDb);
  const windowNorm = besselI0(beta);
  const coefficients = new Float32Array(up * taps);
  const phase = new Float64Array(taps);
  for (let p = 0; p < up; p++) {
    const frac = p / up;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const t = k - half + 1 - frac;
      const r = t / half;
      let value = 0;
      if (r > -1 && r < 1) {
        const x = 2 * cutoff * t;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        value = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / windowNorm);
      }
      phase[k] = value;
      sum += value;
    }
    for (let k = 0; k < taps; k++) coefficients[p * taps + k] = phase[k] / sum;
  }
  return { coefficients, taps, half };
}

function cachedBank(
  up: number,
  down: number,
  passband: number,
  stopband: number,
  attenuationDb: number,
): FilterBank {
  const key = `${up}/${down}/${passband}/${stopband}/${attenuationDb}`;
  let bank = bankCache.get(key);
  if (bank === undefined) {
    bank = designBank(up, down, passband, stopband, attenuationDb);
    bankCache.set(key, bank);
  }
  return bank;
}

/**
 * Why a {@linkcode Resampler} cannot convert `inputRate` to `outputRate` (a rate that is not a
 * positive whole number of Hz, or a ratio needing more than 4096 filter phases, as 22051 -> 48000
 * Hz would), or `undefined` when it can. Lets a voice be refused when it is loaded rather than at
 * its first utterance.
 */
export function resamplingProblem(inputRate: number, outputRate: number): string | undefined {
  for (const [name, rate] of [["inputRate", inputRate], ["outputRate", outputRate]] as const) {
    if (!Number.isSafeInteger(rate) || rate <= 0) {
      return `${name} must be a positive integer in Hz, got ${rate}`;
    }
  }
  const up = outputRate / greatestCommonDivisor(inputRate, outputRate);
  if (up > MAX_PHASES) {
    return `${inputRate} -> ${outputRate} Hz needs ${up} filter phases (at most ${MAX_PHASES})`;
  }
  return undefined;
}

/**
 * A streaming band-limited resampler. Filter history carries across {@linkcode process} calls,
 * so any chunking of the input yields exactly the output of one-shot processing. Equal rates
 * pass samples through (copied).
 *
 * @example
 * ```ts
 * const resampler = new Resampler(22050, 48000);
 * const head = resampler.process(new Float32Array(22050));
 * const tail = resampler.flush(); // head.length + tail.length === 48000
 * ```
 */
export class Resampler {
  /** Input sample rate in Hz. */
  readonly inputRate: number;
  /** Output sample rate in Hz. */
  readonly outputRate: number;
  /** Reduced interpolation factor: the output rate over the rates' greatest common divisor. */
  readonly up: number;
  /** Reduced decimation factor: the input rate over the rates' greatest common divisor. */
  readonly down: number;
  /**
   * Input samples needed after an output sample's position before it can be computed: the
   * lookahead that `process()` holds back until more input or `flush()`. 0 for pass-through.
   */
  readonly lookahead: number;

  readonly #bank: FilterBank | undefined;
  /** Input history; index `#pos` holds the integer position of the next output sample. */
  #buffer: Float32Array;
  #length = 0;
  #pos = 0;
  /** Fractional position of the next output sample, in units of `1 / up`. */
  #phase = 0;

  /**
   * Designs (or takes from the cache) the filter bank for the ratio and starts a stream.
   *
   * @param inputRate sample rate of the input, Hz (a positive integer)
   * @param outputRate sample rate wanted, Hz (a positive integer)
   * @param options filter design; the defaults suit voice audio up to 48 kHz
   * @throws {RangeError} for non-integer rates, a ratio needing more than 4096 phases, or
   * inconsistent design settings
   */
  constructor(inputRate: number, outputRate: number, options: ResamplerOptions = {}) {
    const problem = resamplingProblem(inputRate, outputRate);
    if (problem) throw new RangeError(problem);
    const passband = options.passband ?? DEFAULT_PASSBAND;
    const stopband = options.stopband ?? DEFAULT_STOPBAND;
    const attenuationDb = options.attenuationDb ?? DEFAULT_ATTENUATION_DB;
    if (!(passband > 0 && passband < stopband && stopband <= 1)) {
      throw new RangeError(
        `need 0 < passband < stopband <= 1, got passband ${passband}, stopband ${stopband}`,
      );
    }
    if (!(attenuationDb >= 20 && attenuationDb <= 200)) {
      throw new RangeError(`attenuationDb must be within 20-200, got ${attenuationDb}`);
    }
    const divisor = greatestCommonDivisor(inputRate, outputRate);
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.up = outputRate / divisor;
    this.down = inputRate / divisor;
    if (this.up === this.down) {
      this.#bank = undefined;
      this.lookahead = 0;
      this.#buffer = new Float32Array(0);
    } else {
      this.#bank = cachedBank(this.up, this.down, passband, stopband, attenuationDb);
      this.lookahead = this.#bank.half;
      this.#buffer = new Float32Array(4 * this.#bank.taps);
    }
    this.reset();
  }

  /**
   * Resamples the next chunk of the stream. Returns every output sample whose inputs (including
   * the lookahead) have arrived; the rest come with later calls or {@linkcode flush}. The
   * returned array is new; `input` is not kept.
   */
  process(input: Float32Array): Float32Array {
    const bank = this.#bank;
    if (bank === undefined) return input.slice();
    this.#append(input);
    const output = new Float32Array(this.#countBefore(this.#length - bank.half));
    this.#render(bank, output);
    this.#discardUsed(bank);
    return output;
  }

  /**
   * Ends the stream: treats the input after its end as silence and returns the remaining output
   * samples, up to the one at the last input sample's position. The resampler is then reset,
   * ready for a new stream.
   */
  flush(): Float32Array {
    const bank = this.#bank;
    if (bank === undefined) return new Float32Array(0);
    const inputEnd = this.#length;
    this.#reserve(bank.half);
    this.#buffer.fill(0, inputEnd, inputEnd + bank.half);
    this.#length = inputEnd + bank.half;
    const output = new Float32Array(this.#countBefore(inputEnd));
    this.#render(bank, output);
    this.reset();
    return output;
  }

  /** Forgets the stream so far: history, position and pending lookahead. */
  reset(): void {
    const bank = this.#bank;
    // The history starts with the silence before the stream: `half - 1` zeros.
    const lead = bank === undefined ? 0 : bank.half - 1;
    this.#buffer.fill(0, 0, lead);
    this.#length = lead;
    this.#pos = lead;
    this.#phase = 0;
  }

  /** How many output samples have an integer position below buffer index `end`. */
  #countBefore(end: number): number {
    const numerator = (end - this.#pos) * this.up - this.#phase;
    return numerator > 0 ? Math.ceil(numerator / this.down) : 0;
  }

  /** Ensures room for `extra` more samples in the history buffer. */
  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    const grown = new Float32Array(Math.max(needed, this.#buffer.length * 2));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  #append(input: Float32Array): void {
    this.#reserve(input.length);
    this.#buffer.set(input, this.#length);
    this.#length += input.length;
  }

  /** Computes `output.length` samples from the current position onwards. */
  #render(bank: FilterBank, output: Float32Array): void {
    const up = this.up;
    const whole = Math.floor(this.down / up);
    const part = this.down % up;
    const start = this.#pos - bank.half + 1;
    const next = PolyphaseKernel.shared().render(
      bank.coefficients,
      bank.taps,
      this.#buffer.subarray(start, this.#length),
      output,
      this.#phase,
      whole,
      part,
    );
    this.#pos = start + next.start + bank.half - 1;
    this.#phase = next.phase;
  }

  /** Drops history that no future output sample reaches back to. */
  #discardUsed(bank: FilterBank): void {
    const first = Math.min(this.#pos - bank.half + 1, this.#length);
    if (first <= 0) return;
    this.#buffer.copyWithin(0, first, this.#length);
    this.#length -= first;
    this.#pos -= first;
  }
}

/** Input samples a {@linkcode ResamplerStream} resamples per step (well under a ms of work). */
export const RESAMPLER_STREAM_STEP = 4096;

/** Resolves after the event loop has had a turn (I/O, timers, other sessions' work). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * {@linkcode Resampler} as a Web Streams pair: float chunks at `inputRate` written in, float chunks
 * at `outputRate` read out (empty results are not enqueued); closing the input emits the tail.
 *
 * The readable side drives the work: each time its reader has room (a `pull`), one step of
 * {@linkcode RESAMPLER_STREAM_STEP} input samples is resampled and its output enqueued, after the
 * event loop has had a turn; a write completes once its whole chunk has been resampled. A neural
 * voice hands over a whole sentence at once (seconds of audio), so its first frames leave before
 * the rest is resampled, the next sentence's inference is dispatched before this one's resampling
 * starts, and other sessions' frames and Control calls are not held up behind one long
 * computation. A reader that does not read (a slow client or network) holds the resampler back to
 * one step ahead: it idles instead of working ahead, and it resumes the moment the reader reads.
 * Cancelling the readable side errors the writable side and the other way round, as a
 * `TransformStream` does.
 */
export class ResamplerStream implements ReadableWritablePair<Float32Array, Float32Array> {
  /** Resampled audio. */
  readonly readable: ReadableStream<Float32Array>;
  /** Audio to resample. */
  readonly writable: WritableStream<Float32Array>;

  /**
   * Creates the pair around a new {@linkcode Resampler}.
   *
   * @param inputRate sample rate of the input, Hz
   * @param outputRate sample rate wanted, Hz
   * @param options filter design
   */
  constructor(inputRate: number, outputRate: number, options?: ResamplerOptions) {
    const resampler = new Resampler(inputRate, outputRate, options);
    /** The chunk being resampled, from `at` on, and the settling of its write. */
    let chunk: Float32Array | undefined;
    let at = 0;
    let chunkWritten: { resolve(): void; reject(reason: unknown): void } | undefined;
    let inputClosed = false;
    let failure: { readonly reason: unknown } | undefined;
    /** Wakes a pull that waits for input. */
    let wake: (() => void) | undefined;
    let readableController: ReadableStreamDefaultController<Float32Array>;
    let writableController: WritableStreamDefaultController;

    const wakeReader = () => {
      const waiting = wake;
      wake = undefined;
      waiting?.();
    };
    const fail = (reason: unknown) => {
      if (failure) return;
      failure = { reason };
      chunk = undefined;
      chunkWritten?.reject(reason);
      chunkWritten = undefined;
      wakeReader();
    };
    /** One step of the current chunk; true when it enqueued output. */
    const step = (controller: ReadableStreamDefaultController<Float32Array>): boolean => {
      const input = chunk!;
      const output = resampler.process(input.subarray(at, at + RESAMPLER_STREAM_STEP));
      at += RESAMPLER_STREAM_STEP;
      if (at >= input.length) {
        chunk = undefined;
        const written = chunkWritten;
        chunkWritten = undefined;
        written?.resolve();
      }
      if (output.length === 0) return false;
      controller.enqueue(output);
      return true;
    };

    this.readable = new ReadableStream<Float32Array>({
      start(controller) {
        readableController = controller;
      },
      async pull(controller) {
        try {
          while (!failure) {
            if (chunk !== undefined) {
              await yieldToEventLoop();
              if (chunk !== undefined && step(controller)) return;
            } else if (inputClosed) {
              const tail = resampler.flush();
              if (tail.length > 0) controller.enqueue(tail);
              controller.close();
              return;
            } else {
              await new Promise<void>((resolve) => (wake = resolve));
            }
          }
        } catch (error) {
          fail(error);
          writableController.error(error);
          throw error;
        }
      },
      cancel(reason) {
        fail(reason);
        writableController.error(reason);
      },
    }, { highWaterMark: 1 });

    this.writable = new WritableStream<Float32Array>({
      start(controller) {
        writableController = controller;
      },
      write(input) {
        if (failure) return Promise.reject(failure.reason);
        if (input.length === 0) return;
        return new Promise<void>((resolve, reject) => {
          chunk = input;
          at = 0;
          chunkWritten = { resolve, reject };
          wakeReader();
        });
      },
      close() {
        inputClosed = true;
        wakeReader();
      },
      abort(reason) {
        fail(reason);
        readableController.error(reason);
      },
    }, { highWaterMark: 1 });
  }
}
