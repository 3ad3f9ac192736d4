import assert from "node:assert/strict";
import { WorkerMetrics } from "./worker_metrics.ts";

/** The TYPE of each metric family in a Prometheus text exposition, by name. */
function metricTypes(exposition: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1], match[2]);
  return types;
}

/** The value of one sample line (`name{labels} value`) of an exposition. */
function sample(exposition: string, series: string): number | undefined {
  for (const line of exposition.split("\n")) {
    const space = line.lastIndexOf(" ");
    if (line.slice(0, space) === series) return Number(line.slice(space + 1));
  }
  return undefined;
}

Deno.test("WorkerMetrics: exposition names every metric with its Prometheus type", async () => {
  const types = metricTypes(await new WorkerMetrics().exposition());
  assert.deepEqual(Object.fromEntries(types), {
    tts_sessions_active: "gauge",
    tts_sessions_started_total: "counter",
    tts_sessions_rejected_total: "counter",
    tts_utterances_total: "counter",
    tts_utterances_failed_total: "counter",
    tts_stopped_text_chunks_dropped_total: "counter",
    tts_frames_sent_total: "counter",
    tts_ttfa_seconds: "histogram",
    tts_rtf: "histogram",
    tts_inference_seconds: "histogram",
    tts_inference_queue_depth: "gauge",
    tts_inference_running: "gauge",
    tts_inference_workers: "gauge",
    tts_rpc_errors_total: "counter",
    tts_engine_worker_crashes_total: "counter",
    tts_resident_voices: "gauge",
    tts_resident_voice_memory_bytes: "gauge",
    tts_resident_voice_file_bytes: "gauge",
  });
});

Deno.test("WorkerMetrics: what is recorded shows in the snapshot and the exposition alike", async () => {
  let active = 2;
  const metrics = new WorkerMetrics({
    inferenceLoad: () => ({ queued: 3, running: 1, concurrency: 4 }),
    activeSessions: () => active,
    residentVoices: () => [
      { modelId: "espeak-en-us", executionProvider: "wasm", memoryBytes: 5_000_000, fileBytes: 0 },
      {
        modelId: "en_US-x-low",
        executionProvider: "webgpu",
        memoryBytes: 70_000_000,
        fileBytes: 63,
      },
    ],
  });
  const voice = { id: "en_US-x-low", executionProvider: "webgpu" };
  metrics.recordInference({ elapsedMs: 100, audioMs: 1000 }, voice); // RTF 0.1
  metrics.recordInference({ elapsedMs: 300, audioMs: 1000 }, voice); // RTF 0.3
  metrics.recordInference({ elapsedMs: 50, audioMs: 0 }, voice); // no audio: no RTF
  metrics.recordTtfa(120);
  metrics.recordTtfa(80);
  metrics.recordTtfa(400);
  for (let i = 0; i < 7; i++) metrics.recordFrame();
  metrics.recordUtterance();
  metrics.recordUtteranceFailed();
  metrics.recordStoppedTextDropped();
  metrics.recordStoppedTextDropped();
  metrics.recordSessionStarted();
  metrics.recordSessionStarted();
  metrics.recordSessionRejected("full");
  metrics.recordSessionRejected("unknown_model");
  metrics.recordSessionRejected("full");
  metrics.recordRpcError("Synthesize", "NOT_FOUND");
  metrics.recordRpcError("StartSession", "INVALID_ARGUMENT");
  metrics.recordEngineWorkerCrash(true);
  metrics.recordEngineWorkerCrash(true);
  metrics.recordEngineWorkerCrash(false);

  const snapshot = await metrics.snapshot();
  assert.equal(snapshot.rtf, 0.2);
  assert.equal(snapshot.rtf_p95, 0.3);
  assert.equal(snapshot.ttfa_ms_p50, 120);
  assert.equal(snapshot.ttfa_ms_p95, 400);
  assert.equal(snapshot.ttfa_count, 3);
  assert.equal(snapshot.frames_sent_total, 7);
  assert.equal(snapshot.utterances_total, 1);
  assert.equal(snapshot.utterances_failed_total, 1);
  assert.equal(snapshot.stopped_text_chunks_dropped_total, 2);
  assert.equal(snapshot.active_sessions, 2);
  assert.equal(snapshot.sessions_started_total, 2);
  assert.equal(snapshot.sessions_rejected_total, 3);
  assert.equal(snapshot.rpc_errors_total, 2);
  assert.equal(snapshot.engine_worker_crashes_total, 3);
  assert.equal(snapshot.queue_depth, 3);
  assert.equal(snapshot.inference_running, 1);
  // 100 + 300 + 50 ms of inference, summed over every voice.
  assert.ok(Math.abs(snapshot.inference_seconds_total - 0.45) < 1e-9);
  assert.equal(snapshot.inference_workers, 4);
  assert.equal(snapshot.resident_voices, 2);
  assert.equal(snapshot.resident_memory_bytes, 75_000_000);

  const text = await metrics.exposition();
  assert.equal(sample(text, "tts_frames_sent_total"), 7);
  assert.equal(sample(text, "tts_utterances_total"), 1);
  assert.equal(sample(text, "tts_utterances_failed_total"), 1);
  assert.equal(sample(text, "tts_stopped_text_chunks_dropped_total"), 2);
  assert.equal(sample(text, "tts_sessions_active"), 2);
  assert.equal(sample(text, "tts_sessions_started_total"), 2);
  assert.equal(sample(text, 'tts_sessions_rejected_total{reason="full"}'), 2);
  assert.equal(sample(text, 'tts_sessions_rejected_total{reason="unknown_model"}'), 1);
  assert.equal(sample(text, 'tts_rpc_errors_total{method="Synthesize",code="NOT_FOUND"}'), 1);
  assert.equal(sample(text, 'tts_engine_worker_crashes_total{replaced="true"}'), 2);
  assert.equal(sample(text, 'tts_engine_worker_crashes_total{replaced="false"}'), 1);
  assert.equal(sample(text, "tts_ttfa_seconds_count"), 3);
  assert.ok(Math.abs(sample(text, "tts_ttfa_seconds_sum")! - 0.6) < 1e-9);
  assert.equal(sample(text, 'tts_ttfa_seconds_bucket{le="0.1"}'), 1);
  assert.equal(sample(text, 'tts_ttfa_seconds_bucket{le="+Inf"}'), 3);
  assert.equal(sample(text, "tts_rtf_count"), 2);
  const labels = 'model_id="en_US-x-low",execution_provider="webgpu"';
  assert.equal(sample(text, `tts_inference_seconds_count{${labels}}`), 3);
  assert.ok(Math.abs(sample(text, `tts_inference_seconds_sum{${labels}}`)! - 0.45) < 1e-9);
  assert.equal(sample(text, "tts_inference_queue_depth"), 3);
  assert.equal(sample(text, "tts_inference_workers"), 4);
  assert.equal(sample(text, "tts_resident_voices"), 2);
  assert.equal(sample(text, `tts_resident_voice_memory_bytes{${labels}}`), 70_000_000);
  assert.equal(sample(text, 'tts_resident_voice_file_bytes{model_id="en_US-x-low"}'), 63);

  // Live figures are read when collected, not when recorded.
  active = 0;
  assert.equal((await metrics.snapshot()).active_sessions, 0);
  assert.equal(sample(await metrics.exposition(), "tts_sessions_active"), 0);
});

Deno.test("WorkerMetrics: a voice that is no longer resident leaves the exposition", async () => {
  let voices = [
    { modelId: "a", executionProvider: "wasm", memoryBytes: 10, fileBytes: 1 },
    { modelId: "b", executionProvider: "wasm", memoryBytes: 20, fileBytes: 2 },
  ];
  const metrics = new WorkerMetrics({ residentVoices: () => voices });
  assert.match(await metrics.exposition(), /model_id="b"/);
  voices = voices.slice(0, 1);
  const text = await metrics.exposition();
  assert.doesNotMatch(text, /model_id="b"/);
  assert.equal(sample(text, "tts_resident_voices"), 1);
});

Deno.test("WorkerMetrics: each instance has its own registry", async () => {
  const first = new WorkerMetrics();
  const second = new WorkerMetrics();
  first.recordFrame();
  assert.equal((await first.snapshot()).frames_sent_total, 1);
  assert.equal((await second.snapshot()).frames_sent_total, 0);
  assert.match(first.contentType, /^text\/plain; version=0\.0\.4/);
});

Deno.test("WorkerMetrics: the rolling windows keep the last 200 samples", async () => {
  const metrics = new WorkerMetrics();
  for (let i = 0; i < 200; i++) metrics.recordTtfa(1000);
  for (let i = 0; i < 200; i++) metrics.recordTtfa(10);
  const snapshot = await metrics.snapshot();
  assert.equal(snapshot.ttfa_ms_p50, 10);
  assert.equal(snapshot.ttfa_ms_p95, 10);
  assert.equal(snapshot.ttfa_count, 400); // the histogram counts every sample
});
