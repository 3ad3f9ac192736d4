/**
 * Metrics and logs against the real worker: `/metrics` (Prometheus text) on its own port moves
 * with what clients see and agrees with `GetCapabilities.metrics`; the text a client sends never
 * shows in logs at info level or above.
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { collectFrames, speak } from "./support/synthesis_client.ts";
import { startTestWorker, type TestWorker } from "./support/worker_process.ts";

/** Stops the worker (SIGTERM, then the channel closes) and checks that it exited cleanly. */
async function stopWorker(worker: TestWorker): Promise<void> {
  assert.equal(await worker.stop(), 0);
}

/** The metrics port the worker logged on its "ready" line. */
function metricsPort(worker: TestWorker): number {
  const ready = worker.logs.find((entry) => entry.msg === "ready");
  const port = ready?.metrics_port;
  assert.equal(typeof port, "number", "the ready line names metrics_port");
  return port as number;
}

/** Scrapes `/metrics`: sample values by series (`name{labels}`), and each family's TYPE. */
async function scrape(
  port: number,
): Promise<{ values: Map<string, number>; types: Map<string, string> }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const values = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of (await response.text()).split("\n")) {
    const type = line.match(/^# TYPE (\S+) (\S+)$/);
    if (type) types.set(type[1], type[2]);
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return { values, types };
}

Deno.test("/metrics counts what the client received and agrees with GetCapabilities", async () => {
  const worker = await startTestWorker(["--metrics-port", "0"]);
  try {
    const port = metricsPort(worker);
    assert.notEqual(port, worker.port);
    const listening = worker.logs.find((entry) => entry.msg === "metrics endpoint listening");
    assert.equal(listening?.metrics_port, port);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), "ok\n");

    const before = await scrape(port);
    assert.equal(before.values.get("tts_frames_sent_total"), 0);
    assert.equal(before.values.get("tts_sessions_started_total"), 0);
    assert.equal(before.values.get("tts_ttfa_seconds_count"), 0);
    assert.equal(before.values.get("tts_resident_voices"), 1);
    assert.equal(before.types.get("tts_ttfa_seconds"), "histogram");
    assert.equal(before.types.get("tts_rtf"), "histogram");
    assert.equal(before.types.get("tts_frames_sent_total"), "counter");
    assert.equal(before.types.get("tts_inference_queue_depth"), "gauge");

    const { client } = worker;
    const first = await speak(client, "m1", "Metrics count every frame that is sent.");
    const second = await speak(client, "m2", "Two sessions. Three sentences in this one!");
    assert.equal(first.error, undefined);
    assert.equal(second.error, undefined);
    const received = first.frames.length + second.frames.length;
    assert.ok(received > 50, `${received} frames received`);

    // Refusals and errors, each counted once.
    assert.equal((await client.startSession("m3", "no-such-model")).success, false);
    const orphan = client.synthesize();
    const orphanResult = collectFrames(orphan);
    orphan.write({
      session_id: "never-started",
      text: "hello",
      is_final: true,
      sequence_number: 0,
    });
    assert.equal((await orphanResult).error?.code, grpc.status.NOT_FOUND);

    const after = await scrape(port);
    const v = after.values;
    assert.equal(v.get("tts_frames_sent_total"), received);
    assert.equal(v.get("tts_sessions_started_total"), 2);
    assert.equal(v.get('tts_sessions_rejected_total{reason="unknown_model"}'), 1);
    assert.equal(v.get('tts_rpc_errors_total{method="Synthesize",code="NOT_FOUND"}'), 1);
    assert.equal(v.get("tts_utterances_total"), 2);
    assert.equal(v.get("tts_ttfa_seconds_count"), 2, "one first audio per utterance");
    assert.ok(v.get("tts_ttfa_seconds_sum")! > 0);
    assert.equal(v.get("tts_sessions_active"), 0, "both sessions were ended");
    const espeak = 'model_id="espeak-en-us",execution_provider="wasm"';
    const inferences = v.get(`tts_inference_seconds_count{${espeak}}`);
    assert.ok(inferences !== undefined && inferences >= 3, `inferences on espeak: ${inferences}`);
    assert.ok(v.get("tts_rtf_count")! >= 1 && v.get("tts_rtf_count")! <= inferences);
    assert.equal(v.get("tts_inference_queue_depth"), 0);
    assert.ok(v.get(`tts_resident_voice_memory_bytes{${espeak}}`)! >= 0);

    const caps = (await client.getCapabilities()).metrics;
    assert.equal(caps.frames_sent_total, v.get("tts_frames_sent_total"));
    assert.equal(caps.utterances_total, v.get("tts_utterances_total"));
    assert.equal(caps.sessions_started_total, v.get("tts_sessions_started_total"));
    assert.equal(caps.sessions_rejected_total, 1);
    assert.equal(caps.rpc_errors_total, 1);
    assert.equal(caps.ttfa_count, v.get("tts_ttfa_seconds_count"));
    assert.equal(caps.active_sessions, v.get("tts_sessions_active"));
    assert.equal(caps.queue_depth, v.get("tts_inference_queue_depth"));
    assert.equal(caps.inference_workers, v.get("tts_inference_workers"));
    assert.equal(caps.resident_voices, v.get("tts_resident_voices"));
    assert.ok(caps.ttfa_ms_p50 > 0 && caps.rtf > 0);
    // The medians lie within what the histograms saw.
    assert.ok(caps.ttfa_ms_p50 / 1000 <= v.get("tts_ttfa_seconds_sum")!);

    const missing = await fetch(`http://127.0.0.1:${port}/nothing`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await stopWorker(worker);
  }
});

Deno.test("without --metrics-port no metrics endpoint runs", async () => {
  const worker = await startTestWorker();
  try {
    const ready = worker.logs.find((entry) => entry.msg === "ready");
    assert.ok(ready);
    assert.equal(ready.metrics_port, undefined);
    // The warm-up utterance went through the pipeline before SERVING, and counted nothing.
    assert.equal(typeof ready.warm_up_ms, "number");
    const { metrics } = await worker.client.getCapabilities();
    assert.equal(metrics.utterances_total, 0);
    assert.equal(metrics.frames_sent_total, 0);
    assert.equal(worker.logs.some((entry) => entry.msg === "metrics endpoint listening"), false);
  } finally {
    await stopWorker(worker);
  }
});

Deno.test("the text a client sends never appears in logs at info level or above", async () => {
  const worker = await startTestWorker(["--log-level", "debug"]);
  const words = ["Marmalade", "zeppelins", "quietly", "hovering", "Tuesday"];
  try {
    const { client } = worker;
    assert.equal((await client.startSession("secret-text")).success, true);
    const call = client.synthesize();
    const collected = collectFrames(call);
    call.write({
      session_id: "secret-text",
      text: "Marmalade zeppelins, ",
      sequence_number: 1,
      is_final: false,
    });
    call.write({
      session_id: "secret-text",
      text: "quietly hovering ",
      sequence_number: 2,
      is_final: false,
    });
    call.write({
      session_id: "secret-text",
      text: "on Tuesday.",
      sequence_number: 3,
      is_final: true,
    });
    call.end();
    const result = await collected;
    assert.equal(result.error, undefined);
    assert.ok(result.frames.length > 0);
    assert.equal((await client.endSession("secret-text")).success, true);
  } finally {
    await stopWorker(worker);
  }
  // The run was logged (at debug, chunk by chunk, with sequence numbers)...
  const chunks = worker.logs.filter((entry) => entry.msg === "text chunk");
  assert.deepEqual(chunks.map((entry) => entry.sequence_number), [1, 2, 3]);
  assert.ok(chunks.every((entry) => entry.session_id === "secret-text" && entry.level === 20));
  assert.ok(worker.logs.some((entry) => entry.msg === "session started"));
  // ...but no line at info or above holds any of the words spoken.
  const loud = worker.logs.filter((entry) => (entry.level as number) >= 30);
  assert.ok(loud.length >= 3, `${loud.length} lines at info or above`);
  const logged = JSON.stringify(loud).toLowerCase();
  for (const word of words) {
    assert.equal(logged.includes(word.toLowerCase()), false, `"${word}" was logged`);
  }
});
