/**
 * End to end: the real worker on a free port, driven over gRPC by a real client. Every RPC of
 * `tts.TTSService` and its error paths, frame invariants, control, health and reflection.
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import type { AudioFrame } from "../src/rpc/messages.ts";
import { startTestWorker, type TestWorker } from "./support/worker_process.ts";
import { collectFrames, speak } from "./support/synthesis_client.ts";
import { sleep } from "./support/sleep.ts";

const FIXTURE_VOICES = new URL("./fixtures/voices/", import.meta.url).pathname;
const SENTENCES = "The quick brown fox jumps over the lazy dog. " +
  "A second sentence follows, so that there is more than one segment to speak.";

/** Frame invariants that hold for every stream: size, rate, sequence, finals. */
function assertFrameInvariants(frames: AudioFrame[], firstSequence: number, utterances: number) {
  assert.ok(frames.length > 0, "no frames");
  frames.forEach((frame, i) => {
    assert.equal(frame.audio_data.byteLength, 1920, `frame ${i} size`);
    assert.equal(frame.sample_rate, 48000);
    assert.equal(frame.frame_duration_ms, 20);
    assert.equal(frame.sequence_number, firstSequence + i, `sequence gap at frame ${i}`);
  });
  assert.equal(frames.filter((f) => f.is_final).length, utterances, "final frames");
  assert.ok(frames.at(-1)!.is_final, "last frame is final");
}

/** `promise`'s value, or undefined when it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((
    resolve,
  ) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function withWorker(fn: (worker: TestWorker) => Promise<void>) {
  const worker = await startTestWorker(["--models-dir", FIXTURE_VOICES, "--max-sessions", "8"]);
  try {
    await fn(worker);
  } finally {
    assert.equal(await worker.stop(), 0, "worker exits 0 on SIGTERM");
  }
}

function waitFor<I, T>(call: grpc.ClientDuplexStream<I, T>, count: number): Promise<T[]> {
  const seen: T[] = [];
  return new Promise((resolve, reject) => {
    const onData = (item: T) => {
      seen.push(item);
      if (seen.length >= count) {
        call.off("data", onData);
        resolve(seen);
      }
    };
    call.on("data", onData);
    call.on("error", reject);
  });
}

Deno.test("worker serves every tts.TTSService RPC end to end", async (t) => {
  await withWorker(async (worker) => {
    const { client } = worker;

    await t.step("health is SERVING for '' and tts.TTSService, and Watch streams it", async () => {
      const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
      const health = grpc.loadPackageDefinition(definition) as unknown as {
        grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
      };
      const healthClient = new health.grpc.health.v1.Health(
        worker.address,
        grpc.credentials.createInsecure(),
      ) as unknown as Record<string, (...a: unknown[]) => unknown> & grpc.Client;
      for (const service of ["", "tts.TTSService"]) {
        const status = await new Promise<{ status: string }>((resolve, reject) =>
          healthClient.Check(
            { service },
            (e: Error | null, r: { status: string }) => e ? reject(e) : resolve(r),
          )
        );
        assert.equal(status.status, "SERVING");
      }
      const watch = healthClient.Watch({ service: "tts.TTSService" }) as grpc.ClientReadableStream<
        { status: string }
      >;
      const first = await new Promise<{ status: string }>((resolve) => watch.once("data", resolve));
      assert.equal(first.status, "SERVING");
      const cancelled = new Promise<grpc.ServiceError>((resolve) => watch.once("error", resolve));
      watch.cancel();
      assert.equal((await cancelled).code, grpc.status.CANCELLED);
      healthClient.close();
    });

    await t.step("server reflection lists both services and describes tts.TTSService", async () => {
      const reflectionDir =
        new URL("../node_modules/@grpc/reflection/build/proto/", import.meta.url)
          .pathname;
      const definition = protoLoader.loadSync("grpc/reflection/v1/reflection.proto", {
        includeDirs: [reflectionDir],
        keepCase: true,
      });
      const pkg = grpc.loadPackageDefinition(definition) as unknown as {
        grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
      };
      const reflection = new pkg.grpc.reflection.v1.ServerReflection(
        worker.address,
        grpc.credentials.createInsecure(),
      ) as unknown as Record<string, (...a: unknown[]) => unknown> & grpc.Client;
      const call = reflection.ServerReflectionInfo() as grpc.ClientDuplexStream<
        unknown,
        Record<string, unknown>
      >;
      const replies = waitFor(call, 2);
      call.write({ list_services: "" });
      call.write({ file_containing_symbol: "tts.TTSService" });
      const [list, file] = await replies;
      call.end();
      reflection.close();
      const names = (list.list_services_response as { service: { name: string }[] }).service
        .map((s) => s.name);
      // What `grpcurl list` prints (README): the two services, not reflection itself.
      assert.deepEqual(names.sort(), ["grpc.health.v1.Health", "tts.TTSService"]);
      const files = (file.file_descriptor_response as { file_descriptor_proto: Uint8Array[] })
        .file_descriptor_proto;
      assert.ok(files.length >= 1);
      const text = new TextDecoder().decode(files[0]);
      assert.match(text, /TTSService/);
      assert.match(text, /Synthesize/);
    });

    await t.step("StartSession: default model, errors, options", async () => {
      const ok = await client.startSession("s-default");
      assert.equal(ok.success, true, ok.message);
      const again = await client.startSession("s-default");
      assert.equal(again.success, false);
      assert.match(again.message, /already live/);
      const unknown = await client.startSession("s-unknown", "no-such-voice");
      assert.equal(unknown.success, false);
      assert.match(unknown.message, /espeak-en-us/, "message lists the ids that exist");
      assert.match(unknown.message, /en_US-tiny-low/);
      const traversal = await client.startSession("s-traversal", "../../etc/passwd");
      assert.equal(traversal.success, false);
      await assert.rejects(client.startSession(""), (e: grpc.ServiceError) => {
        assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
        return true;
      });
      await assert.rejects(client.startSession("x".repeat(257)), (e: grpc.ServiceError) => {
        assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
        assert.match(e.details, /256/);
        return true;
      });
      const badSpeed = await client.startSession("s-speed", "", { speed: "9" });
      assert.equal(badSpeed.success, false);
      assert.match(badSpeed.message, /"speed"/);
      const badNoise = await client.startSession("s-noise", "", { noise_scale: "x" });
      assert.equal(badNoise.success, false);
      assert.match(badNoise.message, /"noise_scale"/);
      const badSpeaker = await client.startSession("s-speaker", "", { speaker: "alice" });
      assert.equal(badSpeaker.success, false);
      assert.match(badSpeaker.message, /"speaker"/);
      const badLead = await client.startSession("s-lead", "", { audio_lead_ms: "-1" });
      assert.equal(badLead.success, false);
      assert.match(badLead.message, /"audio_lead_ms" must be a whole number from 0 to 600000/);
      const extra = await client.startSession("s-extra", "", { speed: "1.5", colour: "blue" });
      assert.equal(extra.success, true, extra.message);
      assert.ok(
        worker.logs.some((l) => l.msg === "unknown session options ignored"),
        "unknown keys are logged",
      );
      for (const id of ["s-default", "s-extra"]) {
        assert.equal((await client.endSession(id)).success, true);
      }
      assert.equal((await client.endSession("s-default")).success, false, "ended twice");
    });

    await t.step(
      "Synthesize: valid frames, one final, gap-free sequence across utterances",
      async () => {
        await client.startSession("s-two");
        const call = client.synthesize();
        const collected = collectFrames(call);
        call.write({
          session_id: "s-two",
          text: "Hello there. ",
          is_final: false,
          sequence_number: 1,
        });
        call.write({
          session_id: "s-two",
          text: "How are you today?",
          is_final: true,
          sequence_number: 2,
        });
        call.write({
          session_id: "s-two",
          text: "This is the second utterance.",
          is_final: true,
          sequence_number: 3,
        });
        call.end();
        const { frames, error } = await collected;
        assert.equal(error, undefined);
        assertFrameInvariants(frames, 0, 2);
        const firstFinal = frames.findIndex((f) => f.is_final);
        assert.ok(firstFinal > 25 && firstFinal < frames.length - 25, "two real utterances");
        // Sequence numbers continue on a new stream of the same session.
        const call2 = client.synthesize();
        const collected2 = collectFrames(call2);
        call2.write({ session_id: "s-two", text: "Third.", is_final: true, sequence_number: 4 });
        call2.end();
        const second = await collected2;
        assertFrameInvariants(second.frames, frames.length, 1);
        await client.endSession("s-two");
      },
    );

    await t.step(
      "Synthesize: first frame arrives before is_final once a sentence is complete",
      async () => {
        await client.startSession("s-early");
        const call = client.synthesize();
        const first = waitFor(call, 1);
        const collected = collectFrames(call);
        call.write({
          session_id: "s-early",
          text: "This first sentence is complete. And this one is still being",
          is_final: false,
          sequence_number: 1,
        });
        const [frame] = await first;
        assert.equal(frame.sequence_number, 0);
        assert.equal(frame.is_final, false);
        call.write({
          session_id: "s-early",
          text: " written.",
          is_final: true,
          sequence_number: 2,
        });
        call.end();
        assertFrameInvariants((await collected).frames, 0, 1);
        await client.endSession("s-early");
      },
    );

    await t.step(
      "Synthesize: a new stream replaces an idle one that was never half-closed (one stream per answer)",
      async () => {
        await client.startSession("s-answers");
        // Answer A, spoken to its final frame; the client never half-closes it (its half-close
        // may reach the worker after the next stream's first chunk).
        const callA = client.synthesize();
        const endA = collectFrames(callA);
        const framesA: AudioFrame[] = [];
        callA.on("data", (frame: AudioFrame) => framesA.push(frame));
        callA.write({
          session_id: "s-answers",
          text: "The first answer.",
          is_final: true,
          sequence_number: 0,
        });
        while (!framesA.at(-1)?.is_final) await sleep(10);
        // Answer B, on a new stream of the same session.
        const callB = client.synthesize();
        const endB = collectFrames(callB);
        const firstOfB = waitFor(callB, 1);
        callB.write({
          session_id: "s-answers",
          text: "The second answer.",
          is_final: true,
          sequence_number: 0,
        });
        // Text on the old call once it was replaced (15 s of speech) is not spoken anywhere. (Had
        // it reached the worker before B's first chunk, A would be speaking it and B refused.)
        await firstOfB;
        callA.write({
          session_id: "s-answers",
          text: Array.from({ length: 8 }, () => SENTENCES).join(" "),
          is_final: true,
          sequence_number: 1,
        });
        callB.end();
        const b = await endB;
        assert.equal(b.error, undefined, `B: ${JSON.stringify(b.error)}`);
        const a = await within(endA, 10_000);
        assert.ok(a, "the replaced stream ends without its client half-closing it");
        assert.equal(a.error, undefined, "the replaced stream ends with OK");
        assertFrameInvariants(a.frames, 0, 1);
        assertFrameInvariants(b.frames, a.frames.length, 1);
        assert.ok(b.frames.length > 20 && b.frames.length < 200, `B: ${b.frames.length} frames`);
        // The session goes on: a third stream after B half-closed, and EndSession.
        const callC = client.synthesize();
        const endC = collectFrames(callC);
        callC.write({
          session_id: "s-answers",
          text: "The third answer.",
          is_final: true,
          sequence_number: 0,
        });
        callC.end();
        const c = await endC;
        assert.equal(c.error, undefined);
        assertFrameInvariants(c.frames, a.frames.length + b.frames.length, 1);
        assert.equal((await client.endSession("s-answers")).success, true);
      },
    );

    await t.step(
      "Synthesize: a second stream is refused while the first speaks, is paused mid-answer or has text in progress",
      async () => {
        await client.startSession("s-busy");
        const callA = client.synthesize();
        const endA = collectFrames(callA);
        const framesA: AudioFrame[] = [];
        callA.on("data", (frame: AudioFrame) => framesA.push(frame));
        const refusal = async (pattern: RegExp) => {
          const call = client.synthesize();
          const ended = collectFrames(call);
          call.write({
            session_id: "s-busy",
            text: "Too early.",
            is_final: true,
            sequence_number: 0,
          });
          const result = await ended;
          assert.equal(result.error?.code, grpc.status.FAILED_PRECONDITION);
          assert.match(result.error!.details, pattern);
          assert.equal(result.frames.length, 0);
        };
        // A speaks a long answer (15 s of speech).
        callA.write({
          session_id: "s-busy",
          text: Array.from({ length: 8 }, () => SENTENCES).join(" "),
          is_final: true,
          sequence_number: 0,
        });
        while (framesA.length < 3) await sleep(10);
        await refusal(/session "s-busy" already has a Synthesize stream that is still speaking/);
        // A's answer, held by PAUSE.
        assert.equal((await client.control("s-busy", "PAUSE")).success, true);
        await refusal(/holds an utterance paused by PAUSE; .*RESUME/);
        assert.equal((await client.control("s-busy", "RESUME")).success, true);
        assert.equal((await client.control("s-busy", "STOP")).message, "stopped");
        while (!framesA.at(-1)?.is_final) await sleep(10);
        // A has an answer in progress: text without is_final, spoken or not.
        callA.write({
          session_id: "s-busy",
          text: "Well, let",
          is_final: false,
          sequence_number: 1,
        });
        await sleep(100);
        await refusal(/has an utterance in progress \(text received since its last is_final\)/);
        // A is unharmed: it ends its answer and speaks it.
        callA.write({
          session_id: "s-busy",
          text: " me think.",
          is_final: true,
          sequence_number: 2,
        });
        callA.end();
        const a = await endA;
        assert.equal(a.error, undefined);
        assertFrameInvariants(a.frames, 0, 2);
        assert.equal((await client.endSession("s-busy")).success, true);
      },
    );

    await t.step(
      "Synthesize: unknown session NOT_FOUND, foreign chunk INVALID_ARGUMENT",
      async () => {
        const call = client.synthesize();
        const collected = collectFrames(call);
        call.write({ session_id: "nobody", text: "Hello.", is_final: true, sequence_number: 0 });
        const result = await collected;
        assert.equal(result.error?.code, grpc.status.NOT_FOUND);
        assert.match(result.error!.details, /StartSession/);

        await client.startSession("s-mine");
        await client.startSession("s-other");
        const mixed = client.synthesize();
        const mixedFrames = collectFrames(mixed);
        mixed.write({ session_id: "s-mine", text: "Hello", is_final: false, sequence_number: 0 });
        mixed.write({ session_id: "s-other", text: "there.", is_final: true, sequence_number: 1 });
        const mixedResult = await mixedFrames;
        assert.equal(mixedResult.error?.code, grpc.status.INVALID_ARGUMENT);
        assert.match(mixedResult.error!.details, /s-other/);
        // The session itself survives and speaks on a new stream.
        const retry = client.synthesize();
        const retryFrames = collectFrames(retry);
        retry.write({
          session_id: "s-mine",
          text: "Still here.",
          is_final: true,
          sequence_number: 2,
        });
        retry.end();
        const retried = await retryFrames;
        assert.equal(retried.error, undefined);
        assert.equal(retried.frames.filter((f) => f.is_final).length, 1);
        await client.endSession("s-mine");
        await client.endSession("s-other");
      },
    );

    await t.step("Control: PAUSE holds frames, RESUME continues with no frame lost", async () => {
      await client.startSession("s-pause");
      const call = client.synthesize();
      const frames: AudioFrame[] = [];
      const ended = collectFrames(call);
      call.on("data", (f: AudioFrame) => frames.push(f));
      call.write({
        session_id: "s-pause",
        text: SENTENCES + " " + SENTENCES,
        is_final: true,
        sequence_number: 0,
      });
      await waitFor(call, 3);
      const paused = await client.control("s-pause", "PAUSE");
      assert.equal(paused.success, true);
      assert.ok(Math.abs(paused.timestamp_ms - Date.now()) < 5000, "timestamp is Unix ms");
      await sleep(100); // frames already on the wire may still land
      const atPause = frames.length;
      await sleep(400);
      assert.equal(frames.length, atPause, "no frames while paused");
      const resumed = await client.control("s-pause", "RESUME");
      assert.equal(resumed.success, true);
      call.end();
      const result = await ended;
      assert.ok(result.frames.length > atPause);
      assertFrameInvariants(result.frames, 0, 1);
      await client.endSession("s-pause");
    });

    await t.step(
      "Control: STOP ends the utterance with one final frame; the stream goes on",
      async () => {
        await client.startSession("s-stop");
        const call = client.synthesize();
        const ended = collectFrames(call);
        const long = Array.from({ length: 8 }, () => SENTENCES).join(" ");
        call.write({ session_id: "s-stop", text: long, is_final: true, sequence_number: 0 });
        await waitFor(call, 3);
        const stop = await client.control("s-stop", "STOP");
        assert.equal(stop.success, true);
        assert.equal(stop.message, "stopped");
        call.write({
          session_id: "s-stop",
          text: "After the stop.",
          is_final: true,
          sequence_number: 1,
        });
        call.end();
        const { frames, error } = await ended;
        assert.equal(error, undefined);
        assertFrameInvariants(frames, 0, 2);
        const firstFinal = frames.findIndex((f) => f.is_final);
        // 8 repetitions of two sentences are far more than 15 s of speech; STOP cut them short.
        assert.ok(firstFinal < 400, `stopped early (final at frame ${firstFinal})`);
        const nothing = await client.control("s-stop", "STOP");
        assert.equal(nothing.message, "nothing to stop");
        await client.endSession("s-stop");
      },
    );

    await t.step(
      "Control: STOP drops the cut utterance's text that arrives after it; the next answer speaks",
      async () => {
        await client.startSession("s-stop-late");
        const call = client.synthesize();
        const ended = collectFrames(call);
        const write = (text: string, isFinal: boolean, sequence: number) =>
          call.write({
            session_id: "s-stop-late",
            text,
            is_final: isFinal,
            sequence_number: sequence,
          });
        write("The old answer starts. It goes on", false, 0);
        await waitFor(call, 3);
        assert.equal((await client.control("s-stop-late", "STOP")).message, "stopped");
        // The old answer's tail, sent before the STOP but arriving after it: 15 s of speech if
        // it were spoken.
        write(` and on. ${Array.from({ length: 8 }, () => SENTENCES).join(" ")}`, false, 1);
        write("", true, 2);
        write("The new answer.", true, 3);
        call.end();
        const { frames, error } = await ended;
        assert.equal(error, undefined);
        assertFrameInvariants(frames, 0, 2);
        const firstFinal = frames.findIndex((f) => f.is_final);
        const newAnswer = frames.length - firstFinal - 1;
        assert.ok(
          newAnswer > 20 && newAnswer < 150,
          `only the new answer is spoken: ${newAnswer} frames`,
        );
        await client.endSession("s-stop-late");
      },
    );

    await t.step(
      "Synthesize: paced to real time after 1 s of lead, unless the session asks for audio_lead_ms 0",
      async () => {
        // About 4.5 s of speech each.
        const text = "The quick brown fox jumps over the lazy dog. ".repeat(2);
        for (
          const [id, options, paced] of [["s-paced", {}, true], ["s-unpaced", {
            audio_lead_ms: "0",
          }, false]] as const
        ) {
          const started = performance.now();
          const { frames, error } = await speak(client, id, text, "", options);
          const elapsed = performance.now() - started;
          assert.equal(error, undefined);
          assertFrameInvariants(frames, 0, 1);
          const audioMs = frames.length * 20;
          if (paced) {
            assert.ok(
              elapsed >= audioMs - 1000 - 100,
              `${audioMs} ms of audio came in ${elapsed} ms`,
            );
          } else {
            assert.ok(elapsed < audioMs / 2, `${audioMs} ms of audio came in ${elapsed} ms`);
          }
          await client.endSession(id);
        }
      },
    );

    await t.step("Control: STOP ends a PAUSE also when no stream is open", async () => {
      await client.startSession("s-pause-stop");
      assert.equal((await client.control("s-pause-stop", "PAUSE")).message, "paused");
      assert.equal((await client.control("s-pause-stop", "STOP")).message, "nothing to stop");
      // The next answer, on a stream opened after the STOP, plays: it is not held by the PAUSE.
      const call = client.synthesize();
      const ended = collectFrames(call);
      call.write({
        session_id: "s-pause-stop",
        text: "Not held.",
        is_final: true,
        sequence_number: 0,
      });
      call.end();
      const { frames, error } = await ended;
      assert.equal(error, undefined);
      assertFrameInvariants(frames, 0, 1);
      await client.endSession("s-pause-stop");
    });

    await t.step("Control: unknown session, unknown command, RELOAD", async () => {
      const unknown = await client.control("nobody", "PAUSE");
      assert.equal(unknown.success, false);
      assert.match(unknown.message, /nobody/);
      await client.startSession("s-reload");
      await assert.rejects(client.control("s-reload", 7), (e: grpc.ServiceError) => {
        assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
        return true;
      });
      const reload = await client.control("s-reload", "RELOAD");
      assert.equal(reload.success, true, reload.message);
      const after = await speak(client, "s-reload-2", "Spoken after reload.");
      assertFrameInvariants(after.frames, 0, 1);
      await client.endSession("s-reload");
    });

    await t.step("EndSession ends the open stream cleanly", async () => {
      await client.startSession("s-end");
      const call = client.synthesize();
      const ended = collectFrames(call);
      call.write({ session_id: "s-end", text: SENTENCES, is_final: false, sequence_number: 0 });
      await waitFor(call, 1);
      assert.equal((await client.endSession("s-end")).success, true);
      const { frames, error } = await ended;
      assert.equal(error, undefined, "stream ends with OK");
      assertFrameInvariants(frames, 0, 1);
      assert.equal((await client.endSession("s-end")).success, false);
    });

    await t.step("ListModels, LoadModel, UnloadModel, GetCapabilities", async () => {
      const { models } = await client.listModels();
      const byId = new Map(models.map((m) => [m.model_id, m]));
      const espeak = byId.get("espeak-en-us");
      assert.ok(espeak, "built-in voice listed");
      assert.equal(espeak.family, "espeak");
      assert.equal(espeak.is_loaded, true);
      for (
        const key of [
          "sample_rate",
          "quality",
          "size_mb",
          "license",
          "execution_provider",
          "speakers",
        ]
      ) {
        assert.ok(key in espeak.metadata, `metadata.${key}`);
      }
      const tiny = byId.get("en_US-tiny-low");
      assert.ok(tiny, "voice in the models directory listed");
      assert.equal(tiny.family, "piper");
      assert.equal(tiny.is_loaded, false);
      assert.equal(tiny.metadata.sample_rate, "16000");

      const load = await client.loadModel("en_US-tiny-low", true);
      assert.equal(load.success, true, load.message);
      assert.ok(load.load_duration_ms > 0);
      const again = await client.loadModel("en_US-tiny-low", true);
      assert.equal(again.success, true);
      assert.match(again.message, /already resident/);
      const missing = await client.loadModel("no-such-voice");
      assert.equal(missing.success, false);

      const caps = await client.getCapabilities();
      assert.equal(caps.capabilities.streaming, true);
      assert.equal(caps.capabilities.cpu_ok, true);
      assert.equal(caps.capabilities.zero_shot, false);
      assert.equal(caps.capabilities.max_concurrent_sessions, 8);
      assert.deepEqual(caps.resident_models, ["en_US-tiny-low", "espeak-en-us"]);
      assert.ok(caps.capabilities.languages.includes("en-us"));
      for (
        const key of ["rtf", "queue_depth", "active_sessions", "ttfa_ms_p50", "frames_sent_total"]
      ) {
        assert.ok(key in caps.metrics, `metrics.${key}`);
      }
      assert.ok(caps.metrics.frames_sent_total > 100);
      assert.ok(caps.metrics.rtf > 0);

      // The neural voice speaks through the whole pipeline.
      await client.startSession("s-tiny", "en_US-tiny-low");
      const busy = await client.unloadModel("en_US-tiny-low");
      assert.equal(busy.success, false);
      assert.match(busy.message, /s-tiny/);
      const call = client.synthesize();
      const collected = collectFrames(call);
      call.write({
        session_id: "s-tiny",
        text: "Hello from a tiny voice.",
        is_final: true,
        sequence_number: 0,
      });
      call.end();
      assertFrameInvariants((await collected).frames, 0, 1);
      await client.endSession("s-tiny");
      assert.equal((await client.unloadModel("en_US-tiny-low")).success, true);
      const twice = await client.unloadModel("en_US-tiny-low");
      assert.equal(twice.success, true, "idempotent");
      assert.match(twice.message, /not resident/);
    });
  });
});
