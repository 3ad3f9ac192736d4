/**
 * Session lifecycle against the real worker: admission beyond the limit, idle sessions reaped,
 * and graceful shutdown on SIGTERM (health NOT_SERVING, no new sessions, the utterance in flight
 * finishes, exit 0).
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { checkHealth } from "../src/cli/health_check.ts";
import type { AudioFrame } from "../src/rpc/messages.ts";
import { collectFrames } from "./support/synthesis_client.ts";
import { startTestWorker } from "./support/worker_process.ts";
import { sleep } from "./support/sleep.ts";

const PARAGRAPH = "This paragraph is long enough to keep the worker busy for a while. " +
  "It has several sentences, and each of them takes some time to synthesise. " +
  "The worker must finish all of it before it exits, because the grace period allows it.";

Deno.test("beyond max-sessions StartSession is refused and its stream gets RESOURCE_EXHAUSTED", async () => {
  const worker = await startTestWorker(["--max-sessions", "2"]);
  try {
    const { client } = worker;
    assert.equal((await client.startSession("a")).success, true);
    assert.equal((await client.startSession("b")).success, true);
    const refused = await client.startSession("c");
    assert.equal(refused.success, false);
    assert.match(refused.message, /limit of 2/);
    const call = client.synthesize();
    const collected = collectFrames(call);
    call.write({ session_id: "c", text: "hello", is_final: true, sequence_number: 0 });
    const result = await collected;
    assert.equal(result.error?.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(result.frames.length, 0);
    const capabilities = await client.getCapabilities();
    assert.equal(capabilities.capabilities.max_concurrent_sessions, 2);
    assert.equal((await client.endSession("a")).success, true);
    assert.equal((await client.startSession("c")).success, true, "room again after EndSession");
  } finally {
    assert.equal(await worker.stop(), 0);
  }
});

Deno.test("an idle session is ended after the timeout; its next call gets NOT_FOUND", async () => {
  const worker = await startTestWorker(["--idle-timeout-s", "1"]);
  try {
    const { client } = worker;
    assert.equal((await client.startSession("idle")).success, true);
    assert.equal((await client.startSession("busy")).success, true);
    // "busy" stays active: control every 300 ms.
    const started = Date.now();
    while (Date.now() - started < 2500) {
      assert.equal((await client.control("busy", "RESUME")).success, true);
      await sleep(300);
    }
    const control = await client.control("idle", "PAUSE");
    assert.equal(control.success, false);
    assert.match(control.message, /no live session "idle"/);
    const call = client.synthesize();
    const collected = collectFrames(call);
    call.write({ session_id: "idle", text: "hello", is_final: true, sequence_number: 0 });
    assert.equal((await collected).error?.code, grpc.status.NOT_FOUND);
    assert.ok(
      worker.logs.some((l) => l.msg === "idle session ended" && l.session_id === "idle"),
      "a log line names the reaped session",
    );
    assert.ok(!worker.logs.some((l) => l.msg === "idle session ended" && l.session_id === "busy"));
  } finally {
    assert.equal(await worker.stop(), 0);
  }
});

Deno.test("SIGTERM: NOT_SERVING, no new sessions, the utterance in flight finishes, exit 0", async () => {
  const worker = await startTestWorker(["--shutdown-grace-ms", "20000"]);
  const { client } = worker;
  assert.equal((await client.startSession("talking")).success, true);
  const call = client.synthesize();
  const collected = collectFrames(call);
  const firstFrame = new Promise<AudioFrame>((resolve) => call.once("data", resolve));
  call.write({ session_id: "talking", text: PARAGRAPH, is_final: true, sequence_number: 0 });
  await firstFrame;
  // Hold frames back so that the utterance is still in flight when the signal comes.
  assert.equal((await client.control("talking", "PAUSE")).success, true);
  worker.process.kill("SIGTERM");
  await sleep(300);
  const health = await checkHealth(worker.address, "tts.TTSService", 2000);
  assert.equal(health.status, "NOT_SERVING");
  const refused = await client.startSession("late");
  assert.equal(refused.success, false);
  assert.match(refused.message, /shutting down/);
  assert.equal((await client.control("talking", "RESUME")).success, true);
  const result = await collected;
  assert.equal(result.error, undefined, "the stream ends cleanly");
  const finals = result.frames.filter((f) => f.is_final);
  assert.equal(finals.length, 1);
  assert.ok(result.frames.at(-1)!.is_final);
  // The whole paragraph was spoken: well over 5 s of audio.
  assert.ok(result.frames.length * 0.02 > 5, `${result.frames.length} frames`);
  result.frames.forEach((f, i) => assert.equal(f.sequence_number, i));
  assert.equal(await worker.stop(), 0, "exit 0 after the grace period");
});
