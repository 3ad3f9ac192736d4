import assert from "node:assert/strict";
import type { VoiceModel } from "../engines/engine.ts";
import { constantVoice } from "../../tests/support/constant_voice.ts";
import { sleep, until } from "../../tests/support/sleep.ts";
import { Session, type VoiceProvider } from "./session.ts";
import { type OutgoingFrame, SessionStream } from "./session_stream.ts";
import { WorkerMetrics } from "./worker_metrics.ts";

/** Hands out `voice` for every utterance, or throws while `resident` is false. */
function provider(voice: VoiceModel, state = { resident: true }): VoiceProvider {
  return {
    lease(modelId: string) {
      if (!state.resident) throw new Error(`model "${modelId}" is not resident`);
      return { voice, release() {} };
    },
  };
}

interface Harness {
  readonly session: Session;
  readonly stream: SessionStream;
  readonly sent: OutgoingFrame[];
  readonly errors: unknown[];
  /** Lengths of the chunks dropped as late text of a stopped utterance. */
  readonly dropped: number[];
  readonly done: Promise<void>;
  /** Makes the sink's `write` of frame number `index` (from 0) wait until `release()`. */
  holdAt(index: number): void;
  release(): void;
}

/** A stream of `voices`; unpaced (`audioLeadMs` 0) unless a test is about pacing. */
function harness(
  voices: VoiceProvider,
  options: { stoppedTextWindowMs?: number; audioLeadMs?: number; metrics?: WorkerMetrics } = {},
): Harness {
  const session = new Session({
    id: "s1",
    modelId: "constant",
    options: { speed: 1 },
    voices,
    audioLeadMs: options.audioLeadMs ?? 0,
  });
  const sent: OutgoingFrame[] = [];
  const errors: unknown[] = [];
  const dropped: number[] = [];
  let holdIndex = -1;
  let released: (() => void) | undefined;
  const stream = new SessionStream(session, {
    sink: {
      write(frame) {
        sent.push(frame);
        if (sent.length - 1 !== holdIndex) return Promise.resolve();
        return new Promise<void>((resolve) => (released = resolve));
      },
    },
    observer: {
      onUtteranceError: (error) => errors.push(error),
      onStoppedTextDropped: (chars) => dropped.push(chars),
    },
    stoppedTextWindowMs: options.stoppedTextWindowMs,
    metrics: options.metrics,
  });
  return {
    session,
    stream,
    sent,
    errors,
    dropped,
    done: stream.run(),
    holdAt: (index) => (holdIndex = index),
    release: () => released?.(),
  };
}

function finals(frames: readonly OutgoingFrame[]): number {
  return frames.filter((frame) => frame.isFinal).length;
}

function assertGapFree(frames: readonly OutgoingFrame[]): void {
  assert.deepEqual(frames.map((frame) => frame.sequence), frames.map((_, index) => index));
}

Deno.test("an utterance whose inference fails ends with one final frame; the rest of its text is dropped and the stream goes on", async () => {
  const h = harness(provider(constantVoice({ failOn: "broken" })));
  h.stream.acceptText("This sentence is broken. And this one", false);
  await until(() => finals(h.sent) === 1, "the failed utterance's final frame");
  assert.equal(h.errors.length, 1);
  assert.match(String(h.errors[0]), /inference failed/);
  // The client still sends the failed utterance's text, then ends it: nothing throws, nothing
  // more is said for it.
  h.stream.acceptText(" goes on.", false);
  h.stream.acceptText(" More of it.", true);
  await sleep(50);
  assert.equal(finals(h.sent), 1);
  // The next utterance speaks as usual.
  h.stream.acceptText("A fresh start.", true);
  h.stream.endInput();
  await h.done;
  assert.equal(finals(h.sent), 2);
  assert.ok(h.sent.filter((frame) => !frame.isFinal).length >= 10, `${h.sent.length} frames`);
  assertGapFree(h.sent);
});

Deno.test("after a failed utterance, half-close and STOP + half-close (EndSession) do not throw", async () => {
  for (const end of ["half-close", "end-session"] as const) {
    const h = harness(provider(constantVoice({ failOn: "broken" })));
    h.stream.acceptText("This sentence is broken. Still open", false);
    await until(() => finals(h.sent) === 1, "the failed utterance's final frame");
    if (end === "end-session") assert.equal(h.stream.stop(), false);
    h.stream.endInput();
    await h.done;
    assert.equal(finals(h.sent), 1, end);
    assertGapFree(h.sent);
  }
});

Deno.test("a voice that is no longer resident fails the utterance, not the stream", async () => {
  const state = { resident: false };
  const h = harness(provider(constantVoice(), state));
  h.stream.acceptText("Nobody to say this.", true);
  await until(() => finals(h.sent) === 1, "the final frame");
  assert.equal(h.sent.length, 1, "only the final frame");
  assert.match(String(h.errors[0]), /not resident/);
  // Text of that utterance's kind after it: the stream still serves the next one.
  state.resident = true;
  h.stream.acceptText("Back again.", true);
  h.stream.endInput();
  await h.done;
  assert.equal(finals(h.sent), 2);
  assert.ok(h.sent.length > 2);
  assertGapFree(h.sent);
});

Deno.test("STOP while paused sends no held audio: only the final frame", async () => {
  // 22.05 kHz: each resampler step leaves several frames queued in the cutter.
  const h = harness(provider(constantVoice({ sampleRate: 22_050, seconds: 5 })));
  h.session.gate.pause();
  h.stream.acceptText("One long sentence here. Another long sentence here.", true);
  await sleep(200);
  assert.equal(h.sent.length, 0, "nothing passes the closed gate");
  assert.equal(h.stream.stop(), true);
  h.stream.endInput();
  await h.done;
  assert.deepEqual(h.sent.map((frame) => frame.isFinal), [true]);
  assert.equal(h.session.gate.paused, false, "STOP opens the gate");
});

Deno.test("STOP while a frame waits for the transport: no further audio after it, then the final frame", async () => {
  const h = harness(provider(constantVoice({ sampleRate: 22_050, seconds: 5 })));
  h.holdAt(19);
  h.stream.acceptText("One long sentence here. Another long sentence here.", true);
  await until(() => h.sent.length === 20, "twenty frames");
  await sleep(100); // the pipeline fills its queues behind the held write
  assert.equal(h.stream.stop(), true);
  h.release();
  h.stream.endInput();
  await h.done;
  assert.equal(h.sent.length, 21, "the held frame was already with the transport; then the final");
  assert.equal(h.sent[20].isFinal, true);
  assert.equal(finals(h.sent), 1);
  assertGapFree(h.sent);
});

Deno.test("STOP cuts an utterance the client has not ended: its late text is dropped until its is_final", async () => {
  const h = harness(provider(constantVoice({ seconds: 5 })));
  h.stream.acceptText("The old answer begins here. Then it", false);
  await until(() => h.sent.length >= 3, "the old answer's first frames");
  assert.equal(h.stream.stop(), true);
  // Chunks the client sent before its STOP, still in flight, arrive after it.
  h.stream.acceptText(" and goes on", false);
  h.stream.acceptText(" to its end.", true);
  assert.deepEqual(h.dropped, [12, 12]);
  await sleep(100);
  assert.equal(finals(h.sent), 1, "the late text of the cut utterance is not spoken");
  const afterStop = h.sent.length;
  // The old answer's is_final closed it: the next chunk is the new answer, spoken at once.
  h.stream.acceptText("The new answer.", true);
  h.stream.endInput();
  await h.done;
  assert.equal(finals(h.sent), 2);
  assert.ok(h.sent.length > afterStop + 5, "the new answer is spoken");
  assertGapFree(h.sent);
});

Deno.test("the late text of a cut utterance is dropped only within the window; 0 turns it off", async () => {
  for (const windowMs of [50, 0]) {
    const h = harness(provider(constantVoice({ seconds: 5 })), { stoppedTextWindowMs: windowMs });
    h.stream.acceptText("An old answer. The client never ends it", false);
    await until(() => h.sent.length >= 3, "the first frames");
    assert.equal(h.stream.stop(), true);
    h.stream.acceptText(" in flight", false);
    assert.deepEqual(h.dropped, windowMs > 0 ? [10] : [], `window ${windowMs} ms`);
    await until(() => finals(h.sent) === 1, "the cut utterance's final frame");
    await sleep(100);
    const afterStop = h.sent.length;
    // Past the window, text is taken without an is_final first.
    h.stream.acceptText(" A new answer.", true);
    h.stream.endInput();
    await h.done;
    assert.deepEqual(h.dropped, windowMs > 0 ? [10] : [], `window ${windowMs} ms`);
    assert.equal(finals(h.sent), 2, `window ${windowMs} ms`);
    assert.ok(h.sent.length > afterStop + 5, "the new answer is spoken");
    assertGapFree(h.sent);
  }
});

Deno.test("STOP of an utterance the client had ended drops nothing that follows", async () => {
  const h = harness(provider(constantVoice({ seconds: 5 })));
  h.stream.acceptText("A complete answer.", true);
  await until(() => h.sent.length >= 3, "the first frames");
  assert.equal(h.stream.stop(), true);
  h.stream.acceptText("The next answer, right away.", true);
  assert.deepEqual(h.dropped, []);
  h.stream.endInput();
  await h.done;
  assert.equal(finals(h.sent), 2);
  const firstFinal = h.sent.findIndex((frame) => frame.isFinal);
  assert.ok(h.sent.length > firstFinal + 5, "the next answer is spoken");
  assertGapFree(h.sent);
});

Deno.test("an empty is_final after the window still ends the cut utterance: no empty utterance is made", async () => {
  const h = harness(provider(constantVoice({ seconds: 5 })), { stoppedTextWindowMs: 50 });
  h.stream.acceptText("The old answer. It goes on", false);
  await until(() => h.sent.length >= 3, "the first frames");
  assert.equal(h.stream.stop(), true);
  await until(() => finals(h.sent) === 1, "the cut utterance's final frame");
  await sleep(100); // past the window
  h.stream.acceptText("", true); // the client ends the old answer, late
  assert.deepEqual(h.dropped, [0]);
  h.stream.acceptText("The new answer.", false);
  h.stream.acceptText("", true); // this one ends the new answer as usual
  h.stream.endInput();
  await h.done;
  assert.equal(finals(h.sent), 2, "one final frame for each answer, none for the late end");
  assert.deepEqual(h.dropped, [0]);
  assertGapFree(h.sent);
});

Deno.test("frames go out no faster than real time once the lead is on its way; PAUSE and STOP find the rest", async () => {
  const h = harness(provider(constantVoice({ seconds: 5 })), { audioLeadMs: 200 });
  const started = performance.now();
  h.stream.acceptText("One long sentence here. Another long sentence here.", true);
  await until(() => h.sent.length >= 10, "the lead of audio");
  const leadAt = performance.now() - started;
  await sleep(300);
  // 200 ms of lead plus about 300 ms played: some 25 frames, not the 500 of the whole answer.
  const afterWait = h.sent.length;
  const elapsed = performance.now() - started;
  assert.ok(
    afterWait <= Math.ceil((200 + elapsed) / 20) + 1,
    `${afterWait} frames in ${elapsed} ms`,
  );
  // Pacing never holds back more than real time allows (a busy machine may send fewer).
  assert.ok(afterWait > 10, `${afterWait} frames in ${elapsed} ms (lead reached at ${leadAt} ms)`);
  h.session.gate.pause();
  await sleep(100);
  const paused = h.sent.length;
  await sleep(200);
  assert.equal(h.sent.length, paused, "PAUSE holds the frames the pacing kept back");
  assert.equal(h.stream.stop(), true, "STOP finds the answer still being spoken");
  h.stream.endInput();
  await h.done;
  assert.equal(h.sent.length, paused + 1, "then only the final frame");
  assert.equal(finals(h.sent), 1);
  assertGapFree(h.sent);
});

Deno.test("idle: nothing queued, spoken or open (no text since the last is_final)", async () => {
  const h = harness(provider(constantVoice()));
  assert.equal(h.stream.idle, true, "a new stream is idle");
  h.stream.acceptText("One sentence here.", true);
  assert.equal(h.stream.idle, false, "an utterance is queued");
  assert.equal(h.stream.busy, true);
  h.holdAt(2);
  await until(() => h.sent.length === 3, "the first frames");
  assert.equal(h.stream.idle, false, "an utterance is being spoken");
  h.release();
  await until(() => finals(h.sent) === 1, "the final frame");
  assert.equal(h.stream.idle, true, "spoken to its final frame");
  // An utterance the client has not ended yet (no is_final) keeps the stream from being idle.
  h.stream.acceptText("An answer that goes on. And on", false);
  assert.equal(h.stream.utteranceOpen, true);
  await until(() => h.sent.length >= 15, "frames of the open utterance");
  assert.equal(h.stream.idle, false);
  h.stream.acceptText(".", true);
  assert.equal(h.stream.utteranceOpen, false);
  assert.equal(h.stream.idle, false, "its last sentence is still to be spoken");
  await until(() => finals(h.sent) === 2, "the second final frame");
  assert.equal(h.stream.idle, true);
  h.stream.endInput();
  await h.done;
  assertGapFree(h.sent);
});

Deno.test("idle: a final frame the transport still holds counts as handed over", async () => {
  const session = new Session({
    id: "s1",
    modelId: "constant",
    options: { speed: 1 },
    voices: provider(constantVoice()),
  });
  const sent: OutgoingFrame[] = [];
  const held = Promise.withResolvers<void>();
  const stream = new SessionStream(session, {
    sink: {
      write(frame) {
        sent.push(frame);
        // The client reads the final frame while the worker still waits for 'drain'.
        return frame.isFinal ? held.promise : Promise.resolve();
      },
    },
  });
  const done = stream.run();
  stream.acceptText("Short.", true);
  await until(() => finals(sent) === 1, "the final frame handed to the transport");
  assert.equal(stream.busy, false);
  assert.equal(stream.idle, true);
  held.resolve();
  stream.endInput();
  await done;
  assert.equal(finals(sent), 1);
});

Deno.test("idle: not with a failed utterance still open, nor with an utterance held by PAUSE", async () => {
  const h = harness(provider(constantVoice({ failOn: "broken" })));
  h.stream.acceptText("This sentence is broken. Still open", false);
  await until(() => finals(h.sent) === 1, "the failed utterance's final frame");
  assert.equal(h.stream.busy, false);
  assert.equal(h.stream.idle, false, "the client has not ended the utterance");
  h.stream.acceptText("", true);
  assert.equal(h.stream.idle, true);
  h.session.gate.pause();
  assert.equal(h.stream.idle, true, "a pause with nothing to hold keeps the stream idle");
  h.stream.acceptText("Held back.", true);
  await sleep(50);
  assert.equal(h.stream.idle, false, "paused mid-utterance");
  h.session.gate.resume();
  await until(() => finals(h.sent) === 2, "the held utterance's final frame");
  assert.equal(h.stream.idle, true);
  h.stream.endInput();
  await h.done;
});

Deno.test("supersede: an idle stream ends at once, drops any later text, then leaves the pause gate to the new stream", async () => {
  const h = harness(provider(constantVoice()));
  h.stream.acceptText("Spoken before the new stream came.", true);
  await until(() => finals(h.sent) === 1, "the final frame");
  const spoken = h.sent.length;
  h.session.gate.pause();
  h.stream.supersede();
  assert.equal(h.stream.superseded, true);
  assert.equal(h.session.gate.paused, false, "the gate opens as when a stream ends");
  await h.done;
  h.session.gate.pause(); // a PAUSE for the new stream
  // Text and a half-close on the old call after it was replaced: ignored.
  h.stream.acceptText("Late text of the old call.", true);
  h.stream.endInput();
  h.stream.close(); // the transport's end of the old call
  await sleep(50);
  assert.equal(h.sent.length, spoken, "nothing more is sent on the old stream");
  assert.equal(h.session.gate.paused, true, "the old call's end does not resume the new stream");
  assert.equal(h.session.framesSent, spoken, "no sequence number is taken");
});

Deno.test("supersede refuses a stream that is not idle", async () => {
  const h = harness(provider(constantVoice({ seconds: 5 })));
  h.stream.acceptText("A long sentence that is still being spoken.", true);
  await until(() => h.sent.length >= 3, "the first frames");
  assert.throws(() => h.stream.supersede(), /not idle/);
  assert.equal(h.stream.superseded, false);
  h.stream.end();
  await h.done;
  assert.equal(finals(h.sent), 1);
});

Deno.test("after a STOP the next answer on the stream gets its lead again: the client dropped its audio", async () => {
  const h = harness(provider(constantVoice({ seconds: 5 })), { audioLeadMs: 300 });
  h.stream.acceptText("The first long answer here. And more of it here.", true);
  await until(() => h.sent.length >= 15, "the first answer's lead");
  await sleep(200);
  assert.equal(h.stream.stop(), true);
  await until(() => finals(h.sent) === 1, "the cut answer's final frame");
  assert.equal(h.session.playout.leadMs(), 0, "the clock starts afresh");
  const before = h.sent.length;
  const sentAt = performance.now();
  h.stream.acceptText("The new answer after the barge-in.", true);
  await until(() => h.sent.length >= before + 15, "the new answer's lead");
  // Paced, 15 frames would take 300 ms; the lead goes at once (a loaded machine may add a little).
  const took = performance.now() - sentAt;
  assert.ok(took < 280, `15 frames of the new answer took ${took} ms`);
  h.stream.end();
  await h.done;
  assertGapFree(h.sent);
});

Deno.test("the streams of a session share its pacing: a new stream does not add a second lead", async () => {
  const session = new Session({
    id: "s1",
    modelId: "constant",
    options: { speed: 1 },
    voices: provider(constantVoice({ seconds: 0.1 })),
    audioLeadMs: 300,
  });
  const leads: number[] = [];
  const open = () => {
    const stream = new SessionStream(session, {
      sink: {
        write() {
          leads.push(session.playout.leadMs());
          return Promise.resolve();
        },
      },
    });
    return { stream, done: stream.run() };
  };
  const sentences = (word: string) =>
    Array.from({ length: 10 }, (_, i) => `${word} sentence ${i} is here.`).join(" ");
  const a = open();
  a.stream.acceptText(sentences("First"), true);
  a.stream.endInput();
  await a.done;
  a.stream.close();
  // The client still plays the first answer's last 300 ms when the next stream begins.
  const b = open();
  b.stream.acceptText(sentences("Second"), true);
  b.stream.endInput();
  await b.done;
  // Each write notes the lead before the frame: at most the 300 ms allowed, less one frame.
  assert.ok(Math.max(...leads) <= 301, `largest lead ${Math.max(...leads)} ms`);
});

Deno.test("STOP while the last final frame waits for the transport stops the utterance queued behind it", async () => {
  const session = new Session({
    id: "s1",
    modelId: "constant",
    options: { speed: 1 },
    voices: provider(constantVoice({ seconds: 0.2 })),
    audioLeadMs: 0,
  });
  const sent: OutgoingFrame[] = [];
  const held = Promise.withResolvers<void>();
  let holdFirstFinal = true;
  const stream = new SessionStream(session, {
    sink: {
      write(frame) {
        sent.push(frame);
        if (!frame.isFinal || !holdFirstFinal) return Promise.resolve();
        holdFirstFinal = false;
        return held.promise;
      },
    },
  });
  const done = stream.run();
  stream.acceptText("First answer.", true);
  await until(() => finals(sent) === 1, "the first final frame");
  stream.acceptText("Second answer, queued behind the first.", true);
  assert.equal(stream.stop(), true, "the queued answer is stopped");
  held.resolve();
  stream.endInput();
  await done;
  assert.equal(finals(sent), 2, "one final frame for each answer");
  assert.equal(sent.at(-1)!.isFinal, true);
  assert.equal(sent.at(-1)!.audio.every((sample) => sample === 0), true, "the second is silent");
  assertGapFree(sent);
});

Deno.test("time to first audio counts the worker's work, not a wait for PAUSE or pacing", async () => {
  const metrics = new WorkerMetrics();
  const h = harness(provider(constantVoice({ seconds: 1 })), { audioLeadMs: 500, metrics });
  h.session.gate.pause();
  h.stream.acceptText("An answer held by a PAUSE.", true);
  await sleep(400);
  assert.equal(h.sent.length, 0);
  h.session.gate.resume();
  await until(() => finals(h.sent) === 1, "the answer's final frame");
  h.stream.endInput();
  await h.done;
  const { ttfa_ms_p95, ttfa_count } = await metrics.snapshot();
  assert.equal(ttfa_count, 1);
  assert.ok(ttfa_ms_p95 < 200, `time to first audio ${ttfa_ms_p95} ms`);
});

Deno.test("time to first audio of an utterance queued behind another counts from its turn", async () => {
  const metrics = new WorkerMetrics();
  const h = harness(provider(constantVoice({ seconds: 1.5 })), { audioLeadMs: 300, metrics });
  // The second answer waits about a second for the first one's paced audio.
  h.stream.acceptText("First answer here.", true);
  h.stream.acceptText("Second answer here.", true);
  h.stream.endInput();
  await h.done;
  assert.equal(finals(h.sent), 2);
  const { ttfa_ms_p95, ttfa_count } = await metrics.snapshot();
  assert.equal(ttfa_count, 2);
  assert.ok(ttfa_ms_p95 < 300, `time to first audio ${ttfa_ms_p95} ms`);
});
