import assert from "node:assert/strict";
import type { InferenceContext, SynthesisOptions, VoiceModel, VoiceSource } from "./engine.ts";
import { ESPEAK_FAMILY, espeakAdapter } from "./espeak/espeak_engine.ts";
import {
  EngineWorker,
  EngineWorkerPool,
  type EngineWorkerPoolOptions,
} from "./engine_worker_pool.ts";
import { InferenceScheduler } from "./inference_scheduler.ts";
import { piperAdapter } from "./piper/piper_engine.ts";
import { WorkerVoice } from "./worker_voice.ts";
import { loadWorkerVoicePool, type WorkerVoicePool } from "./worker_voice_pool.ts";
import { CRASH_TEXT, WARN_TEXT } from "../../tests/fixtures/engine_faults.ts";
import { sleep } from "../../tests/support/sleep.ts";

const ESPEAK: VoiceSource = { id: "espeak-en-us", family: ESPEAK_FAMILY, voiceName: "en-us" };
const TINY_PATH = new URL("../../tests/fixtures/voices/en_US-tiny-low.onnx", import.meta.url)
  .pathname;
const TINY_PIPER: VoiceSource = {
  id: "en_US-tiny-low",
  family: "piper",
  modelPath: TINY_PATH,
  configPath: `${TINY_PATH}.json`,
  executionProvider: "wasm",
};
const NORMAL: SynthesisOptions = { speed: 1 };
const SENTENCE = "The quick brown fox jumps over the lazy dog.";
/** Long enough that espeak-ng takes a while over it. */
const PARAGRAPH = Array.from(
  { length: 12 },
  (_, i) => `Sentence number ${i + 1} of a long answer goes on for a while before it ends.`,
).join(" ");

const later = (sessionId: string): InferenceContext => ({ sessionId, first: false });
const first = (sessionId: string): InferenceContext => ({ sessionId, first: true });

/** Runs `body` with a pool of `workers` Workers on a scheduler with `slots` slots. */
async function withPool(
  source: VoiceSource,
  workers: number,
  slots: number,
  body: (pool: WorkerVoicePool, scheduler: InferenceScheduler) => Promise<void>,
): Promise<void> {
  const scheduler = new InferenceScheduler(slots);
  const pool = await loadWorkerVoicePool(source, { workers, scheduler });
  try {
    await body(pool, scheduler);
  } finally {
    await pool.dispose();
  }
}

/** Runs `body` with the same voice loaded in this thread, as a reference. */
async function withLocal(
  source: VoiceSource,
  body: (voice: VoiceModel) => Promise<void>,
): Promise<void> {
  const adapter = source.family === ESPEAK_FAMILY ? espeakAdapter : piperAdapter;
  const voice = await adapter.load(source);
  try {
    await body(voice);
  } finally {
    await voice.dispose();
  }
}

/** Sample-exact equality (node's deepEqual is far too slow on long typed arrays). */
function assertSame(actual: Float32Array, expected: Float32Array): void {
  assert.equal(actual.length, expected.length);
  const differs = actual.findIndex((sample, i) => sample !== expected[i]);
  assert.equal(differs, -1, `sample ${differs} differs`);
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/**
 * The same speech from espeak-ng: it is not sample-exact from one call to the next (its length
 * varies by a few samples), so duration and loudness are compared.
 */
function assertLike(actual: Float32Array, expected: Float32Array): void {
  assert.ok(
    Math.abs(actual.length - expected.length) <= expected.length * 0.01,
    `${actual.length} samples, expected about ${expected.length}`,
  );
  assert.ok(Math.abs(rms(actual) - rms(expected)) <= rms(expected) * 0.05, "as loud");
}

/**
 * Runs `body` with a pool of `size` engine Workers (started with `options`) and a scheduler of
 * `slots` slots; the Workers are stopped after, whatever happens.
 */
async function withEngineWorkers(
  size: number,
  slots: number,
  options: EngineWorkerPoolOptions,
  body: (workers: EngineWorkerPool, scheduler: InferenceScheduler) => Promise<void>,
): Promise<void> {
  const workers = new EngineWorkerPool(size, options);
  try {
    await body(workers, new InferenceScheduler(slots));
  } finally {
    workers.terminate();
  }
}

async function untilIdle(scheduler: InferenceScheduler): Promise<void> {
  for (let i = 0; i < 500 && scheduler.stats().running > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(scheduler.stats().running, 0, "the Workers finished");
}

Deno.test("WorkerVoicePool: espeak in every Worker speaks as espeak does in this thread", async () => {
  await withLocal(ESPEAK, async (local) => {
    const segment = await local.prepare(SENTENCE, NORMAL);
    const reference = await local.infer(segment, NORMAL);
    await withPool(ESPEAK, 2, 2, async (pool, scheduler) => {
      assert.deepEqual(pool.info, local.info);
      assert.equal(pool.size, 2);
      assert.deepEqual(await pool.prepare(SENTENCE, NORMAL), segment);
      const both = [
        pool.infer(segment, NORMAL, undefined, first("A")),
        pool.infer(segment, NORMAL, undefined, first("B")),
      ];
      assert.deepEqual(scheduler.stats(), { queued: 0, running: 2, concurrency: 2 });
      for (const pcm of await Promise.all(both)) assertLike(pcm, reference);
      // A third at once waits for a slot.
      const three = [1, 2, 3].map((n) => pool.infer(segment, NORMAL, undefined, later(`S${n}`)));
      assert.deepEqual(scheduler.stats(), { queued: 1, running: 2, concurrency: 2 });
      for (const pcm of await Promise.all(three)) assertLike(pcm, reference);
      assert.deepEqual(scheduler.stats(), { queued: 0, running: 0, concurrency: 2 });
    });
  });
});

Deno.test("WorkerVoicePool: the tiny Piper voice gives in its Workers what it gives here", async () => {
  await withLocal(TINY_PIPER, async (local) => {
    await withPool(TINY_PIPER, 2, 2, async (pool) => {
      assert.deepEqual(pool.info, local.info);
      const segment = await pool.prepare("Hello there, good morning.", NORMAL);
      assert.deepEqual(segment, await local.prepare("Hello there, good morning.", NORMAL));
      assert.ok(segment.ids.length > 0);
      const reference = await local.infer(segment, NORMAL);
      const results = await Promise.all(
        ["A", "B", "C", "D"].map((id) => pool.infer(segment, NORMAL, undefined, first(id))),
      );
      for (const pcm of results) assertSame(pcm, reference);
    });
  });
});

Deno.test("WorkerVoicePool: real Workers serve first segments first, then sessions in turn", async () => {
  await withPool(ESPEAK, 1, 1, async (pool) => {
    const segment = await pool.prepare(SENTENCE, NORMAL);
    const done: string[] = [];
    const submit = (name: string, context: InferenceContext) =>
      pool.infer(segment, NORMAL, undefined, context).then((pcm) => {
        assert.ok(pcm.length > 0);
        done.push(name);
      });
    await Promise.all([
      submit("x", later("X")),
      submit("a1", later("A")),
      submit("a2", later("A")),
      submit("b1", later("B")),
      submit("c-first", first("C")),
      submit("a3", later("A")),
      submit("d-first", first("D")),
    ]);
    assert.deepEqual(done, ["x", "c-first", "d-first", "a1", "b1", "a2", "a3"]);
  });
});

Deno.test("WorkerVoicePool: a cancelled waiting request leaves the queue at once", async () => {
  await withPool(ESPEAK, 1, 1, async (pool, scheduler) => {
    const long = await pool.prepare(PARAGRAPH, NORMAL);
    const short = await pool.prepare(SENTENCE, NORMAL);
    let ahead = false;
    const running = pool.infer(long, NORMAL, undefined, first("A")).then((pcm) => {
      ahead = true;
      return pcm;
    });
    const controller = new AbortController();
    const waiting = pool.infer(short, NORMAL, controller.signal, first("B"));
    const behind = pool.infer(short, NORMAL, undefined, later("C"));
    assert.equal(scheduler.stats().queued, 2);
    const reason = new DOMException("stopped by client", "AbortError");
    controller.abort(reason);
    assert.equal(scheduler.stats().queued, 1);
    await assert.rejects(waiting, (error) => error === reason);
    assert.equal(ahead, false, "rejected before the running request finished");
    assert.ok((await running).length > 0);
    assert.ok((await behind).length > 0);
  });
});

Deno.test("WorkerVoicePool: a cancelled running request rejects at once; its Worker frees later", async () => {
  await withPool(ESPEAK, 1, 1, async (pool, scheduler) => {
    const long = await pool.prepare(PARAGRAPH, NORMAL);
    const controller = new AbortController();
    const running = pool.infer(long, NORMAL, controller.signal, first("A"));
    const next = pool.infer(long, NORMAL, undefined, first("B"));
    assert.deepEqual(scheduler.stats(), { queued: 1, running: 1, concurrency: 1 });
    controller.abort(new Error("client went away"));
    // The caller is let go before its Worker has even heard of the cancel.
    assert.deepEqual(scheduler.stats(), { queued: 1, running: 1, concurrency: 1 });
    await assert.rejects(running, /client went away/);
    const pcm = await next;
    assert.ok(pcm.length > 0, "the next request runs once the Worker is free");
    await untilIdle(scheduler);
  });
});

Deno.test("WorkerVoicePool: disposed, it refuses work; a failed load stops every Worker", async () => {
  const scheduler = new InferenceScheduler(2);
  const pool = await loadWorkerVoicePool(ESPEAK, { workers: 2, scheduler });
  const segment = await pool.prepare(SENTENCE, NORMAL);
  await pool.dispose();
  await pool.dispose();
  await assert.rejects(pool.infer(segment, NORMAL), /disposed/);
  await assert.rejects(pool.prepare(SENTENCE, NORMAL), /disposed/);

  const missing = { ...TINY_PIPER, modelPath: "/nonexistent/voice.onnx" };
  await assert.rejects(loadWorkerVoicePool(missing, { workers: 2, scheduler }));
  await assert.rejects(loadWorkerVoicePool(ESPEAK, { workers: 0, scheduler }), RangeError);
});

Deno.test("WorkerVoicePool: voices share the engine Workers; unloading one leaves the others", async () => {
  await withEngineWorkers(2, 2, {}, async (workers, scheduler) => {
    const espeak = await loadWorkerVoicePool(ESPEAK, { workers, scheduler });
    const tiny = await loadWorkerVoicePool(TINY_PIPER, { workers, scheduler });
    assert.equal(espeak.size, 2);
    assert.equal(tiny.size, 2);
    const tinySegment = await tiny.prepare(SENTENCE, NORMAL);
    const tinyReference = await tiny.infer(tinySegment, NORMAL, undefined, first("T"));
    const espeakSegment = await espeak.prepare(SENTENCE, NORMAL);
    // Both voices at once, in the same two Workers.
    const [a, b] = await Promise.all([
      espeak.infer(espeakSegment, NORMAL, undefined, first("E")),
      tiny.infer(tinySegment, NORMAL, undefined, first("T2")),
    ]);
    assert.ok(a.length > 0);
    assertSame(b, tinyReference);
    await espeak.dispose();
    await assert.rejects(espeak.infer(espeakSegment, NORMAL), /disposed/);
    // The Workers live on with the other voice.
    assert.ok(workers.workers.every((worker) => !worker.closed));
    for (let i = 0; i < 2; i++) {
      assertSame(await tiny.infer(tinySegment, NORMAL, undefined, later(`T${i}`)), tinyReference);
    }
    // A failed load in shared Workers leaves them, and the voices in them, working.
    const missing = { ...TINY_PIPER, id: "missing", modelPath: "/nonexistent/voice.onnx" };
    await assert.rejects(loadWorkerVoicePool(missing, { workers, scheduler }));
    assertSame(await tiny.infer(tinySegment, NORMAL, undefined, later("T9")), tinyReference);
    await tiny.dispose();
  });
});

const FAULTY_WORKER = new URL("../../tests/fixtures/faulty_engine_worker.ts", import.meta.url);

Deno.test("EngineWorker: a crash fails its calls in flight and every later call, and is reported once", async () => {
  const crashes: string[] = [];
  const worker = new EngineWorker({
    module: FAULTY_WORKER,
    onCrash: (_, error) => crashes.push(error.message),
  });
  try {
    const voice = new WorkerVoice(worker);
    await voice.load(ESPEAK);
    await assert.rejects(voice.prepare(CRASH_TEXT, NORMAL), /engine worker crashed: .*crashed/);
    assert.equal(worker.closed, true);
    assert.equal(worker.pendingCalls, 0);
    await assert.rejects(voice.prepare(SENTENCE, NORMAL), /engine worker stopped/);
    assert.equal(crashes.length, 1);
  } finally {
    worker.terminate();
  }
});

Deno.test("WorkerVoicePool: a crashed Worker is replaced and the voice loaded into it; the other Worker serves meanwhile", async () => {
  await withEngineWorkers(2, 2, { module: FAULTY_WORKER }, async (workers, scheduler) => {
    const replaced: string[] = [];
    workers.onWorkerCrashed((_, replacement, error) => {
      if (replacement) replaced.push(error.message);
    });
    const espeak = await loadWorkerVoicePool(ESPEAK, { workers, scheduler });
    const tiny = await loadWorkerVoicePool(TINY_PIPER, { workers, scheduler });
    const tinySegment = await tiny.prepare(SENTENCE, NORMAL);
    const tinyReference = await tiny.infer(tinySegment, NORMAL);
    const crashed = workers.workers[0];
    // A prepare goes to the least busy Worker: the first, when both are idle.
    await assert.rejects(espeak.prepare(CRASH_TEXT, NORMAL), /engine worker crashed/);
    assert.equal(crashed.closed, true);
    assert.notEqual(workers.workers[0], crashed, "replaced in its place");
    assert.equal(workers.restarts, 1);
    assert.equal(replaced.length, 1);
    // At once, before the voices are loaded again, the surviving Worker serves both voices.
    assert.match((await espeak.prepare(SENTENCE, NORMAL)).text, /quick brown fox/);
    assertSame(await tiny.infer(tinySegment, NORMAL, undefined, later("A")), tinyReference);
    await Promise.all([espeak.recovered(), tiny.recovered()]);
    assert.equal(espeak.size, 2);
    assert.equal(tiny.size, 2);
    // Both Workers at once give the reference again: the replacement holds the voice.
    const outputs = await Promise.all(
      ["B", "C", "D", "E"].map((id) => tiny.infer(tinySegment, NORMAL, undefined, later(id))),
    );
    for (const output of outputs) assertSame(output, tinyReference);
    assert.equal(scheduler.stats().running, 0);
    await espeak.dispose();
    await tiny.dispose();
  });
});

Deno.test("WorkerVoicePool: with its only Worker crashed, requests wait for the voice in the replacement", async () => {
  await withEngineWorkers(1, 1, { module: FAULTY_WORKER }, async (workers, scheduler) => {
    const tiny = await loadWorkerVoicePool(TINY_PIPER, { workers, scheduler });
    const segment = await tiny.prepare(SENTENCE, NORMAL);
    const reference = await tiny.infer(segment, NORMAL);
    await assert.rejects(tiny.prepare(CRASH_TEXT, NORMAL), /engine worker crashed/);
    // No live copy now: this waits for the reload instead of failing.
    assertSame(await tiny.infer(segment, NORMAL, undefined, first("A")), reference);
    assert.equal(tiny.size, 1);
    await tiny.dispose();
  });
});

Deno.test("EngineWorkerPool: at most maxRestarts crashed Workers are replaced a minute", async () => {
  await withEngineWorkers(
    1,
    1,
    { module: FAULTY_WORKER, maxRestarts: 1 },
    async (workers, scheduler) => {
      const espeak = await loadWorkerVoicePool(ESPEAK, { workers, scheduler });
      await assert.rejects(espeak.prepare(CRASH_TEXT, NORMAL), /engine worker crashed/);
      await espeak.recovered();
      assert.equal(workers.restarts, 1);
      await assert.rejects(espeak.prepare(CRASH_TEXT, NORMAL), /engine worker crashed/);
      assert.equal(workers.restarts, 1, "not replaced again");
      assert.equal(workers.workers[0].closed, true);
      await assert.rejects(
        espeak.prepare(SENTENCE, NORMAL),
        /no engine Worker holds voice espeak-en-us/,
      );
      await espeak.dispose();
    },
  );
});

Deno.test("EngineWorker: what the Worker's code writes to its console comes to onLog, with its level", async () => {
  const lines: [string, string][] = [];
  const worker = new EngineWorker({
    module: FAULTY_WORKER,
    onLog: (level, message) => lines.push([level, message]),
  });
  try {
    const voice = new WorkerVoice(worker);
    await voice.load(ESPEAK);
    await voice.prepare(WARN_TEXT, NORMAL);
    assert.deepEqual(lines, [
      ["warn", "engine library: a warning 42"],
      ["error", "engine library: an error"],
    ]);
  } finally {
    worker.terminate();
  }
});

Deno.test("WorkerVoicePool: calls made together spread over the Workers", async () => {
  await withEngineWorkers(2, 2, {}, async (workers, scheduler) => {
    const espeak = await loadWorkerVoicePool(ESPEAK, { workers, scheduler });
    const calls = [espeak.prepare(SENTENCE, NORMAL), espeak.prepare(SENTENCE, NORMAL)];
    assert.deepEqual(workers.workers.map((worker) => worker.pendingCalls), [1, 1]);
    await Promise.all(calls);
    await espeak.dispose();
  });
});

Deno.test("WorkerVoicePool: a replacement that crashes while the voice loads into it is replaced in turn", async () => {
  await withEngineWorkers(2, 2, { module: FAULTY_WORKER }, async (workers, scheduler) => {
    const espeak = await loadWorkerVoicePool(ESPEAK, { workers, scheduler });
    await assert.rejects(espeak.prepare(CRASH_TEXT, NORMAL), /engine worker crashed/);
    // The voice is loading into the replacement; crash that one too, before it is done.
    const replacement = workers.workers[0];
    await assert.rejects(
      replacement.call({ kind: "prepare", voice: 0, text: CRASH_TEXT, options: NORMAL }),
      /engine worker crashed/,
    );
    await espeak.recovered();
    assert.equal(workers.restarts, 2);
    assert.equal(espeak.size, 2, "loaded into the second replacement");
    const calls = [espeak.prepare(SENTENCE, NORMAL), espeak.prepare(SENTENCE, NORMAL)];
    assert.deepEqual(workers.workers.map((worker) => worker.pendingCalls), [1, 1]);
    await Promise.all(calls);
    await espeak.dispose();
  });
});

Deno.test("EngineWorkerPool: a Worker not replaced for lack of restarts is replaced when the window allows", async () => {
  await withEngineWorkers(1, 1, {
    module: FAULTY_WORKER,
    maxRestarts: 1,
    restartWindowMs: 400,
  }, async (workers, scheduler) => {
    const told: [boolean, boolean][] = [];
    workers.onWorkerCrashed((_, replacement, __, late) =>
      told.push([replacement !== undefined, late])
    );
    const espeak = await loadWorkerVoicePool(ESPEAK, { workers, scheduler });
    await assert.rejects(espeak.prepare(CRASH_TEXT, NORMAL), /engine worker crashed/);
    await espeak.recovered();
    await assert.rejects(espeak.prepare(CRASH_TEXT, NORMAL), /engine worker crashed/);
    assert.equal(workers.workers[0].closed, true, "no restart left in this window");
    assert.deepEqual(told, [[true, false], [false, false]]);
    await sleep(500);
    assert.deepEqual(told, [[true, false], [false, false], [true, true]]);
    await espeak.recovered();
    assert.equal(espeak.size, 1);
    assert.match((await espeak.prepare(SENTENCE, NORMAL)).text, /quick brown fox/);
    await espeak.dispose();
  });
});
