/**
 * Text as an LLM writes it, against the real worker: token-sized chunks split anywhere sound
 * exactly like the whole text in one chunk (checked sample for sample on the deterministic tiny
 * Piper voice; espeak-ng's own output varies a little from call to call, so there the check is
 * the frame count), the first clause is spoken before the rest arrives,
 * and `TextChunk.sequence_number` retries (a repeated number with the same content) are ignored
 * while gaps, and numbers reused for other text, are refused.
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import type { AudioFrame, TextChunk } from "../src/rpc/messages.ts";
import { collectFrames, framesToPcm } from "./support/synthesis_client.ts";
import { startTestWorker, type TestWorker } from "./support/worker_process.ts";

const FIXTURE_VOICES = new URL("./fixtures/voices/", import.meta.url).pathname;
/** A deterministic voice: the same phonemes always give the same samples. */
const TINY = "en_US-tiny-low";

const TEXT = "Hello there, how are you today? I can read 3.5 percent, Dr. Smith's notes, " +
  "and the number 1,234 without trouble. Tokens may split words anywhere.";

/** A seeded generator of chunk lengths from 1 to 6 characters. */
function chunkings(text: string, seed: number): string[] {
  const chunks: string[] = [];
  let state = seed;
  for (let i = 0; i < text.length;) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const length = 1 + (state % 6);
    chunks.push(text.slice(i, i + length));
    i += length;
  }
  return chunks;
}

/** Opens a session, sends `chunks` (the last one final), and collects the frames. */
async function speakChunks(
  worker: TestWorker,
  sessionId: string,
  chunks: Array<Partial<TextChunk>>,
  modelId = TINY,
): Promise<{ frames: AudioFrame[]; error?: { code: number; details: string } }> {
  // The audio is compared, not its timing: unpaced, the frames come as fast as they are made.
  const started = await worker.client.startSession(sessionId, modelId, { audio_lead_ms: "0" });
  assert.equal(started.success, true);
  const call = worker.client.synthesize();
  const collected = collectFrames(call);
  for (const chunk of chunks) {
    call.write({ session_id: sessionId, text: "", is_final: false, sequence_number: 0, ...chunk });
  }
  call.end();
  const result = await collected;
  await worker.client.endSession(sessionId);
  return result;
}

Deno.test("text streamed as LLM tokens", async (t) => {
  const worker = await startTestWorker(["--models-dir", FIXTURE_VOICES]);
  try {
    const whole = await speakChunks(worker, "whole", [{ text: TEXT, is_final: true }]);
    assert.equal(whole.error, undefined);
    const reference = framesToPcm(whole.frames);

    await t.step("any chunking gives exactly the audio of one chunk", async () => {
      for (const seed of [1, 2, 3]) {
        const pieces = chunkings(TEXT, seed);
        const chunks = pieces.map((text, i) => ({
          text,
          is_final: i === pieces.length - 1,
          sequence_number: i,
        }));
        const streamed = await speakChunks(worker, `tokens-${seed}`, chunks);
        assert.equal(streamed.error, undefined);
        assert.equal(streamed.frames.length, whole.frames.length, `seed ${seed}: frame count`);
        assert.deepEqual(framesToPcm(streamed.frames), reference, `seed ${seed}: same audio`);
      }
    });

    await t.step("with the espeak voice, a chunking gives the same length of audio", async () => {
      const espeak = "espeak-en-us";
      const one = await speakChunks(
        worker,
        "espeak-whole",
        [{ text: TEXT, is_final: true }],
        espeak,
      );
      const pieces = chunkings(TEXT, 4);
      const chunks = pieces.map((text, i) => ({ text, is_final: i === pieces.length - 1 }));
      const streamed = await speakChunks(worker, "espeak-tokens", chunks, espeak);
      assert.equal(streamed.error, undefined);
      assert.ok(
        Math.abs(streamed.frames.length - one.frames.length) <= 2,
        `${streamed.frames.length} frames streamed vs ${one.frames.length} in one chunk`,
      );
    });

    await t.step("a repeated chunk (same sequence_number) is ignored", async () => {
      const pieces = chunkings(TEXT, 9);
      const chunks: Array<Partial<TextChunk>> = [];
      pieces.forEach((text, i) => {
        const chunk = { text, is_final: i === pieces.length - 1, sequence_number: i };
        chunks.push(chunk);
        if (i % 5 === 2) chunks.push(chunk); // a client retry
      });
      const streamed = await speakChunks(worker, "repeats", chunks);
      assert.equal(streamed.error, undefined);
      assert.deepEqual(framesToPcm(streamed.frames), reference);
    });

    await t.step("a gap in sequence_number ends the stream with INVALID_ARGUMENT", async () => {
      const streamed = await speakChunks(worker, "gap", [
        { text: "One two three. ", sequence_number: 0 },
        { text: "Four five six. ", sequence_number: 1 },
        { text: "Seven.", sequence_number: 3, is_final: true },
      ]);
      assert.equal(streamed.error?.code, grpc.status.INVALID_ARGUMENT);
      assert.match(streamed.error?.details ?? "", /sequence_number 3 arrived when 2 was due/);
    });

    await t.step(
      "numbers restarted for a second answer end the stream with INVALID_ARGUMENT",
      async () => {
        // The second answer reuses 1 and 2 with other text: not a retry. Taken as one, its text
        // would be lost and its chunk 3 would end the utterance with a silent final frame.
        const streamed = await speakChunks(worker, "restart", [
          { text: "Hello there. ", sequence_number: 1 },
          { text: "", sequence_number: 2, is_final: true },
          { text: "A second answer ", sequence_number: 1 },
          { text: "goes on. ", sequence_number: 2 },
          { text: "", sequence_number: 3, is_final: true },
        ]);
        assert.equal(streamed.error?.code, grpc.status.INVALID_ARGUMENT);
        const details = streamed.error?.details ?? "";
        assert.match(details, /sequence_number 1 was already used by a chunk with other text/);
        assert.match(details, /up by one across the whole stream, not per utterance/);
        assert.match(details, /or leave them all 0/);
        assert.ok(streamed.frames.filter((f) => f.is_final).length <= 1, "no second final frame");
      },
    );

    await t.step(
      "a number below the stream's first, repeating nothing, ends the stream",
      async () => {
        const streamed = await speakChunks(worker, "older", [
          { text: "One two three. ", sequence_number: 5 },
          { text: "", sequence_number: 0, is_final: true },
        ]);
        assert.equal(streamed.error?.code, grpc.status.INVALID_ARGUMENT);
        assert.match(streamed.error?.details ?? "", /sequence_number 0 repeats no chunk/);
      },
    );

    await t.step("the first clause is spoken before the sentence is complete", async () => {
      const { client } = worker;
      assert.equal((await client.startSession("clause", "espeak-en-us")).success, true);
      const call = client.synthesize();
      const collected = collectFrames(call);
      const first = new Promise<AudioFrame>((resolve) => call.once("data", resolve));
      // A clause of more than first-segment-min-words (4) words, then more text, no sentence end.
      const tokens = ["Well", ",", " I", " think", " that", " we", " could", " go", " to", " the"];
      tokens.push(" park", ",", " and", " then");
      for (const token of tokens) {
        call.write({ session_id: "clause", text: token, is_final: false, sequence_number: 0 });
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const frame = await Promise.race([
        first, // no sentence end and no is_final has been sent
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("no frame before is_final")), 20_000);
        }),
      ]).finally(() => clearTimeout(timer));
      assert.equal(frame.sequence_number, 0);
      call.write({ session_id: "clause", text: " now.", is_final: true, sequence_number: 0 });
      call.end();
      const result = await collected;
      assert.equal(result.frames.filter((f) => f.is_final).length, 1);
      await client.endSession("clause");
    });
  } finally {
    assert.equal(await worker.stop(), 0);
  }
});
