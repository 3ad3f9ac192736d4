/**
 * Watches one Synthesize call as its frames arrive: checks every frame against the wire contract
 * (1920 bytes, 48 kHz, 20 ms, gap-free sequence numbers), counts final frames, and records how
 * the call ended. Also {@linkcode Bystander}: a session that keeps streaming text in the
 * background while other things happen to the worker, and proves afterwards it was unharmed.
 *
 * @module
 */
import type { SynthesizeCall, TtsClient } from "../../src/rpc/client.ts";
import type { AudioFrame } from "../../src/rpc/messages.ts";

/** Bytes of one 20 ms frame of 16-bit mono PCM at 48 kHz. */
export const WIRE_FRAME_BYTES = 1920;

/** The status a call ended with, when it ended with an error. */
export interface CallError {
  /** gRPC status code. */
  readonly code: number;
  /** Status details. */
  readonly details: string;
}

/** Options of a {@linkcode StreamProbe}. */
export interface StreamProbeOptions {
  /** Sequence number the first frame must carry; any when left out. */
  readonly firstSequence?: number;
  /** Keep every frame in {@linkcode StreamProbe.frames} (off for long streams). */
  readonly keepFrames?: boolean;
}

/** Checks the frames of one call as they arrive. */
export class StreamProbe {
  /** The call being watched. */
  readonly call: SynthesizeCall;
  /** Frames in arrival order, when kept. */
  readonly frames: AudioFrame[] = [];
  /** Contract violations seen so far (empty when all is well). */
  readonly problems: string[] = [];
  /** Resolves once the call has ended, with its error if it had one. */
  readonly done: Promise<CallError | undefined>;
  #count = 0;
  #finals = 0;
  #nextSequence: number | undefined;
  #lastFinal = false;
  #lastFrameAt = performance.now();
  #error: CallError | undefined;
  #ended = false;
  #waiters: Array<() => boolean> = [];

  /** Starts watching `call` (attach before writing to it). */
  constructor(call: SynthesizeCall, options: StreamProbeOptions = {}) {
    this.call = call;
    this.#nextSequence = options.firstSequence;
    const keep = options.keepFrames ?? true;
    this.done = new Promise((resolve) => {
      call.on("data", (frame: AudioFrame) => {
        this.#check(frame);
        if (keep) this.frames.push(frame);
        this.#wakeWaiters();
      });
      call.on("error", (error: CallError) => {
        this.#error = { code: error.code, details: error.details };
        this.#ended = true;
        this.#wakeWaiters();
        resolve(this.#error);
      });
      call.on("end", () => {
        this.#ended = true;
        this.#wakeWaiters();
        resolve(this.#error);
      });
    });
  }

  /** Frames received so far. */
  get frameCount(): number {
    return this.#count;
  }

  /** Final frames received so far. */
  get finals(): number {
    return this.#finals;
  }

  /** Sequence number the next frame should carry (undefined before the first frame). */
  get nextSequence(): number | undefined {
    return this.#nextSequence;
  }

  /** Whether the last frame received was final. */
  get lastWasFinal(): boolean {
    return this.#lastFinal;
  }

  /** Milliseconds since the last frame (or since the probe started, before any frame). */
  get silentForMs(): number {
    return performance.now() - this.#lastFrameAt;
  }

  /** Whether the call has ended (OK or not). */
  get ended(): boolean {
    return this.#ended;
  }

  /** The call's error, once it ended with one. */
  get error(): CallError | undefined {
    return this.#error;
  }

  /** Resolves once `count` frames have arrived in all; rejects if the call ends first or on timeout. */
  waitForFrames(count: number, timeoutMs = 15_000): Promise<void> {
    return this.#waitUntil(
      () => this.#count >= count,
      () => `${count} frames (got ${this.#count}, error ${JSON.stringify(this.#error)})`,
      timeoutMs,
    );
  }

  /** Resolves once the call has ended; rejects on timeout. */
  async waitForEnd(timeoutMs = 15_000): Promise<CallError | undefined> {
    await this.#waitUntil(() => this.#ended, () => `the end of the call`, timeoutMs, true);
    return this.#error;
  }

  #waitUntil(
    ready: () => boolean,
    what: () => string,
    timeoutMs: number,
    endIsFine = false,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== poll);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const poll = () => {
        if (ready()) {
          clearTimeout(timer);
          resolve();
          return true;
        }
        if (this.#ended && !endIsFine) {
          clearTimeout(timer);
          reject(new Error(`the call ended while waiting for ${what()}`));
          return true;
        }
        return false;
      };
      if (!poll()) this.#waiters.push(poll);
    });
  }

  #wakeWaiters(): void {
    this.#waiters = this.#waiters.filter((poll) => !poll());
  }

  #check(frame: AudioFrame): void {
    const at = `frame #${this.#count} (sequence ${frame.sequence_number})`;
    if (frame.audio_data.byteLength !== WIRE_FRAME_BYTES) {
      this.problems.push(`${at}: ${frame.audio_data.byteLength} bytes`);
    }
    if (frame.sample_rate !== 48000) this.problems.push(`${at}: sample_rate ${frame.sample_rate}`);
    if (frame.frame_duration_ms !== 20) {
      this.problems.push(`${at}: frame_duration_ms ${frame.frame_duration_ms}`);
    }
    if (this.#nextSequence !== undefined && frame.sequence_number !== this.#nextSequence) {
      this.problems.push(`${at}: expected sequence ${this.#nextSequence}`);
    }
    this.#nextSequence = frame.sequence_number + 1;
    this.#count++;
    if (frame.is_final) this.#finals++;
    this.#lastFinal = frame.is_final;
    this.#lastFrameAt = performance.now();
  }
}

/** A session that streams text in the background, one sentence at a time. */
export class Bystander {
  /** Its session id. */
  readonly sessionId: string;
  /** Its stream. */
  readonly probe: StreamProbe;
  #client: TtsClient;
  #timer: ReturnType<typeof setInterval> | undefined;
  #written = 0;
  #utterances = 0;
  #sentences: readonly string[];
  #sentencesPerUtterance: number;

  private constructor(
    client: TtsClient,
    sessionId: string,
    sentences: readonly string[],
    sentencesPerUtterance: number,
  ) {
    this.#client = client;
    this.sessionId = sessionId;
    this.#sentences = sentences;
    this.#sentencesPerUtterance = sentencesPerUtterance;
    this.probe = new StreamProbe(client.synthesize(), { firstSequence: 0, keepFrames: false });
  }

  /**
   * Starts a session and writes one of `sentences` every `intervalMs`, closing an utterance every
   * `sentencesPerUtterance` sentences, until {@linkcode Bystander.finish}.
   */
  static async start(
    client: TtsClient,
    sessionId: string,
    sentences: readonly string[],
    intervalMs = 400,
    sentencesPerUtterance = 3,
  ): Promise<Bystander> {
    // Its text comes faster than it can be spoken in real time: unpaced, so that the backlog is
    // spoken by the time the battery ends.
    const started = await client.startSession(sessionId, "", { audio_lead_ms: "0" });
    if (!started.success) throw new Error(`bystander StartSession failed: ${started.message}`);
    const bystander = new Bystander(client, sessionId, sentences, sentencesPerUtterance);
    bystander.#writeNext();
    bystander.#timer = setInterval(() => bystander.#writeNext(), intervalMs);
    return bystander;
  }

  /** Utterances closed so far (each must end in exactly one final frame). */
  get utterances(): number {
    return this.#utterances;
  }

  /**
   * Throws unless the bystander is still healthy: no contract violation, no error, the call still
   * open, and a frame within the last `maxSilenceMs`.
   */
  assertHealthy(label: string, maxSilenceMs = 8_000): void {
    const probe = this.probe;
    if (probe.problems.length > 0) {
      throw new Error(`bystander harmed by ${label}: ${probe.problems.slice(0, 5).join("; ")}`);
    }
    if (probe.ended) {
      throw new Error(`bystander's call ended during ${label}: ${JSON.stringify(probe.error)}`);
    }
    if (probe.silentForMs > maxSilenceMs) {
      throw new Error(
        `bystander starved during ${label}: no frame for ${Math.round(probe.silentForMs)} ms`,
      );
    }
  }

  /**
   * Stops writing, closes the last utterance, half-closes, and waits for the call to end. Throws
   * unless every frame was valid, sequence numbers were gap-free from 0, there was exactly one
   * final frame per utterance, the last frame was final, and the call ended with OK.
   */
  async finish(timeoutMs = 30_000): Promise<{ frames: number; utterances: number }> {
    clearInterval(this.#timer);
    const call = this.probe.call;
    if (this.#written % this.#sentencesPerUtterance !== 0) {
      // The next number: a repeated or older one with other content ends the stream.
      call.write({
        session_id: this.sessionId,
        text: "",
        is_final: true,
        sequence_number: this.#written + 1,
      });
      this.#utterances++;
    }
    call.end();
    const error = await this.probe.waitForEnd(timeoutMs);
    const probe = this.probe;
    if (error) throw new Error(`bystander's call ended with ${JSON.stringify(error)}`);
    if (probe.problems.length > 0) {
      throw new Error(`bystander frames broke the contract: ${probe.problems.slice(0, 5)}`);
    }
    if (probe.finals !== this.#utterances) {
      throw new Error(`bystander: ${probe.finals} final frames for ${this.#utterances} utterances`);
    }
    if (!probe.lastWasFinal) throw new Error("bystander: the last frame was not final");
    return { frames: probe.frameCount, utterances: this.#utterances };
  }

  #writeNext(): void {
    const text = this.#sentences[this.#written % this.#sentences.length];
    this.#written++;
    const isFinal = this.#written % this.#sentencesPerUtterance === 0;
    if (isFinal) this.#utterances++;
    this.probe.call.write({
      session_id: this.sessionId,
      text: text + " ",
      is_final: isFinal,
      sequence_number: this.#written,
    });
  }
}
