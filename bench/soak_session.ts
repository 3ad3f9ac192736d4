/**
 * One soak session loop against a running worker: StartSession, the round's utterances one after
 * the other on one Synthesize stream (each waits for the previous one's final frame), EndSession,
 * and again, until the deadline. Every frame is checked as it arrives (size, rate, duration,
 * session, gap-free sequence numbers) and attributed to the utterance in progress, so that an
 * utterance with no final frame or with two is counted.
 *
 * @module
 */
import type { SynthesizeCall, TtsClient } from "../src/rpc/client.ts";
import type { AudioFrame } from "../src/rpc/messages.ts";
import { FRAME_BYTES, FRAME_DURATION_MS, OUTPUT_SAMPLE_RATE } from "../src/pipeline/pcm.ts";
import { scheduleJitter } from "./soak_jitter.ts";
import { planRound, type Random, type RoundPlan, type UtterancePlan } from "./soak_plan.ts";
import type { SoakTally } from "./soak_tally.ts";
import { TextChunkWriter } from "./text_chunk_writer.ts";
import { sleep } from "../tests/support/sleep.ts";

/** The worker under test and how the loops behave. */
export interface SoakTarget {
  /** A connected client. */
  readonly client: TtsClient;
  /** The voice every session uses. */
  readonly modelId: string;
  /** Where every loop counts what it saw. */
  readonly tally: SoakTally;
  /**
   * An utterance whose next frame takes longer than this (in ms) has stalled: it is counted, and
   * its call is cancelled.
   */
  readonly stallMs: number;
}

/** The frames of one utterance as they arrived. */
interface UtteranceRecord {
  readonly plan: UtterancePlan;
  readonly arrivals: number[];
  /** Indices of the frames that arrived first after a RESUME was sent. */
  readonly runStarts: number[];
  finals: number;
  sentAt?: number;
}

/** Thrown when no frame arrived for `stallMs`. */
class Stalled extends Error {}

/** A unary call that failed, with the method's name. */
class CallFailed extends Error {
  readonly method: string;
  constructor(method: string, cause: unknown) {
    super(`${method} failed`, { cause });
    this.method = method;
  }
}

/** `call`'s result; its failure as a {@linkcode CallFailed} naming `method`. */
async function unary<T>(method: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw new CallFailed(method, error);
  }
}

/** A Synthesize call that checks and attributes every frame. */
class SoakStream {
  readonly call: SynthesizeCall;
  readonly sessionId: string;
  readonly records: UtteranceRecord[] = [];
  ended = false;
  /** The call's error, unless the client cancelled it. */
  error?: unknown;
  cancelled = false;
  #tally: SoakTally;
  #stallMs: number;
  #open: UtteranceRecord | undefined;
  #nextSequence = 0;
  #writer: TextChunkWriter;
  #lastActivity = performance.now();
  #waiters = new Set<() => void>();

  constructor(call: SynthesizeCall, sessionId: string, tally: SoakTally, stallMs: number) {
    this.call = call;
    this.sessionId = sessionId;
    this.#tally = tally;
    this.#stallMs = stallMs;
    this.#writer = new TextChunkWriter(call, sessionId);
    call.on("data", (frame: AudioFrame) => this.#onFrame(frame));
    call.on("error", (error: unknown) => {
      if (!this.cancelled) this.error = error;
      this.#end();
    });
    call.on("end", () => this.#end());
  }

  /** Opens the record of the next utterance; frames go to it until its final frame. */
  begin(plan: UtterancePlan): UtteranceRecord {
    const record: UtteranceRecord = { plan, arrivals: [], runStarts: [], finals: 0 };
    this.records.push(record);
    this.#open = record;
    this.#lastActivity = performance.now();
    return record;
  }

  /** Sends a text chunk unless the call has ended; returns when. */
  send(text: string, isFinal: boolean): number {
    return this.ended ? performance.now() : this.#writer.write(text, isFinal);
  }

  cancel(): void {
    this.cancelled = true;
    this.call.cancel();
  }

  /**
   * Resolves true once `ready()` holds, false if the call ends first; rejects with
   * {@linkcode Stalled} when nothing arrives for `stallMs` meanwhile.
   */
  until(ready: () => boolean): Promise<boolean> {
    this.#lastActivity = Math.max(this.#lastActivity, performance.now());
    return new Promise((resolve, reject) => {
      const done = (settle: () => void) => {
        clearInterval(watchdog);
        this.#waiters.delete(test);
        settle();
      };
      const test = () => {
        if (ready()) done(() => resolve(true));
        else if (this.ended) done(() => resolve(false));
      };
      const watchdog = setInterval(() => {
        const quietMs = performance.now() - this.#lastActivity;
        if (quietMs > this.#stallMs) {
          done(() => reject(new Stalled(`no frame for ${Math.round(quietMs)} ms`)));
        }
      }, Math.min(1000, this.#stallMs));
      this.#waiters.add(test);
      test();
    });
  }

  #onFrame(frame: AudioFrame): void {
    const now = performance.now();
    this.#lastActivity = now;
    const tally = this.#tally;
    tally.framesReceived++;
    if (
      frame.audio_data.byteLength !== FRAME_BYTES || frame.sample_rate !== OUTPUT_SAMPLE_RATE ||
      frame.frame_duration_ms !== FRAME_DURATION_MS || frame.session_id !== this.sessionId
    ) {
      tally.malformedFrames++;
      tally.sample(
        `${this.sessionId}: frame ${frame.sequence_number} has ${frame.audio_data.byteLength} ` +
          `bytes, ${frame.sample_rate} Hz, ${frame.frame_duration_ms} ms, session "${frame.session_id}"`,
      );
    }
    const sequence = Number(frame.sequence_number);
    if (sequence !== this.#nextSequence) {
      tally.sequenceGaps++;
      tally.sample(`${this.sessionId}: frame ${sequence} came where ${this.#nextSequence} was due`);
    }
    this.#nextSequence = sequence + 1;
    // A frame after an utterance's final one (before the next is sent) is counted against it.
    const record = this.#open ?? this.records.at(-1);
    if (!record) {
      tally.strayFrames++;
      tally.sample(`${this.sessionId}: frame ${sequence} arrived before any text was sent`);
    } else {
      record.arrivals.push(now);
      if (frame.is_final) {
        record.finals++;
        if (record === this.#open) this.#open = undefined;
      }
    }
    this.#wake();
  }

  #end(): void {
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Sends the utterance's chunks, runs its control command, and waits for its final frame. */
async function speak(target: SoakTarget, stream: SoakStream, plan: UtterancePlan): Promise<void> {
  const { client, tally } = target;
  const record = stream.begin(plan);
  const sending = (async () => {
    for (let i = 0; i < plan.chunks.length && !stream.ended; i++) {
      if (plan.delaysMs[i] > 0) await sleep(plan.delaysMs[i]);
      const sentAt = stream.send(plan.chunks[i], i === plan.chunks.length - 1);
      if (i === 0) record.sentAt = sentAt;
    }
  })();
  const action = plan.action;
  if (action.kind !== "none") {
    await stream.until(() => record.arrivals.length >= action.afterFrames || record.finals > 0);
    await sending;
    if (record.finals > 0 || stream.ended) {
      tally.actionsSkipped++;
    } else if (action.kind === "stop") {
      tally.stops++;
      const reply = await unary("Control STOP", client.control(stream.sessionId, "STOP"));
      if (!reply.success) tally.recordRefusal("Control STOP", reply.message);
      else if (reply.message === "stopped") tally.stopsEffective++;
    } else {
      tally.pauses++;
      const paused = await unary("Control PAUSE", client.control(stream.sessionId, "PAUSE"));
      if (!paused.success) tally.recordRefusal("Control PAUSE", paused.message);
      await sleep(action.holdMs);
      record.runStarts.push(record.arrivals.length);
      const resumed = await unary(
        "Control RESUME",
        client.control(stream.sessionId, "RESUME"),
      );
      if (!resumed.success) tally.recordRefusal("Control RESUME", resumed.message);
    }
  }
  await sending;
  await stream.until(() => record.finals > 0);
}

/**
 * Counts what the round's utterances got: final frames, jitter, and time to first audio (of texts
 * with something to speak, sent as one chunk).
 */
function account(tally: SoakTally, stream: SoakStream): void {
  for (const record of stream.records) {
    tally.countUtterance(record.plan.kind);
    if (record.finals !== 1) {
      tally.badFinals++;
      tally.sample(
        `${stream.sessionId}: a ${record.plan.kind} utterance got ${record.finals} final frames` +
          ` after ${record.arrivals.length} frames`,
      );
    }
    for (const jitter of scheduleJitter(record.arrivals, record.runStarts, FRAME_DURATION_MS)) {
      tally.jitterMs.push(jitter);
    }
    const spoken = record.plan.kind !== "silent" && record.plan.chunks.length === 1;
    if (spoken && record.sentAt !== undefined && record.arrivals.length > 0) {
      tally.ttfaMs.push(record.arrivals[0] - record.sentAt);
    }
  }
}

/**
 * Runs one round: StartSession, the plan's utterances (no new one once `deadline` has passed, but
 * always the first), the plan's ending. Failures are counted in the tally; returns false when the
 * round failed.
 */
export async function runRound(
  target: SoakTarget,
  sessionId: string,
  plan: RoundPlan,
  deadline: number,
): Promise<boolean> {
  const { client, tally } = target;
  try {
    const started = await client.startSession(sessionId, target.modelId);
    if (!started.success) {
      tally.recordRefusal("StartSession", started.message);
      return false;
    }
  } catch (error) {
    tally.recordError("StartSession", error);
    return false;
  }
  tally.rounds++;
  const stream = new SoakStream(client.synthesize(), sessionId, tally, target.stallMs);
  let ok = true;
  let ended = false;
  try {
    for (const [i, utterance] of plan.utterances.entries()) {
      if (stream.ended || (i > 0 && performance.now() >= deadline)) break;
      await speak(target, stream, utterance);
    }
    if (plan.ending === "half-close") {
      stream.call.end();
      await stream.until(() => false);
      ended = true;
      const reply = await unary("EndSession", client.endSession(sessionId));
      if (!reply.success) tally.recordRefusal("EndSession", "success=false");
    } else {
      ended = true;
      const reply = await unary("EndSession", client.endSession(sessionId));
      if (!reply.success) tally.recordRefusal("EndSession", "success=false");
      await stream.until(() => false);
      stream.call.end();
    }
  } catch (error) {
    ok = false;
    if (error instanceof Stalled) {
      tally.stalled++;
      tally.sample(`${sessionId}: stalled: ${error.message}`);
    } else if (error instanceof CallFailed) {
      tally.recordError(error.method, error.cause);
    } else {
      tally.recordError("soak client", error);
    }
    if (!stream.ended) stream.cancel();
    if (!ended) await client.endSession(sessionId).catch(() => {});
  }
  if (stream.error) {
    ok = false;
    tally.recordError("Synthesize", stream.error);
  }
  account(tally, stream);
  return ok;
}

/**
 * Runs rounds of session `name` until `deadline` (a `performance.now()` time) or `signal` aborts;
 * rounds draw their plans from `random`. After a failed round it waits a moment, so that a dead
 * worker is not hammered.
 */
export async function runSessionLoop(
  target: SoakTarget,
  name: string,
  random: Random,
  deadline: number,
  signal: AbortSignal,
): Promise<void> {
  for (let round = 0; performance.now() < deadline && !signal.aborted; round++) {
    const ok = await runRound(target, `${name}-${round}`, planRound(random), deadline);
    if (!ok) await sleep(250);
  }
}
