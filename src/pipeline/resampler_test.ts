import assert from "node:assert/strict";
import {
  Resampler,
  RESAMPLER_STREAM_STEP,
  ResamplerStream,
  resamplingProblem,
} from "./resampler.ts";
import {
  bandEnergyRatio,
  bandPower,
  dominantFrequency,
  powerSpectrum,
} from "../../tests/support/audio_analysis.ts";

const OUT = 48000;
const VOICE_RATES = [16000, 22050, 24000, 44100] as const;

/** Deterministic uniform noise in [-1, 1) (mulberry32). */
function noise(length: number, seed: number, amplitude = 0.5): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = amplitude * ((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1);
  }
  return out;
}

function tone(frequency: number, rate: number, length: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / rate);
  }
  return out;
}

/** Linear chirp from `from` to `to` Hz over `length` samples. */
function sweep(from: number, to: number, rate: number, length: number): Float32Array {
  const out = new Float32Array(length);
  let phase = 0;
  for (let i = 0; i < length; i++) {
    out[i] = 0.5 * Math.sin(phase);
    phase += (2 * Math.PI * (from + ((to - from) * i) / length)) / rate;
  }
  return out;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function resampleAll(input: Float32Array, from: number, to: number): Float32Array {
  const resampler = new Resampler(from, to);
  return concat([resampler.process(input), resampler.flush()]);
}

/** Least-squares amplitude of a sinusoid of known frequency in `x[from, to)`. */
function toneAmplitude(x: Float32Array, frequency: number, rate: number, from: number, to: number) {
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * frequency * i) / rate);
    const c = Math.cos((2 * Math.PI * frequency * i) / rate);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += x[i] * s;
    yc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  return Math.hypot(a, b);
}

function db(ratio: number): number {
  return 10 * Math.log10(ratio);
}

Deno.test("Resampler rejects bad rates and designs", () => {
  assert.throws(() => new Resampler(0, OUT), RangeError);
  assert.throws(() => new Resampler(22050.5, OUT), RangeError);
  assert.throws(() => new Resampler(22050, -48000), RangeError);
  assert.throws(() => new Resampler(47999, OUT), RangeError); // 48000 phases
  assert.throws(() => new Resampler(22050, OUT, { passband: 0.95, stopband: 0.9 }), RangeError);
  assert.throws(() => new Resampler(22050, OUT, { attenuationDb: 5 }), RangeError);
});

Deno.test("resamplingProblem says why a rate pair cannot be resampled, as the constructor would", () => {
  for (const rate of [8000, 11025, 16000, 22050, 24000, 44100, 48000, 96000]) {
    assert.equal(resamplingProblem(rate, OUT), undefined, `${rate}`);
  }
  assert.equal(
    resamplingProblem(22051, OUT),
    "22051 -> 48000 Hz needs 48000 filter phases (at most 4096)",
  );
  assert.match(resamplingProblem(22050.5, OUT)!, /inputRate must be a positive integer/);
  assert.match(resamplingProblem(22050, 0)!, /outputRate must be a positive integer/);
  assert.throws(() => new Resampler(22051, OUT), {
    name: "RangeError",
    message: resamplingProblem(22051, OUT),
  });
});

Deno.test("Resampler reduces the ratio", () => {
  const r = new Resampler(22050, OUT);
  assert.deepEqual([r.up, r.down], [320, 147]);
  const s = new Resampler(44100, OUT);
  assert.deepEqual([s.up, s.down], [160, 147]);
  const t = new Resampler(16000, OUT);
  assert.deepEqual([t.up, t.down], [3, 1]);
});

Deno.test("Resampler passes 48 kHz through as a copy", () => {
  const r = new Resampler(OUT, OUT);
  const input = noise(1234, 7);
  const output = r.process(input);
  assert.deepEqual(output, input);
  assert.notEqual(output.buffer, input.buffer);
  assert.equal(r.flush().length, 0);
  assert.equal(r.lookahead, 0);
});

Deno.test("Resampler output length is ceil(N * ratio) after flush", () => {
  for (const rate of VOICE_RATES) {
    for (const length of [0, 1, 2, 3, 7, 146, 147, 148, 1000, rate + 13]) {
      const r = new Resampler(rate, OUT);
      const total = r.process(noise(length, length)).length + r.flush().length;
      assert.equal(total, Math.ceil((length * r.up) / r.down), `${rate} Hz, ${length} samples`);
      assert.ok(Math.abs(total - Math.round((length * OUT) / rate)) <= 1);
    }
  }
});

Deno.test("Resampler lines output sample 0 up with input sample 0 (no group delay)", () => {
  // An impulse at input sample 100 of 16 kHz peaks at output sample 300, symmetrically.
  const impulse = new Float32Array(200);
  impulse[100] = 1;
  const out = resampleAll(impulse, 16000, OUT);
  let peak = 0;
  for (let i = 1; i < out.length; i++) if (Math.abs(out[i]) > Math.abs(out[peak])) peak = i;
  assert.equal(peak, 300);
  for (let d = 1; d < 150; d++) assert.ok(Math.abs(out[300 - d] - out[300 + d]) < 1e-6, `d=${d}`);

  // A sine sampled at the input rate comes out as the same sine sampled at 48 kHz.
  for (const rate of VOICE_RATES) {
    for (const frequency of [440, 3000, 0.8 * (rate / 2)]) {
      const out = resampleAll(tone(frequency, rate, rate / 2), rate, OUT);
      let error = 0;
      for (let m = 500; m < out.length - 500; m++) {
        error = Math.max(
          error,
          Math.abs(out[m] - 0.5 * Math.sin((2 * Math.PI * frequency * m) / OUT)),
        );
      }
      assert.ok(error < 1e-4, `${rate} Hz, ${frequency} Hz tone: error ${error}`);
    }
  }
});

Deno.test("Resampler keeps tones' frequency and amplitude (unity passband gain)", () => {
  for (const rate of VOICE_RATES) {
    for (const frequency of [100, 1000, 5000, 0.85 * (rate / 2)]) {
      const out = resampleAll(tone(frequency, rate, rate), rate, OUT);
      const measured = dominantFrequency(out, OUT);
      assert.ok(Math.abs(measured - frequency) < 0.5, `${rate}: ${frequency} Hz read ${measured}`);
      const amplitude = toneAmplitude(out, frequency, OUT, 2000, out.length - 2000);
      const gainDb = 20 * Math.log10(amplitude / 0.5);
      assert.ok(Math.abs(gainDb) < 0.01, `${rate}: ${frequency} Hz gain ${gainDb} dB`);
    }
  }
});

Deno.test("Resampler images of a sweep and of noise stay 60 dB down above 11.5 kHz", () => {
  for (const rate of [16000, 22050]) {
    const nyquist = rate / 2;
    const swept = resampleAll(sweep(50, 0.9 * nyquist, rate, rate), rate, OUT);
    const sweptDb = db(bandEnergyRatio(swept, OUT, 11500));
    assert.ok(sweptDb < -60, `${rate} Hz sweep: ${sweptDb} dB above 11.5 kHz`);
    const noisy = resampleAll(noise(rate, 42), rate, OUT);
    const noisyDb = db(bandEnergyRatio(noisy, OUT, 11500));
    assert.ok(noisyDb < -60, `${rate} Hz noise: ${noisyDb} dB above 11.5 kHz`);
    // The passband itself survives: most of the sweep's energy is below the input Nyquist.
    assert.ok(bandEnergyRatio(swept, OUT, 0.5 * nyquist) > 0.3);
  }
  // 44.1 kHz and 24 kHz: nothing may appear above the input's Nyquist rate either.
  for (const rate of [24000, 44100]) {
    const noisy = resampleAll(noise(rate, 9), rate, OUT);
    const floor = rate / 2 + 500;
    const noisyDb = db(bandEnergyRatio(noisy, OUT, floor));
    assert.ok(noisyDb < -60, `${rate} Hz noise: ${noisyDb} dB above ${floor} Hz`);
  }
});

Deno.test("Resampler attenuates every image and alias of a tone by at least 80 dB", () => {
  for (const rate of VOICE_RATES) {
    for (const frequency of [1000, 0.5 * (rate / 2), 0.9 * (rate / 2)]) {
      const out = resampleAll(tone(frequency, rate, rate), rate, OUT);
      const spectrum = powerSpectrum(out, OUT);
      const signal = bandPower(spectrum, frequency - 200, frequency + 200);
      const spurious = bandPower(spectrum, 0) - signal;
      const spuriousDb = db(spurious / signal);
      assert.ok(spuriousDb < -80, `${rate}: ${frequency} Hz tone, spurious ${spuriousDb} dB`);
    }
  }
});

Deno.test("Resampler downsampling 48 kHz -> 16 kHz removes content that would alias", () => {
  const aliased = resampleAll(tone(10000, OUT, OUT), OUT, 16000);
  const kept = resampleAll(tone(1000, OUT, OUT), OUT, 16000);
  const ratioDb = 20 * Math.log10(
    toneAmplitude(aliased, 6000, 16000, 500, 15500) / toneAmplitude(kept, 1000, 16000, 500, 15500),
  );
  assert.ok(ratioDb < -80, `10 kHz alias at 6 kHz: ${ratioDb} dB`);
});

Deno.test("Resampler output does not depend on chunking", () => {
  let seed = 1;
  const random = () => {
    seed = (seed * 48271) % 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (const rate of [...VOICE_RATES, OUT, 32000, 11025]) {
    const input = concat([sweep(60, 0.45 * rate, rate, rate / 2), noise(rate / 4, rate)]);
    const oneShot = resampleAll(input, rate, OUT);
    const r = new Resampler(rate, OUT);
    const parts: Float32Array[] = [];
    for (let i = 0; i < input.length;) {
      const pick = random();
      const size = pick < 0.15 ? 0 : pick < 0.3 ? 1 : Math.floor(random() * 700);
      parts.push(r.process(input.subarray(i, i + size)));
      i += size;
    }
    parts.push(r.flush());
    const chunked = concat(parts);
    assert.equal(chunked.length, oneShot.length, `${rate} Hz length`);
    let diff = 0;
    for (let i = 0; i < chunked.length; i++) {
      diff = Math.max(diff, Math.abs(chunked[i] - oneShot[i]));
    }
    assert.ok(diff <= 1e-7, `${rate} Hz: chunked differs by ${diff}`);
  }
});

Deno.test("Resampler joins chunks without clicks", () => {
  for (const rate of VOICE_RATES) {
    const frequency = 200;
    const amplitude = 0.5;
    const input = tone(frequency, rate, rate, amplitude);
    const r = new Resampler(rate, OUT);
    const parts: Float32Array[] = [];
    const seams: number[] = [];
    let produced = 0;
    for (let i = 0, size = 1; i < input.length; i += size, size = (size * 7 + 3) % 397) {
      const part = r.process(input.subarray(i, i + size));
      parts.push(part);
      produced += part.length;
      seams.push(produced);
    }
    parts.push(r.flush());
    const out = concat(parts);
    // The steepest step a 200 Hz sine of this amplitude has at 48 kHz, plus 1% slack. The first
    // and last 1000 samples are left out: the tone's abrupt start and end ring there, seams or not.
    const bound = 1.01 * amplitude * 2 * Math.PI * (frequency / OUT);
    const from = 1000;
    const to = out.length - 1000;
    const inner = seams.filter((s) => s >= from && s < to);
    let worstSeam = 0;
    for (const s of inner) worstSeam = Math.max(worstSeam, Math.abs(out[s] - out[s - 1]));
    let worst = 0;
    for (let i = from; i < to; i++) worst = Math.max(worst, Math.abs(out[i] - out[i - 1]));
    assert.ok(inner.length > 30, `${inner.length} seams`);
    assert.ok(worstSeam <= bound, `${rate}: seam step ${worstSeam} > ${bound}`);
    assert.ok(worst <= bound, `${rate}: step ${worst} > ${bound}`);
  }
});

Deno.test("Resampler reset and flush start a fresh stream", () => {
  const input = noise(5000, 3);
  const fresh = resampleAll(input, 22050, OUT);
  const r = new Resampler(22050, OUT);
  r.process(noise(777, 4));
  r.reset();
  assert.deepEqual(concat([r.process(input), r.flush()]), fresh);
  r.process(noise(333, 5));
  r.flush();
  assert.deepEqual(concat([r.process(input), r.flush()]), fresh);
});

Deno.test("ResamplerStream gives the one-shot output, tail included", async () => {
  const input = sweep(100, 9000, 22050, 22050);
  const expected = resampleAll(input, 22050, OUT);
  const chunks = [
    input.subarray(0, 1),
    input.subarray(1, 1),
    input.subarray(1, 5000),
    input.subarray(5000),
  ];
  const readable = ReadableStream.from(chunks).pipeThrough(new ResamplerStream(22050, OUT));
  const parts = await Array.fromAsync(readable);
  assert.ok(parts.every((p) => p.length > 0));
  assert.deepEqual(concat(parts), expected);
  assert.equal(expected.length, 48000);
});

Deno.test("ResamplerStream: a long chunk comes out in steps, the first before the rest is done", async () => {
  const input = sweep(100, 7000, 16000, 16000 * 3);
  const expected = resampleAll(input, 16000, OUT);
  const stream = new ResamplerStream(16000, OUT);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const written = writer.write(input);
  let writeDone = false;
  written.then(() => (writeDone = true));
  const first = await reader.read();
  assert.equal(writeDone, false, "the first step is out while the chunk is still being worked on");
  const parts = [first.value!];
  const closed = writer.close();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    parts.push(next.value);
  }
  await closed;
  assert.ok(parts.length >= Math.ceil(input.length / RESAMPLER_STREAM_STEP), `${parts.length}`);
  assert.deepEqual(concat(parts), expected);
});

Deno.test("ResamplerStream: a reader that does not read holds it back (it does not work ahead)", async () => {
  const input = sweep(100, 7000, 16000, 16000 * 10);
  const stream = new ResamplerStream(16000, OUT);
  const writer = stream.writable.getWriter();
  let writeDone = false;
  const written = writer.write(input).then(() => (writeDone = true));
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Forty steps would take a fraction of that; held back, at most a step or two are made.
  assert.equal(writeDone, false, "the chunk is not resampled ahead of its reader");
  const closed = writer.close();
  const parts = await Array.fromAsync(stream.readable);
  await written;
  await closed;
  assert.deepEqual(concat(parts), resampleAll(input, 16000, OUT));
});

Deno.test("ResamplerStream: cancelling the reader fails the write in progress and later ones", async () => {
  const stream = new ResamplerStream(16000, OUT);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const written = writer.write(sweep(100, 7000, 16000, 16000 * 5));
  await reader.read();
  await reader.cancel(new Error("barge-in"));
  await assert.rejects(written, /barge-in/);
  await assert.rejects(writer.write(new Float32Array(10)), /barge-in/);
});

Deno.test("ResamplerStream: aborting the writer errors the reader", async () => {
  const stream = new ResamplerStream(22050, OUT);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const pending = reader.read();
  await writer.abort(new Error("upstream failed"));
  await assert.rejects(pending, /upstream failed/);
});

Deno.test("ResamplerStream: read one step at a time, it gives the one-shot output", async () => {
  const input = sweep(100, 7000, 16000, 16000 * 4);
  const stream = new ResamplerStream(16000, OUT);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const written = writer.write(input);
  const parts: Float32Array[] = [];
  while (parts.length < 10) parts.push((await reader.read()).value!);
  // Every step after the first (which holds back the filter lookahead) gives 3 x 4096 samples.
  assert.ok(parts.every((part) => part.length === 3 * RESAMPLER_STREAM_STEP || part === parts[0]));
  const closed = writer.close();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    parts.push(next.value);
  }
  await written;
  await closed;
  assert.deepEqual(concat(parts), resampleAll(input, 16000, OUT));
});
