/**
 * Runs `bench/bench.ts --quick` as a subprocess on the tiny Piper voice (onnxruntime-web, espeak-ng
 * phonemes, the real worker over gRPC) and checks that it finishes and that its figures are sane.
 * No timing thresholds: only positive, finite, p95 >= p50, and stdout = the written JSON.
 */
import assert from "node:assert/strict";
import { probeWebGpu } from "../src/engines/onnx_runtime.ts";
import { runDenoScript } from "../tests/support/child_process.ts";
import { marginalSessionMb, nextSessionCount } from "./bench.ts";
import { createTempDir } from "../tests/support/temp_dir.ts";

const BENCH = new URL("./bench.ts", import.meta.url).pathname;
const FIXTURE_VOICES = new URL("../tests/fixtures/voices/", import.meta.url).pathname;

type Json = Record<string, unknown>;

/** Runs `bench --quick` on the tiny voice with results in `<dir>/results`. */
function runQuickBench(ep: "wasm" | "webgpu", dir: string, extra: string[] = []) {
  return runDenoScript(BENCH, [
    "--quick",
    "--voice",
    "en_US-tiny-low",
    "--models-dir",
    FIXTURE_VOICES,
    "--ep",
    ep,
    "--results-dir",
    `${dir}/results`,
    ...extra,
  ]);
}

/** Every object with numeric `p50` and `p95` in the result, by path. */
function percentileEntries(value: unknown, path = ""): [string, Json][] {
  if (!value || typeof value !== "object") return [];
  const object = value as Json;
  const own: [string, Json][] = typeof object.p50 === "number" ? [[path, object]] : [];
  return own.concat(
    Object.entries(object).flatMap(([key, child]) => percentileEntries(child, `${path}.${key}`)),
  );
}

/** Every number in the result, by path. */
function numbers(value: unknown, path = ""): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => numbers(child, `${path}.${key}`));
}

function positive(value: unknown, name: string): void {
  assert.ok(typeof value === "number" && Number.isFinite(value) && value > 0, `${name}: ${value}`);
}

/** The counts the real-time search tries when every count up to `limit` passes. */
function searchCounts(limit: number, cap: number): number[] {
  const tried: number[] = [];
  let best = 0;
  let failed: number | undefined;
  for (let count = nextSessionCount(best, failed, cap); count !== undefined;) {
    tried.push(count);
    if (count <= limit) best = count;
    else failed = count;
    count = nextSessionCount(best, failed, cap);
  }
  return tried;
}

Deno.test("the real-time search doubles, then bisects between the last pass and the first fail", () => {
  assert.deepEqual(searchCounts(45, 64), [1, 2, 4, 8, 16, 32, 64, 48, 40, 44, 46, 45]);
  assert.deepEqual(searchCounts(4, 64), [1, 2, 4, 8, 6, 5]);
  assert.deepEqual(searchCounts(0, 64), [1]);
  // Every count up to the cap passes: no bisection (the figure is reported as capped).
  assert.deepEqual(searchCounts(100, 4), [1, 2, 4]);
  assert.deepEqual(searchCounts(3, 4), [1, 2, 4, 3]);
});

Deno.test("per-session memory is the growth over the last doubling of sessions", () => {
  const steps = [
    { active_sessions: 1, peak_rss_mb: 700 },
    { active_sessions: 2, peak_rss_mb: 750 },
    { active_sessions: 4, peak_rss_mb: 760 },
  ];
  assert.equal(marginalSessionMb(steps, 650), 5);
  assert.equal(marginalSessionMb(steps.slice(0, 1), 650), 50);
  assert.equal(marginalSessionMb([], 650), 0);
  // Memory that fell (a collection) is no negative cost.
  assert.equal(marginalSessionMb([{ active_sessions: 1, peak_rss_mb: 600 }], 650), 0);
});

Deno.test({
  name: "bench --quick completes on the tiny Piper voice with sane figures",
  sanitizeResources: false,
  async fn() {
    await using dir = await createTempDir("bench_test_");
    const jsonPath = `${dir.path}/out.json`;
    const { code, stdout, stderr } = await runQuickBench("wasm", dir.path, ["--json", jsonPath]);
    assert.equal(code, 0, `bench failed:\n${stderr}`);
    assert.match(stderr, /ttfa one chunk/, "the table is on stderr");

    const result = JSON.parse(stdout);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(jsonPath)), result);
    const files = [...Deno.readDirSync(`${dir.path}/results`)].map((entry) => entry.name);
    const minute = result.machine.date.slice(0, 16).replace(":", "");
    assert.deepEqual(files, [`${minute}-wasm-en_US-tiny-low.json`]);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(`${dir.path}/results/${files[0]}`)),
      result,
    );

    assert.equal(result.mode, "quick");
    assert.equal(result.voice, "en_US-tiny-low");
    assert.equal(result.family, "piper");
    assert.equal(result.worker.execution_provider, "wasm");
    positive(result.machine.cores, "cores");
    assert.match(result.machine.deno, /^\d+\.\d+\.\d+/);
    assert.match(result.machine.onnxruntime_web, /^\d+\.\d+\.\d+/);
    assert.ok(!Number.isNaN(Date.parse(result.machine.date)), "date");

    for (const [path, value] of numbers(result)) {
      assert.ok(Number.isFinite(value), `${path} is ${value}`);
    }
    const entries = percentileEntries(result);
    const paths = entries.map(([path]) => path);
    for (
      const expected of [
        ".ttfa_ms.one_chunk",
        ".ttfa_ms.token_stream",
        ".rtf.short",
        ".rtf.long",
        ".stop_ms",
        ".pause_ms",
        ".frames_per_s",
      ]
    ) {
      assert.ok(paths.includes(expected), `${expected} is reported`);
    }
    for (const [path, entry] of entries) {
      assert.ok((entry.p95 as number) >= (entry.p50 as number), `${path}: p95 < p50`);
      positive(entry.n, `${path}.n`);
      // PAUSE may hold every frame at once: 0 ms is a true figure there.
      if (path === ".pause_ms") assert.ok((entry.p50 as number) >= 0, path);
      else positive(entry.p50, `${path}.p50`);
    }
    for (const text of ["short", "long"]) {
      const floor = result.floor[text];
      for (
        const key of [
          "floor_ms",
          "floor_rtf",
          "worker_ms",
          "worker_inference_ms",
          "inference_ratio",
          "overhead_ratio",
          "paired_ratio_p50",
        ]
      ) {
        positive(floor[key], `floor.${text}.${key}`);
      }
      assert.equal(floor.pairs, result.rtf[text].n, `every ${text} run has its floor run`);
    }
    for (const scenario of ["one_chunk", "token_stream"]) {
      const first = result.floor.first_audio[scenario];
      assert.ok(first.segment.length > 0, `${scenario}: the first segment is named`);
      for (const key of ["floor_ms", "ttfa_ms", "ratio", "paired_ratio_p50"]) {
        positive(first[key], `floor.first_audio.${scenario}.${key}`);
      }
      assert.equal(first.pairs, result.ttfa_ms[scenario].n);
    }
    positive(result.rtf.short.audio_ms, "rtf.short.audio_ms");
    assert.ok(result.rtf.long.audio_ms > result.rtf.short.audio_ms, "the paragraph is longer");

    // Every STOP caught its utterance, and every PAUSE held all frames until RESUME.
    assert.equal(result.stop_ms.effective, result.stop_ms.n);
    assert.equal(result.pause_ms.held, result.pause_ms.n);
    assert.ok(result.pause_ms.hold_ms >= 1000);

    const search = result.realtime_search;
    assert.ok(Number.isInteger(result.max_realtime_sessions));
    assert.ok(result.max_realtime_sessions >= 0 && result.max_realtime_sessions <= search.cap);
    assert.ok(search.steps.length >= 1);
    assert.equal(search.steps[0].sessions, 1);
    for (const step of search.steps) positive(step.first_frame_max_ms, "first_frame_max_ms");

    for (const key of ["idle", "voice_loaded", "warm", "active_peak"]) {
      positive(result.rss_mb[key], `rss_mb.${key}`);
    }
    assert.equal(
      result.rss_mb.per_session,
      Math.round(marginalSessionMb(result.rss_mb.sessions, result.rss_mb.warm) * 100) / 100,
    );
    // Growth: 1, 2, ... sessions; the voice alone, then the fixtures' other Piper voice.
    assert.deepEqual(
      result.rss_mb.sessions.map((step: { active_sessions: number }) => step.active_sessions),
      [1, 2],
    );
    assert.deepEqual(
      result.rss_mb.voices.map((step: { model_id: string }) => step.model_id),
      ["en_US-tiny-low", "en_US-tinymulti-low"],
    );
    assert.equal(typeof result.rss_mb.per_voice, "number");
  },
});

const ALLOW_NO_WEBGPU = Deno.env.get("TTS_ALLOW_NO_WEBGPU") === "1";
const webGpu = await probeWebGpu();

Deno.test({
  name: "bench --quick --ep webgpu completes on the tiny Piper voice (Mesa's adapter in CI)",
  ignore: !webGpu.adapter && ALLOW_NO_WEBGPU,
  sanitizeResources: false,
  async fn() {
    assert.ok(webGpu.adapter, `WebGPU is unavailable: ${webGpu.reason}`);
    await using dir = await createTempDir("bench_test_");
    const { code, stdout, stderr } = await runQuickBench("webgpu", dir.path);
    assert.equal(code, 0, `bench failed:\n${stderr}`);
    const result = JSON.parse(stdout);
    // The worker's voice and the floor both ran on WebGPU.
    assert.equal(result.machine.execution_provider, "webgpu");
    assert.equal(result.worker.execution_provider, "webgpu");
    assert.equal(result.floor.execution_provider, "webgpu");
    assert.equal(result.machine.webgpu_adapter, webGpu.name);
    for (const [path, value] of numbers(result)) {
      assert.ok(Number.isFinite(value), `${path} is ${value}`);
    }
    for (const text of ["short", "long"]) positive(result.floor[text].overhead_ratio, text);
    positive(result.ttfa_ms.one_chunk.p50, "ttfa");
  },
});
