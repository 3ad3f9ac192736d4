/**
 * Bad input and faults against one running worker, while a second session (the bystander) keeps
 * streaming text: every case must get a clear answer (an exact gRPC status, or success=false with
 * a message that says what to fix), and the bystander must come out unharmed: valid 1920-byte
 * frames, gap-free sequence numbers, one final frame per utterance, and a clean end. At the end the
 * worker's sessions and memory are back near where they started.
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import type { TtsClient } from "../src/rpc/client.ts";
import { startTestWorker, type TestWorker } from "./support/worker_process.ts";
import { Bystander, type CallError, StreamProbe } from "./support/stream_probe.ts";
import { sleep } from "./support/sleep.ts";
import { createTempDir } from "./support/temp_dir.ts";

const FIXTURE_VOICES = new URL("./fixtures/voices/", import.meta.url).pathname;
const TINY = "en_US-tiny-low";
/** The server's limit on one received message (src/rpc/server.ts). */
const MAX_RECEIVE_BYTES = 4 * 1024 * 1024;
/**
 * Growth of the worker's resident memory over the text cases that still counts as no leak: V8
 * heaps grow and keep their pages (100-180 MB measured on 2 cores); a copy of the text per chunk
 * would be gigabytes.
 */
const RSS_SLACK_BYTES = 250 * 1024 * 1024;
/**
 * Further growth allowed per engine Worker the model cases start and end (four of them): each
 * leaves some tens of MB in the allocator; a voice that is never freed keeps about 300 MB.
 */
const RSS_PER_ENGINE_WORKER_BYTES = 100 * 1024 * 1024;
const ENGINE_WORKERS_STARTED = 4;

/** Waits (up to 5 s) for the resident set of `pid` to fall below `limit`; returns the last reading. */
async function settledResidentBytes(pid: number, limit: number): Promise<number> {
  let rss = await residentBytes(pid);
  for (let i = 0; i < 20 && rss > limit; i++) {
    await sleep(250); // freed Workers and buffers take a moment to go
    rss = await residentBytes(pid);
  }
  return rss;
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

const BYSTANDER_SENTENCES = [
  "The bystander keeps talking while the battery runs.",
  "Nothing that happens to other sessions should reach it.",
  "Every frame it gets must be whole and in order.",
  "It has a lot to say about the weather today.",
];
const LONG_TEXT = Array.from(
  { length: 6 },
  (_, i) => `This is sentence number ${i + 1} of a long text, spoken to keep a stream busy.`,
).join(" ");

/** Reads the resident set size of a process, in bytes, from /proc/<pid>/status. */
async function residentBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Asserts that `promise` rejects with gRPC status `code` and details matching `pattern`. */
async function assertStatus(
  promise: Promise<unknown>,
  code: grpc.status,
  pattern: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: grpc.ServiceError) => {
    assert.equal(error.code, code, `status ${grpc.status[error.code]}: ${error.details}`);
    assert.match(error.details, pattern);
    return true;
  });
}

/** Asserts a call's outcome: the status code and a details pattern. */
function assertCallError(error: CallError | undefined, code: grpc.status, pattern: RegExp): void {
  assert.ok(error, `expected ${grpc.status[code]}, the call ended OK`);
  assert.equal(error.code, code, `status ${grpc.status[error.code]}: ${error.details}`);
  assert.match(error.details, pattern);
}

/** Asserts a probe saw valid frames only, `finals` final frames, and ended OK on a final frame. */
function assertCleanStream(probe: StreamProbe, finals: number): void {
  assert.equal(probe.error, undefined, `stream error ${JSON.stringify(probe.error)}`);
  assert.deepEqual(probe.problems, []);
  assert.equal(probe.finals, finals, "final frames");
  assert.ok(probe.lastWasFinal, "the last frame is final");
}

/** Opens a stream for `sessionId` and sends `text` as one final chunk. */
function speakOnce(client: TtsClient, sessionId: string, text: string, end = true): StreamProbe {
  const probe = new StreamProbe(client.synthesize());
  probe.call.write({ session_id: sessionId, text, is_final: true, sequence_number: 0 });
  if (end) probe.call.end();
  return probe;
}

/** Starts a session and asserts it was admitted. */
async function startSession(
  client: TtsClient,
  id: string,
  modelId = "",
  options: Record<string, string> = {},
): Promise<void> {
  const started = await client.startSession(id, modelId, options);
  assert.equal(started.success, true, `StartSession ${id}: ${started.message}`);
}

/**
 * Opens a stream on `sessionId` once the worker has let go of the session's previous stream
 * (it learns of a client's cancel or deadline asynchronously), speaks `text`, and returns it.
 */
async function speakAgain(client: TtsClient, sessionId: string, text: string) {
  for (let attempt = 0;; attempt++) {
    const probe = speakOnce(client, sessionId, text);
    const error = await probe.waitForEnd(20_000);
    if (error?.code !== grpc.status.FAILED_PRECONDITION || attempt >= 40) return probe;
    await sleep(50);
  }
}

/** Writes `chunks` to a stream, honouring backpressure. */
async function writeAll(
  probe: StreamProbe,
  sessionId: string,
  chunks: Iterable<{ text: string; final: boolean }>,
): Promise<void> {
  let sequence = 0;
  for (const { text, final } of chunks) {
    const more = probe.call.write({
      session_id: sessionId,
      text,
      is_final: final,
      sequence_number: sequence++,
    });
    if (!more) await new Promise((resolve) => probe.call.once("drain", resolve));
  }
}

Deno.test("fault battery: bad input and faults get clear answers; a bystander is unharmed", async (t) => {
  await using modelsDir = await createTempDir("tts-fault-battery-");
  for (const entry of Deno.readDirSync(FIXTURE_VOICES)) {
    await Deno.copyFile(`${FIXTURE_VOICES}${entry.name}`, `${modelsDir.path}/${entry.name}`);
  }
  const tinyOnnx = await Deno.readFile(`${modelsDir.path}/${TINY}.onnx`);
  const tinyConfig = await Deno.readTextFile(`${modelsDir.path}/${TINY}.onnx.json`);
  const worker: TestWorker = await startTestWorker([
    "--models-dir",
    modelsDir.path,
    "--max-sessions",
    "64",
  ]);
  const { client } = worker;
  const pid = worker.process.pid;
  try {
    const baseline = await client.getCapabilities();
    // Warm up the paths the battery uses, so that the memory baseline includes them.
    await startSession(client, "warm-up");
    const warm = speakOnce(client, "warm-up", BYSTANDER_SENTENCES.join(" "));
    await warm.waitForEnd(30_000);
    assertCleanStream(warm, 1);
    assert.equal((await client.endSession("warm-up")).success, true);
    // One-time growth is paid before the baseline: V8's heap grows for a message near the
    // receive limit, and ONNX Runtime's first start in an engine Worker grows the process (with a
    // model that fails to load, so that nothing stays resident).
    const warmHuge = new StreamProbe(client.synthesize());
    await startSession(client, "warm-up-huge");
    warmHuge.call.write({
      session_id: "warm-up-huge",
      text: "Warm up. ".repeat(Math.floor((MAX_RECEIVE_BYTES - 64) / 9)),
      is_final: true,
      sequence_number: 0,
    });
    await warmHuge.waitForFrames(10, 30_000);
    assert.equal((await client.endSession("warm-up-huge")).success, true);
    await warmHuge.waitForEnd();
    await Deno.writeFile(`${modelsDir.path}/en_US-warmup-low.onnx`, tinyOnnx.slice(0, 100));
    await Deno.writeTextFile(`${modelsDir.path}/en_US-warmup-low.onnx.json`, tinyConfig);
    assert.equal((await client.loadModel("en_US-warmup-low")).success, false);
    await sleep(1000); // the failed load's Worker is gone and its memory released
    const rssBefore = await residentBytes(pid);

    const bystander = await Bystander.start(client, "bystander", BYSTANDER_SENTENCES);
    await bystander.probe.waitForFrames(10);
    /** Every session id the battery may have left open; all are ended at the end. */
    const opened = new Set<string>();
    const session = async (id: string, modelId = "", options: Record<string, string> = {}) => {
      await startSession(client, id, modelId, options);
      opened.add(id);
    };
    const step = async (name: string, fn: () => Promise<void>) => {
      const ok = await t.step(name, async () => {
        await fn();
        bystander.assertHealthy(name);
      });
      return ok;
    };

    await step("empty and whitespace-only text: one silent final frame each", async () => {
      await session("s-empty");
      const probe = new StreamProbe(client.synthesize(), { firstSequence: 0 });
      const write = (text: string, final: boolean) =>
        probe.call.write({ session_id: "s-empty", text, is_final: final, sequence_number: 0 });
      write("", false); // nothing: no utterance opens
      write("", true);
      write(" \t\n\r\u00a0\u2003 ", true);
      write("   ", false);
      write("", true);
      probe.call.end();
      await probe.waitForEnd();
      assertCleanStream(probe, 3);
      assert.equal(probe.frameCount, 3, "one frame per empty utterance");
      for (const frame of probe.frames) {
        assert.ok(frame.audio_data.every((b) => b === 0), "silence");
      }
    });

    await step(
      "text over the receive limit: RESOURCE_EXHAUSTED; the session lives on",
      async () => {
        await session("s-over");
        const probe = new StreamProbe(client.synthesize());
        probe.call.write({
          session_id: "s-over",
          text: "a".repeat(MAX_RECEIVE_BYTES + 1),
          is_final: true,
          sequence_number: 0,
        });
        probe.call.end();
        assertCallError(
          await probe.waitForEnd(),
          grpc.status.RESOURCE_EXHAUSTED,
          /larger than max/,
        );
        assert.equal(probe.frameCount, 0);
        const after = speakOnce(client, "s-over", "Still here after an oversized message.");
        await after.waitForEnd();
        assertCleanStream(after, 1);
      },
    );

    for (
      const [label, size] of [["1 MB", 1_000_000], [
        "just under 4 MiB",
        MAX_RECEIVE_BYTES - 64,
      ]] as const
    ) {
      await step(`a ${label} chunk is spoken without starving the bystander`, async () => {
        const id = `s-huge-${size}`;
        await session(id);
        const sentence = "A very long text arrives in a single chunk, and it is spoken in turn. ";
        const text = sentence.repeat(Math.ceil(size / sentence.length)).slice(0, size);
        const probe = new StreamProbe(client.synthesize(), { firstSequence: 0, keepFrames: false });
        probe.call.write({ session_id: id, text, is_final: true, sequence_number: 0 });
        await probe.waitForFrames(1, 30_000);
        // While the huge utterance speaks, the bystander goes on being served.
        const bystanderAt = bystander.probe.frameCount;
        await bystander.probe.waitForFrames(bystanderAt + 20, 15_000);
        await probe.waitForFrames(50, 15_000);
        assert.equal(probe.ended, false, "the huge utterance is still being spoken");
        const stop = await client.control(id, "STOP");
        assert.equal(stop.success, true, stop.message);
        assert.equal(stop.message, "stopped");
        probe.call.end();
        await probe.waitForEnd();
        assertCleanStream(probe, 1);
      });
    }

    await step("100 000 one-character chunks are taken in order and spoken", async () => {
      await session("s-tiny-chunks");
      const probe = new StreamProbe(client.synthesize(), { firstSequence: 0, keepFrames: false });
      const source = "Many tiny chunks make up these words, one character at a time. ";
      const total = 100_000;
      await writeAll(
        probe,
        "s-tiny-chunks",
        (function* () {
          for (let i = 0; i < total; i++) {
            yield { text: source[i % source.length], final: i === total - 1 };
          }
        })(),
      );
      probe.call.end();
      await probe.waitForFrames(50, 40_000);
      assert.deepEqual(probe.problems, []);
      assert.equal(probe.finals, 0, "the utterance is still being spoken");
      // Cancel rather than wait for minutes of speech (all input has been sent by now).
      probe.call.cancel();
      assertCallError(await probe.waitForEnd(), grpc.status.CANCELLED, /Cancelled/);
      const after = await speakAgain(client, "s-tiny-chunks", "Done with tiny chunks.");
      assertCleanStream(after, 1);
    });

    const oddTexts: Array<[string, string]> = [
      [
        "control characters",
        "Bell\u0007 null\u0000 escape\u001b[31m red\u001b[0m, tab\tvertical\u000b form\u000c " +
        "next\u0085line\u2028para\u2029 delete\u007f zero\u200bwidth \ufeffmark\u0001\u001f end.",
      ],
      [
        "lone UTF-16 surrogates",
        "A high \ud800 surrogate, a low \udc00 one, a reversed \udc00\ud83d pair, and the end.",
      ],
      [
        "mixed scripts",
        "English, Русский текст, Ελληνικά, العربية, עברית, 中文字符, 日本語のテキスト, 한국어, " +
        "हिन्दी, ไทย, and English again.",
      ],
      ["a 5 000-character word", "Prefix " + "abcdefghij".repeat(500) + " suffix."],
      ["emoji only", "😀🎉👍🏽🇺🇸👨‍👩‍👧🤖❤️‍🔥"],
    ];
    for (const [label, text] of oddTexts) {
      await step(`${label}: accepted, one final frame, valid frames`, async () => {
        const id = `s-odd-${label.replaceAll(/\W+/g, "-")}`;
        await session(id);
        const probe = new StreamProbe(client.synthesize(), { firstSequence: 0 });
        probe.call.write({ session_id: id, text, is_final: true, sequence_number: 0 });
        probe.call.end();
        // Long output may be cut short; the utterance still ends in one final frame.
        await probe.waitForFrames(100, 30_000).catch(() => {}); // or it ended sooner
        if (!probe.ended) {
          const stop = await client.control(id, "STOP");
          assert.equal(stop.success, true, stop.message);
        }
        await probe.waitForEnd();
        assertCleanStream(probe, 1);
      });
    }

    await step("session ids: empty, huge, duplicate", async () => {
      await assertStatus(client.startSession(""), grpc.status.INVALID_ARGUMENT, /empty/);
      await assertStatus(
        client.startSession("x".repeat(257)),
        grpc.status.INVALID_ARGUMENT,
        /257 characters long; the limit is 256/,
      );
      const huge = "y".repeat(100_000);
      await assertStatus(client.startSession(huge), grpc.status.INVALID_ARGUMENT, /limit is 256/);
      await session("z".repeat(256)); // the limit itself is fine
      const duplicate = await client.startSession("bystander");
      assert.equal(duplicate.success, false);
      assert.match(duplicate.message, /"bystander" is already live; end it or use another id/);
      for (const [id, pattern] of [["", /empty/], [huge, /limit is 256/]] as const) {
        const probe = speakOnce(client, id, "Hello.");
        assertCallError(await probe.waitForEnd(), grpc.status.INVALID_ARGUMENT, pattern);
      }
      const control = await client.control(huge, "PAUSE");
      assert.equal(control.success, false);
      assert.ok(control.message.length < 1000, "the message does not echo a huge id");
      assert.equal((await client.endSession(huge)).success, false);
      assert.equal((await client.endSession("")).success, false);
    });

    await step("path-traversal and malformed model ids are refused", async () => {
      const ids = [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "..",
        "/etc/passwd",
        `${modelsDir.path}/${TINY}`,
        `${modelsDir.path}/${TINY}.onnx`,
        `./${TINY}`,
        `${TINY}/../${TINY}`,
        "C:\\Windows\\system32",
        "en_US\u0000tiny",
      ];
      for (const id of ids) {
        const pattern = /model id .*(may only contain|must not)/;
        const started = await client.startSession("s-traversal", id);
        assert.equal(started.success, false, id);
        assert.match(started.message, pattern, id);
        const loaded = await client.loadModel(id);
        assert.equal(loaded.success, false, id);
        assert.match(loaded.message, pattern, id);
        const unloaded = await client.unloadModel(id);
        assert.equal(unloaded.success, false, id);
        assert.match(unloaded.message, pattern, id);
      }
      const listed = (await client.listModels()).models.map((m) => m.model_id);
      assert.ok(listed.every((id) => /^[\w.-]+$/.test(id) && !id.includes("..")), listed.join());
    });

    await step("unknown models are refused with the list of known ones", async () => {
      for (const id of ["no-such-voice", "espeak-xx-yy", "en_US-tiny-high"]) {
        const started = await client.startSession("s-unknown", id);
        assert.equal(started.success, false);
        assert.match(started.message, new RegExp(`unknown model "${id}"; known models: .*espeak`));
        assert.match(started.message, new RegExp(TINY));
        const loaded = await client.loadModel(id);
        assert.equal(loaded.success, false);
        assert.match(loaded.message, /unknown model/);
      }
      assert.equal((await client.endSession("s-unknown")).success, false, "nothing was started");
    });

    await step("a chunk for another session mid-stream: INVALID_ARGUMENT", async () => {
      await session("s-victim");
      const probe = speakOnce(client, "s-victim", LONG_TEXT, false);
      await probe.waitForFrames(3);
      // The chunk names the bystander: it must not reach the bystander's stream.
      probe.call.write({
        session_id: "bystander",
        text: "Hijacked words.",
        is_final: true,
        sequence_number: 1,
      });
      assertCallError(
        await probe.waitForEnd(),
        grpc.status.INVALID_ARGUMENT,
        /chunk names session "bystander" but this stream belongs to "s-victim"/,
      );
      assert.deepEqual(probe.problems, []);
      const after = await speakAgain(client, "s-victim", "The victim speaks again.");
      assertCleanStream(after, 1);
    });

    await step("Control with unknown command numbers: INVALID_ARGUMENT", async () => {
      for (const command of [99, 4, -1]) {
        for (const id of ["bystander", "nobody"]) {
          await assertStatus(
            client.control(id, command),
            grpc.status.INVALID_ARGUMENT,
            new RegExp(`unknown control command ${command}; use PAUSE \\(0\\)`),
          );
        }
      }
    });

    await step("client cancel mid-utterance: CANCELLED; the session speaks again", async () => {
      await session("s-cancel");
      const probe = speakOnce(client, "s-cancel", LONG_TEXT, false);
      await probe.waitForFrames(5);
      probe.call.cancel();
      assertCallError(await probe.waitForEnd(), grpc.status.CANCELLED, /Cancelled/);
      assert.deepEqual(probe.problems, []);
      const after = await speakAgain(client, "s-cancel", "Back after a cancel.");
      assertCleanStream(after, 1);
    });

    await step("tiny client deadlines: DEADLINE_EXCEEDED; the session speaks again", async () => {
      await session("s-deadline");
      const unary = new Promise((resolve, reject) =>
        (client.raw as unknown as Record<string, (...a: unknown[]) => void>).GetCapabilities(
          {},
          { deadline: Date.now() + 1 },
          (error: Error | null, response: unknown) => error ? reject(error) : resolve(response),
        )
      );
      // A 1 ms deadline may pass before or after the server answers.
      await unary.catch((error: grpc.ServiceError) =>
        assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED)
      );
      for (const ms of [1, 50]) {
        const probe = new StreamProbe(client.synthesize({ deadline: Date.now() + ms }));
        probe.call.write({
          session_id: "s-deadline",
          text: LONG_TEXT,
          is_final: true,
          sequence_number: 0,
        });
        assertCallError(await probe.waitForEnd(), grpc.status.DEADLINE_EXCEEDED, /Deadline/);
        assert.deepEqual(probe.problems, []);
      }
      const after = await speakAgain(client, "s-deadline", "Back after a deadline.");
      assertCleanStream(after, 1);
    });

    await step("after the text cases, memory is near its baseline", async () => {
      const rss = await settledResidentBytes(pid, rssBefore + RSS_SLACK_BYTES);
      console.log(`worker RSS: ${megabytes(rssBefore)} before, ${megabytes(rss)} after text`);
      assert.ok(
        rss - rssBefore < RSS_SLACK_BYTES,
        `RSS grew from ${megabytes(rssBefore)} to ${megabytes(rss)}`,
      );
    });

    await step("UnloadModel and RELOAD while sessions use the model", async () => {
      // The long answer is awaited to its end: unpaced, it does not take its 20 s of real time.
      await session("s-reloader", "", { audio_lead_ms: "0" });
      const probe = speakOnce(client, "s-reloader", LONG_TEXT, false);
      await probe.waitForFrames(3);
      const busy = await client.unloadModel("espeak-en-us");
      assert.equal(busy.success, false);
      assert.match(busy.message, /is used by live sessions: .*bystander.*; end them first/);
      assert.match(busy.message, /s-reloader/);
      for (const id of ["s-reloader", "bystander"]) {
        const reload = await client.control(id, "RELOAD");
        assert.equal(reload.success, true, reload.message);
        assert.match(reload.message, /reloaded in \d+ ms; it speaks from the next utterance/);
      }
      // The utterance in flight goes on with the old instance; the next one uses the new one.
      probe.call.write({
        session_id: "s-reloader",
        text: "Spoken by the reloaded voice.",
        is_final: true,
        sequence_number: 1,
      });
      probe.call.end();
      await probe.waitForEnd(30_000);
      assertCleanStream(probe, 2);
    });

    await step("RELOAD of a model whose file went bad: success=false; it speaks on", async () => {
      const loaded = await client.loadModel(TINY, true);
      assert.equal(loaded.success, true, loaded.message);
      await session("s-tiny-voice", TINY);
      const probe = speakOnce(client, "s-tiny-voice", BYSTANDER_SENTENCES.join(" "), false);
      await probe.waitForFrames(3);
      const busy = await client.unloadModel(TINY);
      assert.equal(busy.success, false);
      assert.match(busy.message, /is used by live sessions: s-tiny-voice; end them first/);
      await Deno.writeFile(`${modelsDir.path}/${TINY}.onnx`, tinyOnnx.slice(0, 100));
      try {
        const reload = await client.control("s-tiny-voice", "RELOAD");
        assert.equal(reload.success, false);
        assert.match(reload.message, new RegExp(`reload of "${TINY}" failed: .+`));
      } finally {
        await Deno.writeFile(`${modelsDir.path}/${TINY}.onnx`, tinyOnnx);
      }
      // The utterance in flight (if still speaking) and the next one use the resident voice.
      probe.call.write({
        session_id: "s-tiny-voice",
        text: "The resident voice speaks on.",
        is_final: true,
        sequence_number: 1,
      });
      probe.call.end();
      await probe.waitForEnd(30_000);
      assertCleanStream(probe, 2);
      assert.ok((await client.getCapabilities()).resident_models.includes(TINY));
      assert.equal((await client.endSession("s-tiny-voice")).success, true);
      opened.delete("s-tiny-voice");
      const unloaded = await client.unloadModel(TINY);
      assert.equal(unloaded.success, true, unloaded.message);
    });

    await step("corrupt and truncated model files: LoadModel success=false", async () => {
      const cases: Array<[string, Uint8Array]> = [
        ["en_US-garbage-low", crypto.getRandomValues(new Uint8Array(tinyOnnx.byteLength))],
        ["en_US-truncated-low", tinyOnnx.slice(0, Math.floor(tinyOnnx.byteLength / 2))],
      ];
      for (const [id, bytes] of cases) {
        await Deno.writeFile(`${modelsDir.path}/${id}.onnx`, bytes);
        await Deno.writeTextFile(`${modelsDir.path}/${id}.onnx.json`, tinyConfig);
        const loaded = await client.loadModel(id);
        assert.equal(loaded.success, false, `${id}: ${loaded.message}`);
        assert.match(loaded.message, new RegExp(`model "${id}" could not be loaded: .+`));
        assert.ok(!(await client.getCapabilities()).resident_models.includes(id));
      }
      // A voice whose sample rate the resampler cannot take is refused at load, not at its first
      // utterance.
      const oddRate = "en_US-oddrate-low";
      await Deno.writeFile(`${modelsDir.path}/${oddRate}.onnx`, tinyOnnx);
      const config = JSON.parse(tinyConfig);
      config.audio.sample_rate = 22051;
      await Deno.writeTextFile(`${modelsDir.path}/${oddRate}.onnx.json`, JSON.stringify(config));
      const refused = await client.loadModel(oddRate);
      assert.equal(refused.success, false, refused.message);
      assert.match(
        refused.message,
        /sample rate of 22051 Hz cannot be resampled to 48000 Hz \(22051 -> 48000 Hz needs 48000 filter phases/,
      );
      const started = await client.startSession("s-oddrate", oddRate);
      assert.equal(started.success, false);
      assert.match(started.message, /cannot be resampled/);
      // The failed loads did not change the default model: a new session still speaks.
      await session("s-after-corrupt");
      const probe = speakOnce(client, "s-after-corrupt", "The worker still serves.");
      await probe.waitForEnd();
      assertCleanStream(probe, 1);
    });

    await step(
      "an utterance whose inference fails: one final frame, its later text dropped, the stream goes on",
      async () => {
        // The multi-speaker tiny model has pitches for three speakers; this config names a fourth,
        // so every inference for speaker "dan" fails inside onnxruntime (Gather out of bounds).
        const id = "en_US-brokenspeaker-low";
        await Deno.copyFile(
          `${modelsDir.path}/en_US-tinymulti-low.onnx`,
          `${modelsDir.path}/${id}.onnx`,
        );
        const config = JSON.parse(
          await Deno.readTextFile(`${modelsDir.path}/en_US-tinymulti-low.onnx.json`),
        );
        config.num_speakers = 4;
        config.speaker_id_map.dan = 3;
        await Deno.writeTextFile(`${modelsDir.path}/${id}.onnx.json`, JSON.stringify(config));
        const failedBefore = (await client.getCapabilities()).metrics.utterances_failed_total;
        const started = await client.startSession("s-broken", id, { speaker: "dan" });
        assert.equal(started.success, true, started.message);
        opened.add("s-broken");
        const probe = new StreamProbe(client.synthesize(), { firstSequence: 0 });
        const chunk = (text: string, final: boolean, sequence: number) =>
          probe.call.write({
            session_id: "s-broken",
            text,
            is_final: final,
            sequence_number: sequence,
          });
        chunk("The first sentence cannot be said. And this one", false, 0);
        await probe.waitForFrames(1, 30_000);
        assert.equal(probe.finals, 1, "the failed utterance ended with its final frame");
        // The client goes on with the same utterance, then ends it: the worker drops that text
        // (it once crashed here, enqueueing into the failed utterance's cancelled text stream).
        chunk(" goes on.", false, 1);
        chunk(" The end.", true, 2);
        await sleep(300);
        assert.equal(probe.finals, 1, "no second final frame for the same utterance");
        const caps = await client.getCapabilities();
        assert.equal(caps.metrics.utterances_failed_total, failedBefore + 1);
        // The session ends cleanly; its stream closes OK.
        assert.equal((await client.endSession("s-broken")).success, true);
        opened.delete("s-broken");
        assert.equal(await probe.waitForEnd(), undefined);
        assertCleanStream(probe, 1);
        assert.equal((await client.unloadModel(id)).success, true);
      },
    );

    await step(
      "two streams for one session: while the first speaks, the second gets FAILED_PRECONDITION",
      async () => {
        await session("s-dual");
        const first = speakOnce(client, "s-dual", LONG_TEXT, false);
        await first.waitForFrames(3);
        for (let i = 0; i < 2; i++) {
          const second = speakOnce(client, "s-dual", "A second stream.");
          assertCallError(
            await second.waitForEnd(),
            grpc.status.FAILED_PRECONDITION,
            /session "s-dual" already has a Synthesize stream that is still speaking .*; a session speaks on one stream at a time: wait for its final frame \(or STOP it\)/,
          );
          assert.equal(second.frameCount, 0);
        }
        // The refused streams did not detach the first one: it goes on to its final frame.
        await first.waitForFrames(first.frameCount + 10);
        assert.equal((await client.control("s-dual", "STOP")).message, "stopped");
        first.call.end();
        await first.waitForEnd(30_000);
        assertCleanStream(first, 1);
      },
    );

    await step("garbage bytes on the port: the worker keeps serving", async () => {
      const payloads = [
        crypto.getRandomValues(new Uint8Array(4096)),
        new TextEncoder().encode(
          "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        ),
        new TextEncoder().encode(
          "POST /tts.TTSService/Synthesize HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        ),
        new Uint8Array([
          ...new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
          ...crypto.getRandomValues(new Uint8Array(1024)),
        ]),
      ];
      for (const payload of payloads) {
        const connection = await Deno.connect({ hostname: "127.0.0.1", port: worker.port });
        try {
          await connection.write(payload);
          // Read what the server answers (if anything) until it closes, for a short while.
          const buffer = new Uint8Array(4096);
          const timer = setTimeout(() => connection.close(), 1000);
          try {
            while ((await connection.read(buffer)) !== null) { /* discard */ }
          } catch { /* closed by the timer or reset by the server */ }
          clearTimeout(timer);
        } finally {
          try {
            connection.close();
          } catch { /* already closed */ }
        }
      }
      const caps = await client.getCapabilities();
      assert.equal(caps.capabilities.streaming, true);
      await session("s-after-garbage");
      const probe = speakOnce(client, "s-after-garbage", "Garbage did not hurt.");
      await probe.waitForEnd();
      assertCleanStream(probe, 1);
    });

    await t.step("the bystander finishes unharmed", async () => {
      // A fast battery may end before the bystander has said much: let it reach ten utterances.
      const deadline = performance.now() + 20_000;
      while (bystander.utterances < 10 && performance.now() < deadline) await sleep(100);
      bystander.assertHealthy("the end of the battery");
      const { frames, utterances } = await bystander.finish();
      assert.ok(utterances >= 10, `bystander spoke ${utterances} utterances`);
      assert.ok(frames > utterances * 50, `bystander got ${frames} frames`);
    });

    await t.step("sessions and memory return to their baseline", async () => {
      assert.equal((await client.endSession("bystander")).success, true);
      for (const id of opened) await client.endSession(id);
      const caps = await client.getCapabilities();
      assert.equal(caps.metrics.active_sessions, baseline.metrics.active_sessions);
      assert.deepEqual((await client.getCapabilities()).resident_models, ["espeak-en-us"]);
      const limit = RSS_SLACK_BYTES + ENGINE_WORKERS_STARTED * RSS_PER_ENGINE_WORKER_BYTES;
      const rss = await settledResidentBytes(pid, rssBefore + limit);
      console.log(`worker RSS: ${megabytes(rssBefore)} before, ${megabytes(rss)} at the end`);
      assert.ok(
        rss - rssBefore < limit,
        `RSS grew from ${megabytes(rssBefore)} to ${megabytes(rss)}`,
      );
    });
  } finally {
    const code = await worker.stop();
    assert.equal(code, 0, "worker exits 0 on SIGTERM");
  }
});
