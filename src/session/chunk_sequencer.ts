/**
 * The rule for `TextChunk.sequence_number` on one Synthesize stream.
 *
 * - A stream whose chunks all carry 0 is unnumbered: every chunk is taken in arrival order (a
 *   retry cannot be told from new text there, so each copy is spoken).
 * - Otherwise numbers go up by one from the first chunk's number, across the whole stream: an
 *   utterance's `is_final` does not restart them.
 * - A chunk whose number was already taken is a client retry, and is ignored, only when it
 *   carries the same text and `is_final` as the chunk first taken with that number. With other
 *   content it is a `conflict`: a client that restarts its numbers for each answer would
 *   otherwise have its later answers silently dropped, and their final chunks end utterances
 *   with silent final frames.
 * - Only the last {@link RETRY_MEMORY_CHUNKS} numbers taken are remembered (as a digest of the
 *   text, so a chunk of any size costs the same). A number older than that, or older than the
 *   stream's first, repeats no chunk that can be checked: it is `unknown`, refused like a
 *   conflict rather than ignored (a client restarting its numbers after a long answer lands there).
 * - A chunk that skips numbers means text was lost or reordered on the client's side; the
 *   stream ends with INVALID_ARGUMENT rather than speak a sentence with words missing.
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * How many of the most recent chunks a stream remembers to check retries against: far more than
 * a client has in flight when it retries, and small (about 100 bytes a chunk).
 */
export const RETRY_MEMORY_CHUNKS = 256;

/** What a chunk carries besides its number: what a retry must repeat exactly. */
export interface ChunkContent {
  /** `TextChunk.text` ("" when absent). */
  readonly text: string;
  /** `TextChunk.is_final`. */
  readonly isFinal: boolean;
}

/** What to do with one chunk. */
export type ChunkVerdict =
  | { readonly kind: "take" }
  /** A retry of a chunk already taken: ignore it. `last` is the last number taken. */
  | { readonly kind: "repeat"; readonly last: number }
  /** A number already taken, with other content: `differs` says what is not the same. */
  | { readonly kind: "conflict"; readonly differs: "text" | "is_final" | "text and is_final" }
  /** A number already passed but not remembered: numbers `oldest` to `last` are. */
  | { readonly kind: "unknown"; readonly oldest: number; readonly last: number }
  | { readonly kind: "gap"; readonly expected: number };

interface Remembered {
  readonly digest: string;
  readonly isFinal: boolean;
}

/** Checks the sequence numbers of one stream's chunks. */
export class ChunkSequencer {
  #last: number | undefined;
  #numbered = false;
  /** The first chunk taken with each of the last numbers, oldest first. */
  readonly #memory = new Map<number, Remembered>();

  /** Judges the chunk numbered `sequence` carrying `content`, and remembers it when taken. */
  check(sequence: number, content: ChunkContent): ChunkVerdict {
    const last = this.#last;
    if (last === undefined) {
      this.#last = sequence;
      this.#numbered = sequence !== 0;
      this.#remember(sequence, content);
      return { kind: "take" };
    }
    if (!this.#numbered && sequence === 0) return { kind: "take" };
    if (sequence === last + 1) {
      this.#last = sequence;
      this.#numbered = true;
      this.#remember(sequence, content);
      return { kind: "take" };
    }
    if (sequence > last) return { kind: "gap", expected: last + 1 };
    const first = this.#memory.get(sequence);
    if (!first) {
      return { kind: "unknown", oldest: this.#memory.keys().next().value ?? last, last };
    }
    const sameText = first.digest === digest(content.text);
    const sameFinal = first.isFinal === content.isFinal;
    if (sameText && sameFinal) return { kind: "repeat", last };
    return {
      kind: "conflict",
      differs: sameText ? "is_final" : sameFinal ? "text" : "text and is_final",
    };
  }

  #remember(sequence: number, content: ChunkContent): void {
    if (this.#memory.has(sequence)) return;
    this.#memory.set(sequence, { digest: digest(content.text), isFinal: content.isFinal });
    if (this.#memory.size > RETRY_MEMORY_CHUNKS) {
      this.#memory.delete(this.#memory.keys().next().value!);
    }
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64");
}
