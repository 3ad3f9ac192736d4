/**
 * Runs a short `bench/soak.ts` (3 sessions, 15 s, the espeak voice, the real worker over gRPC) as a
 * subprocess and checks its verdict and figures: no sequence gap, every utterance with exactly one
 * final frame, no failed call, frames received and counted alike on both sides, RSS positive, and
 * stdout = the written JSON. No timing thresholds. Also pins which outcomes fail a run.
 */
import assert from "node:assert/strict";
import { runDenoScript } from "../tests/support/child_process.ts";
import { failuresOf, type SoakResult } from "./soak.ts";
import { createTempDir } from "../tests/support/temp_dir.ts";

const SOAK = new URL("./soak.ts", import.meta.url).pathname;

Deno.test({
  name: "a short paced soak (3 sessions, 15 s) passes: no gaps, one final per utterance, no errors",
  sanitizeResources: false,
  async fn() {
    await using dir = await createTempDir("soak_test_");
    const jsonPath = `${dir.path}/soak.json`;
    const { code, stdout, stderr } = await runDenoScript(SOAK, [
      "--sessions",
      "3",
      "--duration-s",
      "15",
      // The worker's own pacing, as in production: frames in real time after a 1 s lead.
      "--audio-lead-ms",
      "1000",
      "--json",
      jsonPath,
    ]);
    assert.equal(code, 0, `soak failed:\n${stderr}\n${stdout}`);
    assert.match(stderr, /PASS/, "the summary is on stderr");
    const result: SoakResult = JSON.parse(stdout);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(jsonPath)), result);

    assert.equal(result.ok, true);
    assert.deepEqual(result.failures, []);
    assert.equal(result.sessions, 3);
    assert.equal(result.audio_lead_ms, 1000);
    assert.equal(result.voice, "espeak-en-us");
    assert.ok(Number.isInteger(result.seed));
    assert.equal(result.frames.sequence_gaps, 0);
    assert.equal(result.utterances.bad_finals, 0);
    assert.equal(result.utterances.stalled, 0);
    assert.equal(result.errors.total, 0);
    assert.deepEqual(result.errors.by_code, {});
    assert.deepEqual(result.errors.refusals, {});
    assert.equal(result.frames.malformed, 0);
    assert.equal(result.frames.stray, 0);
    assert.equal(result.worker.exit_code, 0);
    assert.equal(result.worker.error_logs, 0);
    assert.equal(result.sessions_left_open, 0);
    assert.deepEqual(result.problems, []);

    assert.ok(result.frames.received > 0, "frames arrived");
    assert.equal(result.frames.worker_sent, result.frames.received, "every sent frame arrived");
    assert.ok(result.rounds >= 3, `each session ran at least one round: ${result.rounds}`);
    assert.ok(result.utterances.total >= result.rounds);
    const byKind = Object.values(result.utterances.by_kind).reduce((a, b) => a + b, 0);
    assert.equal(byKind, result.utterances.total);
    assert.ok(result.elapsed_s >= 15, `ran for the duration: ${result.elapsed_s} s`);
    assert.equal(result.jitter_ms.n, result.frames.received, "one jitter sample per frame");
    assert.ok(result.jitter_ms.p95 >= result.jitter_ms.p50 && result.jitter_ms.p50 >= 0);
    assert.ok(result.jitter_ms.max >= result.jitter_ms.p99);
    assert.ok(result.rss_mb.start > 0 && result.rss_mb.end > 0, JSON.stringify(result.rss_mb));
    assert.ok(result.rss_mb.peak >= Math.max(result.rss_mb.start, result.rss_mb.end));
    assert.ok(
      result.rss_mb.timeline.length >= 10 && result.rss_mb.timeline.every((mb) => mb > 0),
    );
  },
});

/** A passing result, to break one thing at a time. */
function passing(): Omit<SoakResult, "failures" | "ok"> {
  const distribution = { n: 1, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    audio_lead_ms: 0,
    voice: "espeak-en-us",
    seed: 1,
    sessions: 1,
    duration_s: 1,
    elapsed_s: 1,
    machine: { cores: 1, load_average_start: 0, load_average_end: 0, deno: "2" },
    rounds: 1,
    utterances: { total: 1, by_kind: { short: 1 }, bad_finals: 0, stalled: 0 },
    frames: { received: 9, worker_sent: 9, audio_s: 0.2, sequence_gaps: 0, malformed: 0, stray: 0 },
    control: { stops: 0, stops_effective: 0, pauses: 0, skipped: 0 },
    jitter_ms: { ...distribution, playout_buffer_ms: 100, frames_over_buffer: 0 },
    ttfa_ms: distribution,
    rss_mb: { start: 1, peak: 1, end: 1, growth: 0, interval_s: 1, timeline: [1] },
    errors: { total: 0, by_code: {}, refusals: {} },
    sessions_left_open: 0,
    problems: [],
    worker: { exit_code: 0, signal: null, error_logs: 0 },
  };
}

Deno.test("failuresOf names every broken invariant and passes a clean run", () => {
  assert.deepEqual(failuresOf(passing()), []);
  const base = passing();
  const cases: [Omit<SoakResult, "failures" | "ok">, RegExp][] = [
    [{ ...base, frames: { ...base.frames, sequence_gaps: 2 } }, /2 sequence gaps/],
    [{ ...base, utterances: { ...base.utterances, bad_finals: 1 } }, /1 bad finals/],
    [{ ...base, utterances: { ...base.utterances, stalled: 1 } }, /1 stalled/],
    [{ ...base, frames: { ...base.frames, malformed: 1 } }, /malformed/],
    [{ ...base, frames: { ...base.frames, stray: 1 } }, /stray/],
    [{ ...base, frames: { ...base.frames, received: 0 } }, /no frames/],
    [{ ...base, errors: { total: 1, by_code: { INTERNAL: 1 }, refusals: {} } }, /1 failed calls/],
    [{ ...base, errors: { total: 0, by_code: {}, refusals: { StartSession: 2 } } }, /2 refused/],
    [{ ...base, sessions_left_open: 1 }, /1 sessions left open/],
    [{ ...base, worker: { exit_code: 134, signal: null, error_logs: 0 } }, /worker exit code 134/],
    [{ ...base, worker: { exit_code: 0, signal: null, error_logs: 3 } }, /3 worker error logs/],
  ];
  for (const [result, reason] of cases) {
    const failures = failuresOf(result);
    assert.equal(failures.length, 1, `${reason}: ${failures}`);
    assert.match(failures[0], reason);
  }
});
