import assert from "node:assert/strict";
import {
  bytesLEToInt16,
  floatSampleToInt16,
  floatToInt16,
  FRAME_BYTES,
  FRAME_DURATION_MS,
  FRAME_SAMPLES,
  int16ToBytesLE,
  OUTPUT_SAMPLE_RATE,
} from "./pcm.ts";

Deno.test("frame constants describe 20 ms of 48 kHz int16", () => {
  assert.equal(OUTPUT_SAMPLE_RATE, 48000);
  assert.equal(FRAME_DURATION_MS, 20);
  assert.equal(FRAME_SAMPLES, 960);
  assert.equal(FRAME_BYTES, 1920);
});

Deno.test("floatSampleToInt16 scales, rounds half away from zero and clamps", () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 32767],
    [-1, -32767],
    [0.5, 16384], // 16383.5
    [-0.5, -16384],
    [1 / 32767, 1],
    [0.49 / 32767, 0],
    [-0.51 / 32767, -1],
    [1.5, 32767], // would wrap to a negative number without clamping
    [-1.5, -32767],
    [1e9, 32767],
    [Infinity, 32767],
    [-Infinity, -32767],
    [NaN, 0],
  ];
  for (const [input, expected] of cases) {
    assert.equal(floatSampleToInt16(input), expected, `${input}`);
  }
});

Deno.test("floatSampleToInt16 is Math.round with clamping for every float32 near each half step", () => {
  const reference = (sample: number) => {
    const scaled = sample * 32767;
    if (Number.isNaN(scaled)) return 0;
    return Math.max(-32767, Math.min(32767, Math.sign(scaled) * Math.round(Math.abs(scaled))));
  };
  const samples = new Float32Array(3);
  for (let half = -70000; half <= 70000; half++) {
    // The float32 nearest to each half step of the scale, and its two neighbours.
    samples[1] = half / 2 / 32767;
    const bits = new Int32Array(samples.buffer);
    bits[0] = bits[1] - 1;
    bits[2] = bits[1] + 1;
    for (const sample of samples) {
      assert.equal(floatSampleToInt16(sample), reference(sample) || 0, `${sample}`);
    }
  }
});

Deno.test("floatToInt16 converts arrays into new or given storage", () => {
  const input = new Float32Array([0, 0.25, -0.25, 2, -2, 0.999]);
  const expected = Array.from(input, floatSampleToInt16);
  assert.deepEqual(Array.from(floatToInt16(input)), expected);
  const storage = new Int16Array(10).fill(7);
  const view = floatToInt16(input, storage);
  assert.equal(view.length, input.length);
  assert.equal(view.buffer, storage.buffer);
  assert.deepEqual(Array.from(storage.subarray(0, 6)), expected);
  assert.equal(storage[6], 7);
  assert.throws(() => floatToInt16(input, new Int16Array(5)), RangeError);
  // Monotonic over the whole range: no wraparound anywhere.
  const ramp = new Float32Array(40001);
  for (let i = 0; i < ramp.length; i++) ramp[i] = -2 + (4 * i) / (ramp.length - 1);
  const out = floatToInt16(ramp);
  for (let i = 1; i < out.length; i++) assert.ok(out[i] >= out[i - 1], `at ${ramp[i]}`);
});

Deno.test("int16ToBytesLE writes little-endian bytes and round-trips", () => {
  const samples = new Int16Array([1, -1, 256, -32768, 32767, 0x1234]);
  assert.deepEqual(
    Array.from(int16ToBytesLE(samples)),
    [0x01, 0x00, 0xff, 0xff, 0x00, 0x01, 0x00, 0x80, 0xff, 0x7f, 0x34, 0x12],
  );
  const random = new Int16Array(1000);
  for (let i = 0; i < random.length; i++) random[i] = ((i * 2654435761) >>> 0) % 65536 - 32768;
  assert.deepEqual(bytesLEToInt16(int16ToBytesLE(random)), random);
  const storage = new Uint8Array(2 * random.length + 3);
  const view = int16ToBytesLE(random, storage);
  assert.equal(view.length, 2 * random.length);
  assert.equal(view.buffer, storage.buffer);
  assert.throws(() => int16ToBytesLE(random, new Uint8Array(10)), RangeError);
  assert.throws(() => bytesLEToInt16(new Uint8Array(3)), RangeError);
  // Works on a view that does not start its buffer.
  const offset = new Uint8Array(8).subarray(3, 7);
  offset.set([0x02, 0x00, 0xfe, 0xff]);
  assert.deepEqual(Array.from(bytesLEToInt16(offset)), [2, -2]);
});
