import assert from "node:assert/strict";
import { FrameCutter, FrameCutterStream, type PcmFrame } from "./frame_cutter.ts";
import { floatSampleToInt16, FRAME_BYTES, FRAME_SAMPLES, OUTPUT_SAMPLE_RATE } from "./pcm.ts";
import { ResamplerStream } from "./resampler.ts";

function tone(frequency: number, rate: number, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = 0.6 * Math.sin((2 * Math.PI * frequency * i) / rate);
  return out;
}

/** Decodes the frames' bytes (little-endian int16) into one sample array. */
function decode(frames: readonly PcmFrame[]): Int16Array {
  const out = new Int16Array(frames.length * FRAME_SAMPLES);
  frames.forEach((frame, f) => {
    const view = new DataView(frame.audio.buffer, frame.audio.byteOffset, frame.audio.length);
    for (let i = 0; i < FRAME_SAMPLES; i++) out[f * FRAME_SAMPLES + i] = view.getInt16(2 * i, true);
  });
  return out;
}

function cutAll(samples: Float32Array, chunkSizes: readonly number[]): PcmFrame[] {
  const cutter = new FrameCutter();
  const frames: PcmFrame[] = [];
  let offset = 0;
  for (let c = 0; offset < samples.length; c++) {
    const size = chunkSizes[c % chunkSizes.length];
    frames.push(...cutter.push(samples.subarray(offset, offset + size)));
    offset += size;
  }
  frames.push(cutter.finish());
  return frames;
}

Deno.test("FrameCutter writes clamped little-endian int16 bytes", () => {
  const cutter = new FrameCutter();
  const samples = new Float32Array(FRAME_SAMPLES);
  samples.set([0.5, -0.5, 1.7, -1.7, 1 / 32767, -1 / 32767, 0]);
  const [frame, ...rest] = cutter.push(samples);
  assert.equal(rest.length, 0);
  assert.equal(frame.isFinal, false);
  assert.equal(frame.audio.length, FRAME_BYTES);
  assert.deepEqual(
    Array.from(frame.audio.subarray(0, 14)),
    [0x00, 0x40, 0x00, 0xc0, 0xff, 0x7f, 0x01, 0x80, 0x01, 0x00, 0xff, 0xff, 0x00, 0x00],
  );
});

Deno.test("FrameCutter sends floor(N / 960) frames and then exactly one final frame", () => {
  for (const n of [0, 1, 500, 959, 960, 961, 1919, 1920, 1921, 4800, 10007]) {
    // Never zero, so the padding is told apart from the signal.
    const signal = tone(440, OUTPUT_SAMPLE_RATE, n).map((s) => 0.3 + 0.4 * s);
    const frames = cutAll(signal, [n || 1]);
    assert.equal(frames.length, Math.floor(n / FRAME_SAMPLES) + 1, `${n} samples`);
    assert.deepEqual(
      frames.map((f) => f.isFinal),
      frames.map((_, i) => i === frames.length - 1),
    );
    for (const frame of frames) assert.equal(frame.audio.length, FRAME_BYTES);
    // The final frame: the remainder, then silence (all silence for a multiple of 960).
    const decoded = decode(frames);
    const remainder = n % FRAME_SAMPLES;
    const last = decoded.subarray(decoded.length - FRAME_SAMPLES);
    assert.ok(last.subarray(remainder).every((s) => s === 0), `${n}: padding is silence`);
    assert.ok(last.subarray(0, remainder).every((s) => s !== 0), `${n}: remainder kept`);
    assert.ok(decoded.subarray(0, n).every((s) => s !== 0), `${n}: no silence inside`);
  }
});

Deno.test("FrameCutter allocates once per chunk: the frames of a chunk share one buffer", () => {
  const cutter = new FrameCutter();
  cutter.push(new Float32Array(100).fill(0.1));
  const frames = cutter.push(new Float32Array(5 * FRAME_SAMPLES).fill(0.2));
  assert.equal(frames.length, 5);
  assert.equal(new Set(frames.map((f) => f.audio.buffer)).size, 1);
  frames.forEach((frame, i) => assert.equal(frame.audio.byteOffset, i * FRAME_BYTES));
  // The next chunk's frames live in a buffer of their own.
  const [next] = cutter.push(new Float32Array(FRAME_SAMPLES).fill(0.3));
  assert.notEqual(next.audio.buffer, frames[0].audio.buffer);
});

Deno.test("FrameCutter carries the remainder across chunks without inserting samples", () => {
  const signal = tone(313, OUTPUT_SAMPLE_RATE, 9000);
  const expected = Array.from(signal, floatSampleToInt16);
  const oneShot = decode(cutAll(signal, [signal.length]));
  for (const sizes of [[1], [0, 7, 0, 959], [961, 3], [480, 480, 0], [2000, 1, 959, 1]]) {
    const frames = cutAll(signal, sizes);
    assert.equal(frames.length, Math.floor(signal.length / FRAME_SAMPLES) + 1);
    const decoded = decode(frames);
    assert.deepEqual(decoded, oneShot, `chunks ${sizes}`);
    assert.deepEqual(Array.from(decoded.subarray(0, signal.length)), expected);
  }
});

Deno.test("FrameCutter frames already sent are not touched by later input", () => {
  const cutter = new FrameCutter();
  const [first] = cutter.push(new Float32Array(FRAME_SAMPLES).fill(0.25));
  const snapshot = first.audio.slice();
  cutter.push(new Float32Array(FRAME_SAMPLES + 10).fill(-0.75));
  assert.equal(cutter.pendingSamples, 10);
  cutter.finish();
  assert.deepEqual(first.audio, snapshot);
});

Deno.test("FrameCutter finish starts the next utterance empty", () => {
  const cutter = new FrameCutter();
  cutter.push(new Float32Array(100).fill(0.5));
  const final = cutter.finish();
  assert.equal(final.isFinal, true);
  assert.equal(cutter.pendingSamples, 0);
  const silent = cutter.finish();
  assert.ok(silent.audio.every((b) => b === 0));
  cutter.push(new Float32Array(100).fill(0.5));
  cutter.reset();
  assert.ok(cutter.finish().audio.every((b) => b === 0));
});

Deno.test("ResamplerStream into FrameCutterStream turns a 22.05 kHz tone into frames", async () => {
  const seconds = 0.75;
  const input = tone(1000, 22050, Math.round(22050 * seconds));
  const chunks = [input.subarray(0, 3000), input.subarray(3000, 3001), input.subarray(3001)];
  const frames = await Array.fromAsync(
    ReadableStream.from(chunks)
      .pipeThrough(new ResamplerStream(22050, OUTPUT_SAMPLE_RATE))
      .pipeThrough(new FrameCutterStream()),
  );
  const samples48k = Math.ceil((input.length * 320) / 147);
  assert.equal(frames.length, Math.floor(samples48k / FRAME_SAMPLES) + 1);
  assert.equal(frames.filter((f) => f.isFinal).length, 1);
  assert.equal(frames.at(-1)?.isFinal, true);
  const decoded = decode(frames);
  for (let i = 200; i < samples48k - 200; i++) {
    const ideal = 0.6 * 32767 * Math.sin((2 * Math.PI * 1000 * i) / OUTPUT_SAMPLE_RATE);
    assert.ok(Math.abs(decoded[i] - ideal) <= 2, `sample ${i}: ${decoded[i]} vs ${ideal}`);
  }
  assert.ok(decoded.subarray(samples48k).every((s) => s === 0));
});

Deno.test("FrameCutterStream emits a single final frame for an empty utterance", async () => {
  const frames = await Array.fromAsync(
    ReadableStream.from<Float32Array>([]).pipeThrough(new FrameCutterStream()),
  );
  assert.equal(frames.length, 1);
  assert.equal(frames[0].isFinal, true);
  assert.ok(frames[0].audio.every((b) => b === 0));
});
