import assert from "node:assert/strict";
import {
  bandEnergyRatio,
  clippedFraction,
  detectSeamClicks,
  dominantFrequency,
  fft,
  maxSeamJump,
  pcmFromBytesLE,
  rms,
  toDb,
  voicedFraction,
} from "./audio_analysis.ts";

const RATE = 48000;
const FRAME = 960;

/** A sine as int16, `amplitude` in full-scale units, clamped like the worker's output. */
function sineInt16(frequency: number, seconds: number, amplitude: number, phase = 0): Int16Array {
  const out = new Int16Array(Math.round(RATE * seconds));
  for (let i = 0; i < out.length; i++) {
    const value = amplitude * 32767 * Math.sin((2 * Math.PI * frequency * i) / RATE + phase);
    out[i] = Math.max(-32767, Math.min(32767, Math.round(value)));
  }
  return out;
}

/** Deterministic white noise in [-amplitude, amplitude) (a linear congruential generator). */
function noise(length: number, amplitude: number, seed = 12345): Float64Array {
  const out = new Float64Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 48271) % 0x7fffffff;
    out[i] = amplitude * ((2 * state) / 0x7fffffff - 1);
  }
  return out;
}

function joined(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

Deno.test("pcmFromBytesLE reads one buffer or frames split at odd bytes", () => {
  const samples = new Int16Array([0, 1, -1, 32767, -32768, 0x1234, -300]);
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  samples.forEach((s, i) => view.setInt16(2 * i, s, true));
  assert.deepEqual(pcmFromBytesLE(bytes), samples);
  assert.deepEqual(
    pcmFromBytesLE([bytes.subarray(0, 3), bytes.subarray(3, 4), bytes.subarray(4)]),
    samples,
  );
  assert.throws(() => pcmFromBytesLE(bytes.subarray(1)), RangeError);
});

Deno.test("rms reads full-scale units from int16 and float samples", () => {
  assert.ok(Math.abs(rms(sineInt16(1000, 1, 1)) - Math.SQRT1_2) < 1e-4);
  assert.ok(Math.abs(rms(sineInt16(440, 1, 0.1)) - 0.1 * Math.SQRT1_2) < 1e-4);
  assert.equal(rms(new Float32Array([0.5, -0.5, 0.5, -0.5])), 0.5);
  const uniform = noise(100000, 0.6);
  assert.ok(Math.abs(rms(uniform) - 0.6 / Math.sqrt(3)) < 0.003);
  assert.equal(rms(new Int16Array(0)), 0);
  assert.ok(Math.abs(toDb(rms(sineInt16(1000, 1, 1))) + 3.01) < 0.01);
});

Deno.test("voicedFraction counts windows above the threshold", () => {
  const speechLike = sineInt16(220, 1, 0.3);
  const silence = new Int16Array(RATE);
  assert.equal(voicedFraction(joined(speechLike, silence), RATE), 0.5);
  assert.equal(voicedFraction(joined(silence, speechLike, silence, silence), RATE), 0.25);
  // Quiet hiss at -60 dBFS is not voice; the same hiss raised to -30 dBFS is.
  const hiss = Int16Array.from(noise(RATE, 0.001 * Math.sqrt(3)), (x) => Math.round(x * 32768));
  assert.equal(voicedFraction(hiss, RATE), 0);
  assert.equal(voicedFraction(hiss, RATE, { thresholdDb: -70 }), 1);
  assert.equal(voicedFraction(sineInt16(220, 0.01, 0.5), RATE), 0); // shorter than a window
});

Deno.test("fft matches a direct DFT", () => {
  const n = 64;
  const x = noise(2 * n, 1, 777);
  const re = Float64Array.from(x.subarray(0, n));
  const im = Float64Array.from(x.subarray(n));
  fft(re, im);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * k * t) / n;
      sr += x[t] * Math.cos(angle) - x[n + t] * Math.sin(angle);
      si += x[t] * Math.sin(angle) + x[n + t] * Math.cos(angle);
    }
    assert.ok(Math.abs(re[k] - sr) < 1e-9 && Math.abs(im[k] - si) < 1e-9, `bin ${k}`);
  }
  assert.throws(() => fft(new Float64Array(6), new Float64Array(6)), RangeError);
});

Deno.test("bandEnergyRatio splits energy by frequency", () => {
  const low = sineInt16(1000, 0.5, 0.3);
  const high = sineInt16(15000, 0.5, 0.3);
  const both = low.map((s, i) => s + high[i]);
  assert.ok(Math.abs(bandEnergyRatio(both, RATE, 8000) - 0.5) < 0.01);
  assert.ok(bandEnergyRatio(low, RATE, 5000) < 1e-9);
  assert.ok(bandEnergyRatio(high, RATE, 5000) > 1 - 1e-9);
  // White noise spreads evenly: a quarter of the band lies above 18 kHz.
  assert.ok(Math.abs(bandEnergyRatio(noise(RATE, 0.5), RATE, 18000) - 0.25) < 0.02);
  assert.equal(bandEnergyRatio(new Int16Array(4800), RATE, 1000), 0);
});

Deno.test("dominantFrequency finds a tone between FFT bins", () => {
  for (const frequency of [97.3, 1234.5, 7777.7, 17000]) {
    const measured = dominantFrequency(sineInt16(frequency, 0.5, 0.5, 1), RATE);
    assert.ok(Math.abs(measured - frequency) < 0.5, `${frequency} Hz read as ${measured}`);
  }
  assert.ok(Number.isNaN(dominantFrequency(new Float32Array(1024), RATE)));
});

Deno.test("clippedFraction measures samples stuck at full scale", () => {
  assert.equal(clippedFraction(sineInt16(440, 1, 0.9)), 0);
  // A sine driven to twice full scale clips where |sin| >= 0.4995.
  const expected = 1 - (2 / Math.PI) * Math.asin(0.999 / 2);
  assert.ok(Math.abs(clippedFraction(sineInt16(440, 1, 2)) - expected) < 0.005);
  assert.equal(clippedFraction(new Float32Array([1, -1, 0.5, 0])), 0.5);
  assert.equal(clippedFraction(new Int16Array(0)), 0);
});

Deno.test("seam helpers pass a continuous signal and catch discontinuities", () => {
  // A continuous tone cut into frames: seams look like any other sample step.
  const smooth = sineInt16(330, 1, 0.5);
  const report = detectSeamClicks(smooth, FRAME);
  assert.equal(report.seams, RATE / FRAME - 1);
  assert.equal(report.clicks, 0);
  assert.ok(report.worstRatio < 1.1);
  assert.ok(maxSeamJump(smooth, FRAME) <= report.maxInteriorStep);

  // Every frame restarts the tone's phase: a step at nearly every seam.
  const restarted = joined(...Array.from({ length: 50 }, () => sineInt16(330, FRAME / RATE, 0.5)));
  const broken = detectSeamClicks(restarted, FRAME);
  assert.ok(broken.clicks >= 45, `${broken.clicks} clicks`);
  assert.ok(maxSeamJump(restarted, FRAME) > 10 * report.maxInteriorStep);

  // Silence inserted between sentences mid-tone: clicks exactly where the tone stops and starts.
  const gap = joined(
    sineInt16(330, 0.1, 0.5, 0.3),
    new Int16Array(FRAME),
    sineInt16(330, 0.1, 0.5, 0.3),
  );
  const gapped = detectSeamClicks(gap, FRAME);
  assert.equal(gapped.clicks, 2);
  // A quiet tone's steps stay under the floor: no clicks however the phase jumps.
  const whisper = joined(...Array.from({ length: 10 }, () => sineInt16(330, FRAME / RATE, 0.004)));
  assert.equal(detectSeamClicks(whisper, FRAME).clicks, 0);
});
