/**
 * The polyphase resampler's inner loop in WebAssembly SIMD (`polyphase_kernel.wat`): each output
 * sample is the dot product of one filter phase with the input under it, four lanes at a time.
 * About four times faster than the same loop in JavaScript, which matters because every second
 * of a voice's audio is resampled on the worker's main thread.
 *
 * One kernel instance per thread (main thread or Worker) serves every resampler there: filter
 * banks are copied into its memory once, with each row padded with zeros to a multiple of eight
 * taps; each render copies its input window in, runs, and copies the output out. The memory grows
 * to the largest render seen and is kept.
 *
 * @module
 */
import { POLYPHASE_KERNEL_WASM_BASE64 } from "./polyphase_kernel_wasm.ts";

/** Taps per filter row in the kernel's memory: a multiple of this (two 4-lane vectors a turn). */
export const KERNEL_TAP_MULTIPLE = 8;

const PAGE_BYTES = 65536;
const FLOAT_BYTES = 4;

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  render(
    coef: number,
    buf: number,
    out: number,
    n: number,
    taps: number,
    up: number,
    whole: number,
    part: number,
    start: number,
    phase: number,
  ): void;
}

/** A filter bank as the kernel holds it. */
interface KernelBank {
  /** Byte offset of the padded rows in the kernel's memory. */
  readonly offset: number;
  /** Taps of the bank itself. */
  readonly taps: number;
  /** Row length in the kernel's memory: `taps` rounded up to {@linkcode KERNEL_TAP_MULTIPLE}. */
  readonly paddedTaps: number;
  /** Number of phases (rows). */
  readonly phases: number;
}

let compiled: WebAssembly.Module | undefined;

function kernelModule(): WebAssembly.Module {
  if (compiled === undefined) {
    const text = atob(POLYPHASE_KERNEL_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/** Where the polyphase filter stands: an input index and a filter phase. */
export interface FilterPosition {
  /** Input index of the output's first tap. */
  readonly start: number;
  /** Filter row (phase). */
  readonly phase: number;
}

/**
 * The position `steps` outputs after start 0 at `phase`: each step adds `whole` to the start and
 * `part` to the phase, carrying one into the start when the phase reaches `phases`.
 */
function positionAfter(
  steps: number,
  phase: number,
  whole: number,
  part: number,
  phases: number,
): FilterPosition {
  const advanced = phase + steps * part;
  return { start: steps * whole + Math.floor(advanced / phases), phase: advanced % phases };
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/**
 * A WebAssembly SIMD instance of the polyphase filter loop. Use {@linkcode PolyphaseKernel.shared}
 * for this thread's instance.
 */
export class PolyphaseKernel {
  static #shared: PolyphaseKernel | undefined;

  readonly #exports: KernelExports;
  readonly #banks = new WeakMap<Float32Array, KernelBank>();
  /** End of the banks' area, in bytes; the scratch area for renders starts here. */
  #banksEnd = 0;

  /** Instantiates the kernel (synchronously: the module is a few hundred bytes). */
  constructor() {
    const instance = new WebAssembly.Instance(kernelModule(), {});
    this.#exports = instance.exports as unknown as KernelExports;
  }

  /** This thread's kernel, created on first use. */
  static shared(): PolyphaseKernel {
    PolyphaseKernel.#shared ??= new PolyphaseKernel();
    return PolyphaseKernel.#shared;
  }

  /** Bytes of WebAssembly memory the kernel holds (banks and the largest render's scratch). */
  get memoryBytes(): number {
    return this.#exports.memory.buffer.byteLength;
  }

  #ensureMemory(bytes: number): void {
    const memory = this.#exports.memory;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE_BYTES));
  }

  #bank(coefficients: Float32Array, taps: number): KernelBank {
    let bank = this.#banks.get(coefficients);
    if (bank !== undefined) return bank;
    const phases = coefficients.length / taps;
    const paddedTaps = alignUp(taps, KERNEL_TAP_MULTIPLE);
    const offset = alignUp(this.#banksEnd, 16);
    this.#ensureMemory(offset + phases * paddedTaps * FLOAT_BYTES);
    const rows = new Float32Array(this.#exports.memory.buffer, offset, phases * paddedTaps);
    rows.fill(0);
    for (let p = 0; p < phases; p++) {
      rows.set(coefficients.subarray(p * taps, (p + 1) * taps), p * paddedTaps);
    }
    bank = { offset, taps, paddedTaps, phases };
    this.#banks.set(coefficients, bank);
    this.#banksEnd = offset + phases * paddedTaps * FLOAT_BYTES;
    return bank;
  }

  /**
   * Computes `output.length` samples of a polyphase filter: output `i` is the dot product of
   * filter row `phase_i` (of `taps` coefficients in `coefficients`, rows one after another) with
   * `input` from index `start_i`, where `start_0 = 0`, `phase_0 = phase`, and each step adds
   * `whole` to the start and `part` to the phase, carrying one into the start when the phase
   * reaches the number of rows. `input` must hold what the last output reads (its start plus
   * `taps` samples). Returns the position of the output after the last.
   *
   * @throws {RangeError} when `input` is too short for `output`
   */
  render(
    coefficients: Float32Array,
    taps: number,
    input: Float32Array,
    output: Float32Array,
    phase: number,
    whole: number,
    part: number,
  ): FilterPosition {
    const n = output.length;
    const phases = coefficients.length / taps;
    const next = positionAfter(n, phase, whole, part, phases);
    if (n === 0) return next;
    const bank = this.#bank(coefficients, taps);
    const lastStart = positionAfter(n - 1, phase, whole, part, phases).start;
    if (lastStart + taps > input.length) {
      throw new RangeError(
        `the input window has ${input.length} samples; ${n} outputs need ${lastStart + taps}`,
      );
    }
    // Scratch: the input, zeros for the padded taps past its end, then the output.
    const inputFloats = lastStart + bank.paddedTaps;
    const inputOffset = alignUp(this.#banksEnd, 16);
    const outputOffset = alignUp(inputOffset + inputFloats * FLOAT_BYTES, 16);
    this.#ensureMemory(outputOffset + n * FLOAT_BYTES);
    const memory = this.#exports.memory.buffer;
    const window = new Float32Array(memory, inputOffset, inputFloats);
    const copied = Math.min(input.length, inputFloats);
    window.set(input.subarray(0, copied));
    window.fill(0, copied);
    this.#exports.render(
      bank.offset,
      inputOffset,
      outputOffset,
      n,
      bank.paddedTaps,
      bank.phases,
      whole,
      part,
      0,
      phase,
    );
    output.set(new Float32Array(memory, outputOffset, n));
    return next;
  }
}
