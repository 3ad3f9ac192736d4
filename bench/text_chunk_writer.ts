/**
 * Writes an utterance's text chunks on a Synthesize call as a client does: session id, text,
 * `is_final` on the last one, and `sequence_number` counting up from 0 over the call.
 *
 * @module
 */
import type { SynthesizeCall } from "../src/rpc/client.ts";

/** Numbers and writes text chunks on one Synthesize call. */
export class TextChunkWriter {
  readonly #call: SynthesizeCall;
  readonly #sessionId: string;
  #next = 0;

  /**
   * Writes on `call`, numbering from 0.
   *
   * @param call the open Synthesize call
   * @param sessionId the session every chunk names
   */
  constructor(call: SynthesizeCall, sessionId: string) {
    this.#call = call;
    this.#sessionId = sessionId;
  }

  /** Chunks written so far (the next chunk's sequence number). */
  get written(): number {
    return this.#next;
  }

  /** Writes one chunk; returns when (`performance.now()`) it was handed to the transport. */
  write(text: string, isFinal: boolean): number {
    const sentAt = performance.now();
    this.#call.write({
      session_id: this.#sessionId,
      text,
      is_final: isFinal,
      sequence_number: this.#next++,
    });
    return sentAt;
  }
}
