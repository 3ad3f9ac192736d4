/**
 * End to end: the worker serves inference from a pool of Workers (`--inference-workers`), several
 * sessions at once, and reports the pool in `GetCapabilities.metrics`.
 */
import assert from "node:assert/strict";
import { FRAME_BYTES } from "../src/pipeline/pcm.ts";
import type { AudioFrame } from "../src/rpc/messages.ts";
import { framesToPcm, speak } from "./support/synthesis_client.ts";
import { startTestWorker } from "./support/worker_process.ts";

const PARAGRAPH = "The committee met on Tuesday to review the budget for the coming year. " +
  "After a long discussion, they agreed to fund the new library and two parks. " +
  "Several members asked for more time to study the transport proposal.";

/** Loudest sample of the frames' audio. */
function peak(frames: readonly AudioFrame[]): number {
  return framesToPcm(frames).reduce((max, sample) => Math.max(max, Math.abs(sample)), 0);
}

Deno.test("more sessions than inference Workers: every one is spoken in full", async () => {
  const worker = await startTestWorker(["--inference-workers", "2"]);
  try {
    const ready = worker.logs.find((entry) => entry.msg === "ready");
    assert.equal(ready?.inference_workers, 2);
    const idle = (await worker.client.getCapabilities()).metrics;
    assert.equal(idle.inference_workers, 2);
    assert.equal(idle.queue_depth, 0);
    assert.equal(idle.inference_running, 0);

    const ids = ["pool-a", "pool-b", "pool-c"];
    const results = await Promise.all(ids.map((id) => speak(worker.client, id, PARAGRAPH)));
    const lengths = results.map((result) => result.frames.length);
    for (const [i, result] of results.entries()) {
      assert.equal(result.error, undefined, `${ids[i]}: ${result.error?.details}`);
      const frames = result.frames;
      assert.deepEqual(frames.map((f) => Number(f.sequence_number)), frames.map((_, n) => n));
      assert.deepEqual(
        frames.flatMap((f, n) => (f.is_final ? [n] : [])),
        [frames.length - 1],
        "exactly one final frame, the last",
      );
      assert.ok(frames.every((f) => f.audio_data.length === FRAME_BYTES));
      assert.ok(peak(frames) > 3000, `${ids[i]} is audible`);
      // The same text in every session: about as long (espeak-ng varies by a few samples).
      assert.ok(Math.abs(frames.length - lengths[0]) <= 3, `${lengths}`);
    }
    assert.ok(lengths[0] * 20 > 8000, "the paragraph is seconds long");

    const after = (await worker.client.getCapabilities()).metrics;
    assert.equal(after.queue_depth, 0);
    assert.equal(after.inference_running, 0);
    assert.equal(after.frames_sent_total, lengths.reduce((a, b) => a + b, 0));
  } finally {
    await worker.stop();
  }
});

Deno.test("TTS_INFERENCE_WORKERS sets the pool; no more Workers than sessions", async () => {
  const worker = await startTestWorker(["--max-sessions", "2"], { TTS_INFERENCE_WORKERS: "4" });
  try {
    const caps = await worker.client.getCapabilities();
    assert.equal(caps.metrics.inference_workers, 2);
    const result = await speak(worker.client, "pool-env", "Hello from a smaller pool.");
    assert.equal(result.error, undefined);
    assert.ok(peak(result.frames) > 3000);
  } finally {
    await worker.stop();
  }
});
