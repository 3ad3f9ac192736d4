import assert from "node:assert/strict";
import { seededRandom } from "../../tests/support/seeded_random.ts";
import { KERNEL_TAP_MULTIPLE, PolyphaseKernel } from "./polyphase_kernel.ts";

/** The same filter in float64 JavaScript, one output at a time. */
function reference(
  coefficients: Float32Array,
  taps: number,
  input: Float32Array,
  n: number,
  phase: number,
  whole: number,
  part: number,
): { output: Float64Array; start: number; phase: number } {
  const phases = coefficients.length / taps;
  const output = new Float64Array(n);
  let start = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += coefficients[phase * taps + k] * input[start + k];
    output[i] = sum;
    start += whole;
    phase += part;
    if (phase >= phases) {
      phase -= phases;
      start++;
    }
  }
  return { output, start, phase };
}

function randomArray(random: () => number, length: number): Float32Array {
  return Float32Array.from({ length }, () => random() * 2 - 1);
}

Deno.test("the SIMD kernel computes the polyphase filter for any tap count and step", () => {
  const random = seededRandom(7);
  const kernel = new PolyphaseKernel();
  // Taps below, at and above multiples of eight; up-, down- and equal-rate steps.
  const cases = [
    { taps: 5, phases: 3, whole: 0, part: 1 },
    { taps: 8, phases: 1, whole: 1, part: 0 },
    { taps: 13, phases: 320, whole: 0, part: 147 },
    { taps: 114, phases: 3, whole: 0, part: 1 },
    { taps: 116, phases: 2, whole: 2, part: 1 },
  ];
  for (const { taps, phases, whole, part } of cases) {
    const coefficients = randomArray(random, taps * phases);
    for (const [n, phase] of [[1, 0], [37, phases - 1], [1000, Math.floor(phases / 2)]]) {
      const lastStart = (n - 1) * whole + Math.floor((phase + (n - 1) * part) / phases);
      const input = randomArray(random, lastStart + taps);
      const output = new Float32Array(n);
      const next = kernel.render(coefficients, taps, input, output, phase, whole, part);
      const { output: expected, ...after } = reference(
        coefficients,
        taps,
        input,
        n,
        phase,
        whole,
        part,
      );
      assert.deepEqual(next, after, "the position after the last output");
      for (let i = 0; i < n; i++) {
        const tolerance = 1e-5 * Math.sqrt(taps);
        assert.ok(
          Math.abs(output[i] - expected[i]) < tolerance,
          `taps ${taps}, phases ${phases}, output ${i}: ${output[i]} vs ${expected[i]}`,
        );
      }
    }
  }
});

Deno.test("the kernel refuses an input window too short for the outputs asked", () => {
  const kernel = new PolyphaseKernel();
  const coefficients = new Float32Array(3 * 10).fill(0.1);
  // Eight outputs at a third of a sample apart reach input index 2 + 10 taps.
  kernel.render(coefficients, 10, new Float32Array(12), new Float32Array(8), 0, 0, 1);
  assert.throws(
    () => kernel.render(coefficients, 10, new Float32Array(11), new Float32Array(8), 0, 0, 1),
    /^RangeError: the input window has 11 samples; 8 outputs need 12$/,
  );
});

Deno.test("a bank is copied into the kernel once and its memory is kept between renders", () => {
  const kernel = new PolyphaseKernel();
  const coefficients = new Float32Array(3 * 114).fill(1 / 114);
  const input = new Float32Array(4096 + 114).fill(0.5);
  const output = new Float32Array(3 * 4096);
  kernel.render(coefficients, 114, input, output, 0, 0, 1);
  const bytes = kernel.memoryBytes;
  for (let i = 0; i < 10; i++) kernel.render(coefficients, 114, input, output, 0, 0, 1);
  assert.equal(kernel.memoryBytes, bytes);
  // Rows sum to 1 and the input is constant: every output is the input.
  assert.ok(output.every((sample) => Math.abs(sample - 0.5) < 1e-6));
  assert.equal(KERNEL_TAP_MULTIPLE % 4, 0);
});

Deno.test("one kernel per thread is shared", () => {
  assert.equal(PolyphaseKernel.shared(), PolyphaseKernel.shared());
});
