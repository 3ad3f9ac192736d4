/**
 * The rule for `TextChunk.sequence_number` on one Synthesize stream.
 *
 * - A stream whose chunks all carry 0 is unnumbered: every chunk is taken in arrival order.
 * - Otherwise numbers go up by one from the first chunk's number. A chunk whose number is not
 *   above the last one taken is a repeat (a client retry) and is ignored.
 * - A chunk that skips numbers means text was lost or reordered on the client's side; the
 *   stream ends with INVALID_ARGUMENT rather than speak a sentence with words missing.
 *
 * @module
 */

/** What to do with one chunk. */
export type ChunkVerdict =
  | { readonly kind: "take" }
  | { readonly kind: "repeat"; readonly last: number }
  | { readonly kind: "gap"; readonly expected: number };

/** Checks the sequence numbers of one stream's chunks. */
export class ChunkSequencer {
  #last: number | undefined;
  #numbered = false;

  /** Judges the chunk numbered `sequence`, and remembers it when taken. */
  check(sequence: number): ChunkVerdict {
    const last = this.#last;
    if (last === undefined) {
      this.#last = sequence;
      this.#numbered = sequence !== 0;
      return { kind: "take" };
    }
    if (!this.#numbered && sequence === 0) return { kind: "take" };
    if (sequence === last + 1) {
      this.#last = sequence;
      this.#numbered = true;
      return { kind: "take" };
    }
    if (sequence <= last) return { kind: "repeat", last };
    return { kind: "gap", expected: last + 1 };
  }
}
