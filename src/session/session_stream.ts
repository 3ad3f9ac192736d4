/**
 * One Synthesize stream of a session: text in, as the client sends it; frames out, in order,
 * through the session's pause gate. Utterances follow one another on the stream; each ends in
 * exactly one final frame. STOP cuts the current utterance short (barge-in). A newer stream of the
 * session may supersede an idle one (the client moved on to its next stream).
 *
 * @module
 */
import type { SegmenterOptions } from "../pipeline/sentence_segmenter.ts";
import { createSynthesisPipeline } from "../pipeline/synthesis_pipeline.ts";
import { FRAME_BYTES } from "../pipeline/pcm.ts";
import type { PcmFrame } from "../pipeline/frame_cutter.ts";
import { delay } from "./playout_clock.ts";
import { DEFAULT_STOPPED_TEXT_WINDOW_MS } from "./stream_defaults.ts";
import type { Session, VoiceLease } from "./session.ts";
import type { WorkerMetrics } from "./worker_metrics.ts";

/** A frame ready for the wire. */
export interface OutgoingFrame {
  /** Per-session sequence number. */
  readonly sequence: number;
  /** 1920 bytes of s16le PCM at 48 kHz. */
  readonly audio: Uint8Array;
  /** The last frame of an utterance. */
  readonly isFinal: boolean;
}

/** Where frames go: resolves once the transport has taken the frame (backpressure). */
export interface FrameSink {
  /** Writes one frame; rejects when the client is gone. */
  write(frame: OutgoingFrame): Promise<void>;
}

/** Hooks for logs and metrics. */
export interface SessionStreamObserver {
  /** An utterance failed inside the pipeline (it still ends with a final frame). */
  onUtteranceError?(error: unknown): void;
  /**
   * A chunk of the utterance a STOP cut short arrived after the STOP and was dropped; `isFinal`
   * when it was that utterance's end (or taken for it).
   */
  onStoppedTextDropped?(chars: number, isFinal: boolean): void;
}

/** Settings of a stream. */
export interface SessionStreamOptions {
  /** Where frames go. */
  readonly sink: FrameSink;
  /** Speed figures. */
  readonly metrics?: WorkerMetrics;
  /** Segmentation thresholds. */
  readonly segmenter?: Partial<SegmenterOptions>;
  /** Logs. */
  readonly observer?: SessionStreamObserver;
  /**
   * How long after a STOP the rest of the utterance it cut, still open then, is dropped as it
   * arrives (text the client sent before the STOP, still in flight); its `is_final` chunk ends
   * this at once. Later, an empty `is_final` chunk still ends the cut utterance rather than
   * starting an empty one. Default `DEFAULT_STOPPED_TEXT_WINDOW_MS` (stream_defaults.ts); 0 turns
   * the window off.
   */
  readonly stoppedTextWindowMs?: number;
}

const SILENT_FRAME = new Uint8Array(FRAME_BYTES);
const STOPPED = Symbol("stopped");

class Utterance {
  readonly text: ReadableStream<string>;
  /** No more text is taken: the client ended the utterance, or its pipeline stopped reading. */
  inputClosed = false;
  stopped = false;
  #controller!: ReadableStreamDefaultController<string>;

  constructor() {
    this.text = new ReadableStream<string>({
      start: (controller) => {
        this.#controller = controller;
      },
      // The pipeline failed or was aborted: the rest of this utterance's text has nowhere to go
      // (its final frame is sent or about to be), so later chunks of it are dropped.
      cancel: () => {
        this.inputClosed = true;
      },
    });
  }

  append(text: string): void {
    if (!this.inputClosed && text !== "") this.#controller.enqueue(text);
  }

  closeInput(): void {
    if (this.inputClosed) return;
    this.inputClosed = true;
    this.#controller.close();
  }
}

interface Speaking {
  readonly utterance: Utterance;
  readonly abort: AbortController;
  readonly stop: PromiseWithResolvers<typeof STOPPED>;
}

/** The utterance loop of one Synthesize call. Call `run()` once; feed it with `acceptText()`. */
export class SessionStream {
  /** The session this stream speaks for. */
  readonly session: Session;
  #sink: FrameSink;
  #metrics?: WorkerMetrics;
  #segmenter?: Partial<SegmenterOptions>;
  #observer?: SessionStreamObserver;
  #stoppedTextWindowMs: number;
  /** Until when (performance.now()) text of the open utterance a STOP cut is dropped. */
  #droppingStoppedUntil: number | undefined;
  /**
   * A STOP cut an utterance the client had not ended, and no text has come since that starts
   * another: an empty `is_final` chunk now ends the cut utterance (no new utterance, no frame).
   */
  #stoppedUtteranceOpen = false;
  #queue: Utterance[] = [];
  #open: Utterance | undefined;
  /** The utterance taken from the queue, until its final frame is handed to the sink. */
  #current: Utterance | undefined;
  #speaking: Speaking | undefined;
  #inputEnded = false;
  #closed = false;
  #superseded = false;
  #wake: (() => void) | undefined;

  /** Creates the stream of `session`. */
  constructor(session: Session, options: SessionStreamOptions) {
    this.session = session;
    this.#sink = options.sink;
    this.#metrics = options.metrics;
    this.#segmenter = options.segmenter;
    this.#observer = options.observer;
    this.#stoppedTextWindowMs = options.stoppedTextWindowMs ?? DEFAULT_STOPPED_TEXT_WINDOW_MS;
  }

  /**
   * Whether an utterance is being spoken or waits to be: from the time its text arrives until its
   * final frame has been handed to the sink (the transport may still hold that frame), paused or
   * not.
   */
  get busy(): boolean {
    return this.#current !== undefined || this.#queue.length > 0;
  }

  /**
   * Whether the client has an utterance open on this stream: text has arrived since the last
   * `is_final` (and no STOP or half-close has ended it), spoken yet or not.
   */
  get utteranceOpen(): boolean {
    return this.#open !== undefined;
  }

  /**
   * Whether the stream has nothing left to do for its client: nothing being spoken or queued, not
   * {@linkcode SessionStream.busy} (so no utterance held by PAUSE either), and no utterance open
   * (every text received was ended by an `is_final`, a STOP or the half-close). A new stream of
   * the session may then {@linkcode SessionStream.supersede} it: everything the client sent on it
   * has been spoken to its final frame.
   */
  get idle(): boolean {
    return !this.busy && !this.utteranceOpen;
  }

  /** Whether a newer stream of the session replaced this one (see `supersede()`). */
  get superseded(): boolean {
    return this.#superseded;
  }

  /**
   * Accepts a chunk of text; `isFinal` ends the utterance it belongs to. The rest of an utterance
   * a STOP cut short is dropped (see {@linkcode SessionStreamOptions.stoppedTextWindowMs}).
   */
  acceptText(text: string, isFinal: boolean): void {
    if (this.#closed || this.#inputEnded) return;
    this.session.touch();
    if (this.#stoppedUtteranceOpen) {
      const inWindow = this.#droppingStoppedUntil !== undefined &&
        performance.now() <= this.#droppingStoppedUntil;
      if (inWindow || (text === "" && isFinal)) {
        if (isFinal) this.#stoppedUtteranceOpen = false;
        this.#observer?.onStoppedTextDropped?.(text.length, isFinal);
        return;
      }
      if (text !== "") this.#stoppedUtteranceOpen = false;
    }
    if (!this.#open) {
      if (text === "" && !isFinal) return;
      this.#open = new Utterance();
      this.#queue.push(this.#open);
    }
    this.#open.append(text);
    if (isFinal) {
      this.#open.closeInput();
      this.#open = undefined;
    }
    this.#notify();
  }

  /** The client half-closed: the open utterance is complete; finish the audio, then end. */
  endInput(): void {
    this.#inputEnded = true;
    this.#open?.closeInput();
    this.#open = undefined;
    this.#notify();
  }

  /**
   * Ends the stream cleanly now (EndSession, the idle reaper, shutdown): the utterance in flight,
   * paused or not, is stopped with its final frame, queued ones are dropped, then the stream ends.
   */
  end(): void {
    this.stop();
    this.endInput();
  }

  /**
   * Barge-in: drops queued text and audio and ends the current utterance with one final frame.
   * Utterances queued behind it are dropped too (the one final frame ends them all). When the
   * client had not yet ended the last of them (`is_final`), the rest of its text that still
   * arrives is dropped for a while too. Returns false when there was nothing to stop.
   */
  stop(): boolean {
    this.session.interrupt();
    if (this.#open) {
      this.#stoppedUtteranceOpen = true;
      this.#droppingStoppedUntil = this.#stoppedTextWindowMs > 0
        ? performance.now() + this.#stoppedTextWindowMs
        : undefined;
    }
    this.#open?.closeInput();
    this.#open = undefined;
    // An utterance whose final frame is already with the sink (its write waits for 'drain') is
    // over: the STOP is for those queued behind it.
    const speaking = this.#current === undefined ? undefined : this.#speaking;
    if (speaking) {
      speaking.utterance.stopped = true;
      for (const queued of this.#queue) queued.closeInput();
      this.#queue.length = 0;
      speaking.abort.abort(new DOMException("stopped by client", "AbortError"));
      speaking.stop.resolve(STOPPED);
      return true;
    }
    if (this.#queue.length > 0) {
      const first = this.#queue[0];
      for (const queued of this.#queue) queued.closeInput();
      first.stopped = true;
      this.#queue.length = 1;
      this.#notify();
      return true;
    }
    return false;
  }

  /**
   * Hands the session over to a newer stream of it (the client opened the next Synthesize call
   * before this one's half-close arrived): `run()` ends at once, with no frame, and text or a
   * half-close arriving on this stream later is ignored. As when a stream ends, the session's
   * pause gate opens now; from then on it is the new stream's, and a later `close()` of this one
   * leaves it alone. Only an {@linkcode SessionStream.idle} stream can be superseded; throws
   * otherwise.
   */
  supersede(): void {
    if (!this.idle) {
      throw new Error("a stream that is not idle cannot be superseded: it would lose its text");
    }
    this.endInput();
    this.session.gate.resume();
    this.#superseded = true;
  }

  /** Ends the stream now (client cancel, shutdown): inference stops, no more frames. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inputEnded = true;
    for (const queued of this.#queue) queued.closeInput();
    this.#queue.length = 0;
    this.#open = undefined;
    const speaking = this.#speaking;
    if (speaking) {
      speaking.abort.abort(new DOMException("stream closed", "AbortError"));
      speaking.stop.resolve(STOPPED);
    }
    // A cancel cut an answer short: its audio in flight is lost to the client.
    if (speaking && this.#current !== undefined) this.session.playout.reset();
    if (!this.#superseded) this.session.gate.resume();
    this.#notify();
  }

  /** Speaks utterances in order until the input ends and the queue is empty, or `close()`. */
  async run(): Promise<void> {
    while (true) {
      const utterance = await this.#next();
      if (!utterance) return;
      await this.#speak(utterance);
      this.#current = undefined;
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #next(): Promise<Utterance | undefined> {
    while (true) {
      if (this.#closed) return undefined;
      const head = this.#queue.shift();
      if (head) {
        this.#current = head;
        return head;
      }
      if (this.#inputEnded) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async #speak(utterance: Utterance): Promise<void> {
    const dequeuedAt = performance.now();
    const speaking: Speaking = {
      utterance,
      abort: new AbortController(),
      stop: Promise.withResolvers<typeof STOPPED>(),
    };
    let sentFinal = false;
    let firstFrame = true;
    if (!utterance.stopped) {
      this.#speaking = speaking;
      const signal = speaking.abort.signal;
      let lease: VoiceLease | undefined;
      let reader: ReadableStreamDefaultReader<PcmFrame> | undefined;
      try {
        lease = this.session.leaseVoice();
        const voice = lease.voice;
        const pipeline = createSynthesisPipeline({
          voice,
          synthesis: this.session.options,
          segmenter: this.#segmenter,
          signal,
          onInference: (timing) => this.#metrics?.recordInference(timing, voice.info),
          sessionId: this.session.id,
        });
        utterance.text.pipeTo(pipeline.writable, { signal }).catch(() => {});
        reader = pipeline.readable.getReader();
        while (true) {
          // STOP aborts `signal` before it settles `stop`; a frame the pipeline had ready, or one
          // let through by the RESUME that STOP implies, must not go out after it.
          const next = await Promise.race([reader.read(), speaking.stop.promise]);
          if (next === STOPPED || next.done || signal.aborted) break;
          const frame: PcmFrame = next.value;
          if (firstFrame) {
            // The worker's own latency, from the utterance's turn (when its first text came, or
            // after the utterances queued before it): a wait for pacing or PAUSE is not part of it.
            firstFrame = false;
            this.#metrics?.recordTtfa(performance.now() - dequeuedAt);
          }
          // Real-time pacing first, then PAUSE: a PAUSE during the wait holds this frame too.
          const wait = this.session.playout.waitMs();
          if (wait > 0 && !(await delay(wait, signal))) break;
          const gate = await Promise.race([this.session.gate.wait(), speaking.stop.promise]);
          if (gate === STOPPED || signal.aborted) break;
          this.session.playout.sent();
          await this.#send(frame.audio, frame.isFinal);
          if (frame.isFinal) {
            sentFinal = true;
            break;
          }
        }
      } catch (error) {
        if (!signal.aborted) this.#observer?.onUtteranceError?.(error);
      } finally {
        this.#speaking = undefined;
        speaking.abort.abort(new DOMException("utterance over", "AbortError"));
        utterance.text.cancel().catch(() => {});
        reader?.cancel().catch(() => {});
        lease?.release();
      }
    }
    if (!sentFinal && !this.#closed) {
      try {
        await this.#send(SILENT_FRAME, true);
      } catch {
        // The client is gone; close() has been or will be called by the transport.
      }
    }
    this.#metrics?.recordUtterance();
  }

  async #send(audio: Uint8Array, isFinal: boolean): Promise<void> {
    if (this.#closed) throw new Error("stream closed");
    const written = this.#sink.write({ sequence: this.session.takeSequence(), audio, isFinal });
    // The client may have the final frame before the transport's 'drain' lets the write resolve.
    if (isFinal) this.#current = undefined;
    await written;
    this.#metrics?.recordFrame();
  }
}
