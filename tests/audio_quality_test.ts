/**
 * End to end: the quality of the audio the real worker sends. The default voice
 * (`espeak-en-us`) speaks English over gRPC; the frames are joined into PCM and measured: level,
 * voiced share, spectrum above the engine's Nyquist rate (aliasing), clipping, clicks at frame
 * seams, speaking rate, and what a speech recogniser (PocketSphinx) hears. Where a check could
 * pass by accident, the test shows that it fails on a faulty version of the same audio. The tiny
 * Piper fixture voice goes through the same server for the structural checks.
 *
 * Set `AUDIO_QUALITY_WAV=1` to keep the espeak output as WAV files in a temporary directory
 * (its path is printed) to listen to.
 */
import assert from "node:assert/strict";
import { espeakAdapter } from "../src/engines/espeak/espeak_engine.ts";
import { Resampler } from "../src/pipeline/resampler.ts";
import type { AudioFrame } from "../src/rpc/messages.ts";
import { recognise } from "./support/asr.ts";
import {
  bandEnergyRatio,
  clippedFraction,
  detectSeamClicks,
  maxSeamJump,
  rms,
  type Samples,
  toDb,
  voicedFraction,
} from "./support/audio_analysis.ts";
import { framesToPcm, speak } from "./support/synthesis_client.ts";
import { encodeWav } from "./support/wav.ts";
import { startTestWorker } from "./support/worker_process.ts";

const FIXTURE_VOICES = new URL("./fixtures/voices/", import.meta.url).pathname;
const RATE = 48000;
const FRAME_SAMPLES = 960;
/** espeak-ng's output rate: nothing it says lies above 11025 Hz. */
const ESPEAK_RATE = 22050;

/**
 * What the default voice says. Common words in common phrases: PocketSphinx's acoustic model
 * knows human voices, not espeak-ng's formant synthesis, and leans on its language model.
 */
const PARAGRAPH = "The children are playing in the garden. We are going to the store. " +
  "The market closed on Friday.";
const SHORT = "Do you want some coffee?";
/** Words not counted when scoring recognition: short, frequent, easily guessed. */
const FUNCTION_WORDS = new Set(
  "a an and are at do in is it of on some the to we you".split(" "),
);

/** Aliasing limit: energy at or above this frequency ... */
const ALIAS_FROM_HZ = 11500;
/** ... must be at least this far below the total, in dB. */
const MAX_ALIAS_DB = -50;
/** Share of the expected content words the recogniser must hear, over both utterances. */
const MIN_RECALL = 0.3;

/** Frame invariants: size, rate, duration, gap-free sequence, one final frame, last. */
function assertFrameInvariants(frames: readonly AudioFrame[], label: string): void {
  assert.ok(frames.length > 0, `${label}: no frames`);
  frames.forEach((frame, i) => {
    assert.equal(frame.audio_data.byteLength, 1920, `${label}: frame ${i} size`);
    assert.equal(frame.sample_rate, RATE, `${label}: frame ${i} rate`);
    assert.equal(frame.frame_duration_ms, 20, `${label}: frame ${i} duration`);
    assert.equal(frame.sequence_number, frames[0].sequence_number + i, `${label}: gap at ${i}`);
  });
  assert.equal(frames.filter((frame) => frame.is_final).length, 1, `${label}: final frames`);
  assert.ok(frames.at(-1)!.is_final, `${label}: last frame is final`);
}

/** Energy at or above {@linkcode ALIAS_FROM_HZ} relative to the total, in dB. */
function aliasDb(pcm: Samples, sampleRate: number): number {
  return 10 * Math.log10(bandEnergyRatio(pcm, sampleRate, ALIAS_FROM_HZ));
}

/** Naive upsampling without an anti-imaging filter: sample-and-hold or linear interpolation. */
function naiveUpsample(
  input: Float32Array,
  from: number,
  to: number,
  method: "hold" | "linear",
): Float32Array {
  const output = new Float32Array(Math.ceil((input.length * to) / from));
  for (let n = 0; n < output.length; n++) {
    const position = (n * from) / to;
    const k = Math.floor(position);
    const next = k + 1 < input.length ? input[k + 1] : 0;
    output[n] = method === "hold" ? input[k] : input[k] + (next - input[k]) * (position - k);
  }
  return output;
}

/** Band-limited resampling of a whole signal with the worker's own resampler. */
function resampleOnce(input: Float32Array, from: number, to: number): Float32Array {
  const resampler = new Resampler(from, to);
  const head = resampler.process(input);
  const tail = resampler.flush();
  const output = new Float32Array(head.length + tail.length);
  output.set(head);
  output.set(tail, head.length);
  return output;
}

/** Lower-case words of a text or a hypothesis. */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z']+/g) ?? [];
}

/** Content words of `text` that appear in `hypothesis`, and how many there were. */
function recognisedWords(text: string, hypothesis: string): { heard: number; of: number } {
  const expected = wordsOf(text).filter((word) => !FUNCTION_WORDS.has(word));
  const said = new Set(wordsOf(hypothesis));
  return { heard: expected.filter((word) => said.has(word)).length, of: expected.length };
}

/** Share of recognised content words over several (text, hypothesis) pairs. */
function recall(pairs: readonly (readonly [string, string])[]): number {
  let heard = 0;
  let of = 0;
  for (const [text, hypothesis] of pairs) {
    const score = recognisedWords(text, hypothesis);
    heard += score.heard;
    of += score.of;
  }
  return heard / of;
}

/** One utterance the default voice spoke. */
interface Spoken {
  readonly id: string;
  readonly text: string;
  readonly frames: AudioFrame[];
  readonly pcm: Int16Array;
}

function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

Deno.test("espeak speech from the real worker is clean, well timed and intelligible", async (t) => {
  const worker = await startTestWorker(["--models-dir", FIXTURE_VOICES]);
  const recognitions: Promise<unknown>[] = [];
  try {
    const utterances: Spoken[] = [];
    for (const [id, text] of [["quality-paragraph", PARAGRAPH], ["quality-short", SHORT]]) {
      const stream = await speak(worker.client, id, text);
      assert.equal(stream.error, undefined, `${id}: ${stream.error?.details}`);
      utterances.push({ id, text, frames: stream.frames, pcm: framesToPcm(stream.frames) });
    }
    // Recognition takes seconds per utterance: start it now, alongside the other checks.
    const hypotheses = Promise.all(utterances.map(({ pcm }) => recognise(pcm, RATE)));
    // The control: the paragraph played backwards has speech's spectrum and level, not its words.
    const reversedHypothesis = recognise(utterances[0].pcm.slice().reverse(), RATE);
    recognitions.push(hypotheses, reversedHypothesis);
    const measured: Record<string, unknown>[] = utterances.map(({ id, pcm }) => ({
      id,
      seconds: pcm.length / RATE,
    }));
    if (Deno.env.get("AUDIO_QUALITY_WAV") === "1") {
      const dir = await Deno.makeTempDir({ prefix: "audio_quality_" });
      for (const { id, pcm } of utterances) {
        await Deno.writeFile(`${dir}/${id}.wav`, encodeWav(pcm, RATE));
      }
      console.log(`audio quality WAV files: ${dir}`);
    }

    await t.step("frames keep the wire invariants", () => {
      for (const { id, frames } of utterances) assertFrameInvariants(frames, id);
    });

    await t.step("level and voiced share are those of speech", () => {
      utterances.forEach(({ id, pcm }, i) => {
        const levelDb = toDb(rms(pcm));
        const voiced = voicedFraction(pcm, RATE);
        Object.assign(measured[i], { rmsDb: round(levelDb, 1), voiced: round(voiced) });
        assert.ok(levelDb > -32 && levelDb < -10, `${id}: RMS ${levelDb.toFixed(1)} dBFS`);
        assert.ok(voiced > 0.6 && voiced < 0.99, `${id}: voiced fraction ${voiced.toFixed(3)}`);
      });
    });

    await t.step("no clipping", () => {
      utterances.forEach(({ id, pcm }, i) => {
        const clipped = clippedFraction(pcm);
        measured[i].clipped = clipped;
        assert.ok(clipped < 1e-4, `${id}: ${clipped} of samples at full scale`);
      });
    });

    await t.step("nothing above espeak's Nyquist rate: no images, no aliasing", async () => {
      utterances.forEach(({ id, pcm }, i) => {
        const db = aliasDb(pcm, RATE);
        measured[i].aliasDb = round(db, 1);
        assert.ok(db < MAX_ALIAS_DB, `${id}: ${db.toFixed(1)} dB above ${ALIAS_FROM_HZ} Hz`);
      });
      // The same engine, in this process: naive upsampling of its audio fails the check.
      const voice = await espeakAdapter.load({ id: "espeak-en-us", family: "espeak" });
      try {
        assert.equal(voice.info.sampleRate, ESPEAK_RATE);
        const options = { speed: 1 };
        const native = await voice.infer(await voice.prepare(PARAGRAPH, options), options);
        const hold = aliasDb(naiveUpsample(native, ESPEAK_RATE, RATE, "hold"), RATE);
        const linear = aliasDb(naiveUpsample(native, ESPEAK_RATE, RATE, "linear"), RATE);
        const filtered = aliasDb(resampleOnce(native, ESPEAK_RATE, RATE), RATE);
        Object.assign(measured[0], {
          naiveHoldAliasDb: round(hold, 1),
          naiveLinearAliasDb: round(linear, 1),
          inProcessFilteredAliasDb: round(filtered, 1),
        });
        assert.ok(hold > MAX_ALIAS_DB, `sample-and-hold passes: ${hold.toFixed(1)} dB`);
        assert.ok(linear > MAX_ALIAS_DB, `linear interpolation passes: ${linear.toFixed(1)} dB`);
        assert.ok(filtered < MAX_ALIAS_DB, `band-limited resampling: ${filtered.toFixed(1)} dB`);
      } finally {
        await voice.dispose();
      }
    });

    await t.step("no clicks at frame seams, and a dropped frame would be one", () => {
      utterances.forEach(({ id, pcm }, i) => {
        const report = detectSeamClicks(pcm, FRAME_SAMPLES);
        Object.assign(measured[i], {
          maxSeamStep: round(report.maxSeamStep, 4),
          maxInteriorStep: round(report.maxInteriorStep, 4),
          worstSeamRatio: round(report.worstRatio, 2),
        });
        assert.equal(report.clicks, 0, `${id}: ${JSON.stringify(report)}`);
        assert.ok(maxSeamJump(pcm, FRAME_SAMPLES) <= report.maxInteriorStep, id);
      });
      // Silence one frame of the paragraph where the speech is loudest at a seam: a lost frame.
      const { pcm } = utterances[0];
      let seam = FRAME_SAMPLES;
      for (let s = FRAME_SAMPLES; s + FRAME_SAMPLES < pcm.length; s += FRAME_SAMPLES) {
        if (Math.abs(pcm[s - 1]) > Math.abs(pcm[seam - 1])) seam = s;
      }
      const dropped = pcm.slice();
      dropped.fill(0, seam, seam + FRAME_SAMPLES);
      const report = detectSeamClicks(dropped, FRAME_SAMPLES);
      measured[0].droppedFrameClicks = report.clicks;
      assert.ok(report.clicks >= 1, `a dropped frame at ${seam} went unseen`);
    });

    await t.step("the speaking rate is plausible for the text", () => {
      utterances.forEach(({ id, text, pcm }, i) => {
        const wordsPerSecond = wordsOf(text).length / (pcm.length / RATE);
        measured[i].wordsPerSecond = round(wordsPerSecond, 2);
        assert.ok(
          wordsPerSecond > 2.5 && wordsPerSecond < 8,
          `${id}: ${wordsPerSecond.toFixed(2)} words per second`,
        );
      });
    });

    await t.step("a speech recogniser hears the words, and not in reversed audio", async () => {
      const heard = await hypotheses;
      const heardReversed = await reversedHypothesis;
      utterances.forEach((_, i) => measured[i].asr = heard[i]);
      measured[0].asrReversed = heardReversed;
      const forwards = recall(utterances.map(({ text }, i) => [text, heard[i]]));
      const backwards = recall([[PARAGRAPH, heardReversed]]);
      console.log(JSON.stringify({ recall: round(forwards), reversedRecall: round(backwards) }));
      assert.ok(forwards >= MIN_RECALL, `recall ${forwards.toFixed(2)}: ${heard.join(" | ")}`);
      assert.ok(backwards < MIN_RECALL, `reversed recall ${backwards.toFixed(2)}`);
    });
    console.log(JSON.stringify(measured));

    await t.step("the Piper fixture voice keeps the invariants, without images", async () => {
      const stream = await speak(worker.client, "quality-piper", PARAGRAPH, "en_US-tiny-low");
      assert.equal(stream.error, undefined, `piper: ${stream.error?.details}`);
      assertFrameInvariants(stream.frames, "piper");
      const pcm = framesToPcm(stream.frames);
      const levelDb = toDb(rms(pcm));
      const db = aliasDb(pcm, RATE);
      console.log(
        JSON.stringify({ id: "quality-piper", rmsDb: round(levelDb, 1), aliasDb: round(db, 1) }),
      );
      assert.ok(levelDb > -60, `piper output is silent: ${levelDb.toFixed(1)} dBFS`);
      assert.ok(clippedFraction(pcm) < 1e-4, "piper output clips");
      // 16 kHz audio: after resampling, nothing at all above its 8 kHz Nyquist rate.
      assert.ok(db < MAX_ALIAS_DB, `piper: ${db.toFixed(1)} dB above ${ALIAS_FROM_HZ} Hz`);
    });
  } finally {
    await Promise.allSettled(recognitions); // no recogniser left running if a step failed
    await worker.stop();
  }
});
