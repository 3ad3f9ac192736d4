/**
 * A synthesis session: one client conversation with one voice, its options and its frame counter.
 *
 * @module
 */
import type { SynthesisOptions, VoiceModel } from "../engines/engine.ts";
import { PauseGate } from "./pause_gate.ts";
import { PlayoutClock } from "./playout_clock.ts";
import { DEFAULT_AUDIO_LEAD_MS } from "./stream_defaults.ts";

/** A voice held for the length of one utterance; `release()` gives it back. */
export interface VoiceLease {
  /** The resident voice. */
  readonly voice: VoiceModel;
  /** Ends the lease (a reloaded or unloaded voice is freed when its last lease ends). */
  release(): void;
}

/** Hands out the current resident instance of a model (the residency implements it). */
export interface VoiceProvider {
  /** Leases the model's current voice; throws an Error if the model is not resident. */
  lease(modelId: string): VoiceLease;
}

/** Settings a session is created with. */
export interface SessionInit {
  /** Client-chosen session id (1-256 characters). */
  readonly id: string;
  /** The model the session speaks with. */
  readonly modelId: string;
  /** Validated synthesis options. */
  readonly options: SynthesisOptions;
  /** Where the session gets its voice for each utterance. */
  readonly voices: VoiceProvider;
  /**
   * Pacing lead (ms; 0: unpaced): the session's `audio_lead_ms` option or the worker's setting.
   * Default `DEFAULT_AUDIO_LEAD_MS` (stream_defaults.ts).
   */
  readonly audioLeadMs?: number;
}

/** One live session. Frame sequence numbers are per session: from 0, never skipped or repeated. */
export class Session {
  /** Session id. */
  readonly id: string;
  /** Model id. */
  readonly modelId: string;
  /** Synthesis options. */
  readonly options: SynthesisOptions;
  /**
   * Real-time pacing of the session's frames, shared by its streams in turn (a client playing one
   * answer per stream still holds the previous stream's last second when the next begins).
   */
  readonly playout: PlayoutClock;
  /** PAUSE closes it, RESUME opens it; frames wait at it. */
  readonly gate: PauseGate = new PauseGate();
  /** Unix time in ms when the session started. */
  readonly startedAt: number = Date.now();
  #voices: VoiceProvider;
  #nextSequence = 0;
  #lastActivity = Date.now();

  /** Creates a session (it is registered by the caller). */
  constructor(init: SessionInit) {
    this.id = init.id;
    this.modelId = init.modelId;
    this.options = init.options;
    this.playout = new PlayoutClock(init.audioLeadMs ?? DEFAULT_AUDIO_LEAD_MS);
    this.#voices = init.voices;
  }

  /**
   * The client cut its audio short (STOP): a PAUSE ends, and the audio it held is dropped, so the
   * pacing lead starts afresh, also when the last frame was sent already.
   */
  interrupt(): void {
    this.gate.resume();
    this.playout.reset();
  }

  /** Takes the next frame sequence number. */
  takeSequence(): number {
    this.#lastActivity = Date.now();
    return this.#nextSequence++;
  }

  /** How many frames the session has sent (the next sequence number). */
  get framesSent(): number {
    return this.#nextSequence;
  }

  /** Unix time in ms of the session's last activity. */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  /** Marks activity now (text received, control). */
  touch(): void {
    this.#lastActivity = Date.now();
  }

  /** Leases the session's voice for one utterance. */
  leaseVoice(): VoiceLease {
    return this.#voices.lease(this.modelId);
  }
}
