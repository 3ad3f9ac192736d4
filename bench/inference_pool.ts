/**
 * `deno run -A bench/inference_pool.ts [--voice=loadtest] [--pool-only]`: throughput of the
 * inference Worker pool, one session against several at once, and prints one JSON object on
 * stdout. The voice is the built-in espeak-ng one, or with `--voice=loadtest` the load-test voice
 * (a real Piper voice's compute, `load_test_voice.ts`).
 *
 * Two measurements, each for pools of 1 Worker and of `navigator.hardwareConcurrency` Workers:
 *
 * - `pool`: in this process, each session synthesises the same segments one after another (as a
 *   pipeline does) through a {@linkcode WorkerVoicePool}. Figures
 *   are seconds of audio per wall-clock second, summed over the sessions.
 * - `grpc`: the real worker (`src/main.ts --inference-workers N`) over gRPC, each session speaking
 *   a paragraph as one utterance; seconds of audio received per wall-clock second.
 *
 * `speedup` is the median throughput of N concurrent sessions over the median of one session on
 * the same pool (`speedup_best`: the best of the paired runs): about N when the Workers really run
 * in parallel (up to the number of cores). `cores_used` is the synthesising process's CPU time
 * over wall time (this process for `pool`, the worker process for `grpc`). Each pair of runs
 * follows a CPU control, two Workers spinning on pure arithmetic against one, whose median is
 * `cpu_control_speedup`: what the machine itself allowed meanwhile. On a busy machine (or a
 * virtual machine whose host holds back its cores) the control and the pool both stay near 1.
 *
 * @module
 */
import type { VoiceSource } from "../src/engines/engine.ts";
import { InferenceScheduler } from "../src/engines/inference_scheduler.ts";
import { loadWorkerVoicePool, type WorkerVoicePool } from "../src/engines/worker_voice_pool.ts";
import { ensureLoadTestVoice, LOAD_TEST_VOICE_ID } from "./load_test_voice.ts";
import { FRAME_DURATION_MS } from "../src/pipeline/pcm.ts";
import { speak } from "../tests/support/synthesis_client.ts";
import { startTestWorker, type TestWorker } from "../tests/support/worker_process.ts";

const ESPEAK: VoiceSource = { id: "espeak-en-us", family: "espeak", voiceName: "en-us" };
/** Where `--voice loadtest` writes the load-test voice (as `deno task bench` does). */
const LOAD_TEST_DIR = new URL("./tmp/voices/", import.meta.url).pathname;
const LESSAC_LOW_CONFIG = new URL(
  "../tests/fixtures/piper-configs/en_US-lessac-low.onnx.json",
  import.meta.url,
).pathname;
const SENTENCES = [
  "The committee met on Tuesday to review the budget for the coming year.",
  "After a long discussion, they agreed to fund the new library and two parks.",
  "Several members asked for more time to study the transport proposal.",
  "The chair promised a written summary before the next meeting in March.",
  "Residents who attended were invited to send their comments by e-mail.",
  "A final vote on the remaining items is expected later this spring.",
];
const PARAGRAPH = SENTENCES.join(" ");
/** What is measured: the voice, and how long each pool measurement keeps synthesising. */
interface PoolSubject {
  readonly source: VoiceSource;
  /** Extra worker flags (models directory, default voice) for the gRPC measurement. */
  readonly workerArgs: readonly string[];
  readonly windowMs: number;
}
/** Measurements of each kind; the median is reported. */
const REPEATS = 5;

interface Throughput {
  readonly sessions: number;
  readonly audio_s: number;
  readonly wall_s: number;
  /** Seconds of audio per wall-clock second, all sessions together. */
  readonly audio_s_per_s: number;
  /** CPU time of the synthesising process over wall time: how many cores its threads kept busy. */
  readonly cores_used: number;
}

/** Measures `sessions` sessions at once; `label` tells runs apart. */
type Run = (sessions: number, label: string) => Promise<Throughput>;

function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function middle(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}

/** The measurement with the median throughput. */
function median(runs: Throughput[]): Throughput {
  return [...runs].sort((a, b) => a.audio_s_per_s - b.audio_s_per_s)[runs.length >> 1];
}

/** CPU time (user + system) of a process so far, in seconds (Linux). */
function processCpuS(pid: number | "self"): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Times `body` (which returns the audio it produced, in seconds) as a {@linkcode Throughput}, with
 * the CPU time of process `pid`.
 */
async function timed(
  sessions: number,
  body: () => Promise<number>,
  pid: number | "self" = "self",
): Promise<Throughput> {
  const cpuStart = processCpuS(pid);
  const started = performance.now();
  const audioS = await body();
  const wallS = (performance.now() - started) / 1000;
  return {
    sessions,
    audio_s: round(audioS),
    wall_s: round(wallS),
    audio_s_per_s: round(audioS / wallS, 2),
    cores_used: round((processCpuS(pid) - cpuStart) / wallS, 2),
  };
}

/**
 * Pure-CPU loops in Workers: the machine's own parallel speed-up right now (two Workers at once
 * against one). Near 2 on an idle machine with two cores or more; near 1 when other processes
 * (or the host of a virtual machine) hold the cores, and then no pool can do better.
 */
class CpuControl {
  #url = URL.createObjectURL(
    new Blob([
      `self.onmessage = (e) => { let x = 0;
        for (let i = 0; i < e.data; i++) x += Math.sqrt(i);
        self.postMessage(x); };`,
    ], { type: "text/javascript" }),
  );
  #workers = [0, 1].map(() => new Worker(this.#url, { type: "module" }));

  #spin(worker: Worker): Promise<void> {
    return new Promise<void>((resolve) => {
      worker.onmessage = () => resolve();
      worker.postMessage(30_000_000);
    });
  }

  /** Two Workers' loops at once against one Worker's: the speed-up. */
  async measure(): Promise<number> {
    let started = performance.now();
    await this.#spin(this.#workers[0]);
    const one = performance.now() - started;
    started = performance.now();
    await Promise.all(this.#workers.map((worker) => this.#spin(worker)));
    return (2 * one) / (performance.now() - started);
  }

  /** Stops the Workers. */
  close(): void {
    for (const worker of this.#workers) worker.terminate();
    URL.revokeObjectURL(this.#url);
  }
}

/**
 * One session, then `sessions` at once, `REPEATS` times over, each pair right after a CPU
 * control; the medians, their ratio, and the control's median.
 */
async function compare(
  sessions: number,
  run: Run,
  control: CpuControl,
): Promise<Record<string, unknown>> {
  const ones: Throughput[] = [];
  const manys: Throughput[] = [];
  const controls: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    controls.push(await control.measure());
    ones.push(await run(1, `one${i}`));
    manys.push(await run(sessions, `many${i}`));
  }
  const one = median(ones);
  const many = median(manys);
  const speedups = ones.map((o, i) => manys[i].audio_s_per_s / o.audio_s_per_s);
  return {
    one,
    many,
    speedup: round(many.audio_s_per_s / one.audio_s_per_s, 2),
    speedup_best: round(Math.max(...speedups), 2),
    cpu_control_speedup: round(middle(controls), 2),
  };
}

/**
 * `sessions` sessions at once, each synthesising the sentences in turn through `pool` (one
 * segment in flight per session, as in a pipeline) until the window is over.
 */
async function poolRun(
  pool: WorkerVoicePool,
  sessions: number,
  windowMs: number,
): Promise<Throughput> {
  const segments = await Promise.all(SENTENCES.map((text) => pool.prepare(text, { speed: 1 })));
  return await timed(sessions, async () => {
    const deadline = performance.now() + windowMs;
    const samples = await Promise.all(
      Array.from({ length: sessions }, async (_, s) => {
        let total = 0;
        while (performance.now() < deadline) {
          for (const [i, segment] of segments.entries()) {
            const context = { sessionId: `s${s}`, first: i === 0 };
            total += (await pool.infer(segment, { speed: 1 }, undefined, context)).length;
          }
        }
        return total;
      }),
    );
    return samples.reduce((a, b) => a + b, 0) / pool.info.sampleRate;
  });
}

async function measurePool(
  subject: PoolSubject,
  workers: number,
  control: CpuControl,
): Promise<Record<string, unknown>> {
  const scheduler = new InferenceScheduler(workers);
  const pool = await loadWorkerVoicePool(subject.source, { workers, scheduler });
  const run = (n: number) => poolRun(pool, n, subject.windowMs);
  try {
    await run(workers); // warm-up: every Worker has run
    return { workers, ...await compare(Math.max(2, workers), run, control) };
  } finally {
    await pool.dispose();
  }
}

async function grpcRun(
  worker: TestWorker,
  sessions: number,
  tag: string,
  modelId: string,
): Promise<Throughput> {
  const client = worker.client;
  return await timed(sessions, async () => {
    const results = await Promise.all(
      Array.from(
        { length: sessions },
        (_, s) => speak(client, `bench-${tag}-${s}`, PARAGRAPH, modelId),
      ),
    );
    for (const result of results) {
      if (result.error) throw new Error(`Synthesize failed: ${result.error.details}`);
    }
    const frames = results.reduce((sum, result) => sum + result.frames.length, 0);
    return (frames * FRAME_DURATION_MS) / 1000;
  }, worker.process.pid);
}

async function measureGrpc(
  subject: PoolSubject,
  workers: number,
  control: CpuControl,
): Promise<Record<string, unknown>> {
  const worker = await startTestWorker([
    // Synthesis speed is measured: frames go as fast as they are made, not paced to real time.
    "--audio-lead-ms",
    "0",
    "--inference-workers",
    String(workers),
    ...subject.workerArgs,
  ]);
  const run = (n: number, label: string) => grpcRun(worker, n, label, subject.source.id);
  try {
    const sessions = Math.max(2, workers);
    for (let i = 0; i < 3; i++) await run(sessions, `warm${i}`);
    return { workers, ...await compare(sessions, run, control) };
  } finally {
    await worker.stop();
  }
}

/** The voice named by `--voice` (`espeak`, the default, or `loadtest`). */
async function poolSubject(args: string[]): Promise<PoolSubject> {
  if (!args.includes("--voice=loadtest")) {
    return { source: ESPEAK, workerArgs: [], windowMs: 1500 };
  }
  await ensureLoadTestVoice(LOAD_TEST_DIR, LESSAC_LOW_CONFIG);
  const modelPath = `${LOAD_TEST_DIR}${LOAD_TEST_VOICE_ID}.onnx`;
  return {
    source: {
      id: LOAD_TEST_VOICE_ID,
      family: "piper",
      modelPath,
      configPath: `${modelPath}.json`,
      executionProvider: "wasm",
    },
    workerArgs: ["--models-dir", LOAD_TEST_DIR, "--default-model", LOAD_TEST_VOICE_ID],
    windowMs: 8000,
  };
}

if (import.meta.main) {
  const cores = navigator.hardwareConcurrency;
  const sizes = [...new Set([1, Math.max(2, cores)])];
  const subject = await poolSubject(Deno.args);
  const control = new CpuControl();
  const result = {
    cores,
    voice: subject.source.id,
    pool: [] as Record<string, unknown>[],
    grpc: [] as Record<string, unknown>[],
  };
  try {
    for (const workers of sizes) {
      result.pool.push(await measurePool(subject, workers, control));
      console.error("pool", JSON.stringify(result.pool.at(-1)));
    }
    if (!Deno.args.includes("--pool-only")) {
      for (const workers of sizes) {
        result.grpc.push(await measureGrpc(subject, workers, control));
        console.error("grpc", JSON.stringify(result.grpc.at(-1)));
      }
    }
  } finally {
    control.close();
  }
  console.log(JSON.stringify(result, null, 2));
}
