/**
 * Backpressure from the client down to inference: a client that stops reading holds the worker at
 * a bounded number of frames for its session (no unbounded buffering, no synthesis running ahead),
 * another session goes on meanwhile, and when the client reads again every frame comes, in order.
 */
import assert from "node:assert/strict";
import type { AudioFrame } from "../src/rpc/messages.ts";
import { collectFrames } from "./support/synthesis_client.ts";
import { startTestWorker } from "./support/worker_process.ts";
import { sleep } from "./support/sleep.ts";

/** About 40 s of speech: far more than any transport buffer holds. */
const LONG = Array.from(
  { length: 8 },
  (_, i) =>
    `This is sentence number ${
      i + 1
    } of a long answer, and it keeps going with many more words so that the audio is long.`,
).join(" ");

Deno.test("a client that stops reading holds its session's frames bounded; others go on", async () => {
  const worker = await startTestWorker();
  try {
    const { client } = worker;
    // Unpaced: the transport's flow control alone holds the frames back.
    assert.equal((await client.startSession("stalled", "", { audio_lead_ms: "0" })).success, true);
    const call = client.synthesize();
    const frames: AudioFrame[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      call.on("end", resolve);
      call.on("error", reject);
    });
    const firstFrames = Promise.withResolvers<void>();
    call.on("data", (frame: AudioFrame) => {
      frames.push(frame);
      if (frames.length === 5) {
        call.pause(); // the client stops reading
        firstFrames.resolve();
      }
    });
    call.write({ session_id: "stalled", text: LONG, is_final: true, sequence_number: 0 });
    call.end();
    await firstFrames.promise;

    // While it is stalled, the worker sends only what the transport's windows hold.
    await sleep(1500);
    const sentEarly = (await client.getCapabilities()).metrics.frames_sent_total;
    await sleep(1500);
    const sentLater = (await client.getCapabilities()).metrics.frames_sent_total;
    assert.equal(sentLater, sentEarly, "no frame is written while the client does not read");
    assert.ok(sentLater < 400, `${sentLater} frames written for a stalled client`);

    // Another session speaks a whole utterance meanwhile.
    assert.equal((await client.startSession("other")).success, true);
    const other = client.synthesize();
    const otherFrames = collectFrames(other);
    other.write({
      session_id: "other",
      text: "I am not held up.",
      is_final: true,
      sequence_number: 0,
    });
    other.end();
    const result = await otherFrames;
    assert.equal(result.error, undefined);
    assert.equal(result.frames.filter((f) => f.is_final).length, 1);
    result.frames.forEach((f, i) => assert.equal(f.sequence_number, i));
    await client.endSession("other");

    // The stalled client reads again: every frame arrives, gap-free, one final.
    call.resume();
    await ended;
    frames.forEach((f, i) => assert.equal(f.sequence_number, i, `frame ${i}`));
    assert.equal(frames.filter((f) => f.is_final).length, 1);
    assert.ok(frames.length * 0.02 > 25, `${frames.length} frames: the whole answer`);
    assert.ok(frames.length > sentLater, "more frames came once the client read again");
    await client.endSession("stalled");
  } finally {
    assert.equal(await worker.stop(), 0);
  }
});
