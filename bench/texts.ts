/**
 * The texts the benchmark speaks, and how an LLM would stream them: token by token, with the
 * point where the worker's segmenter has its first clause.
 *
 * @module
 */
import { SentenceSegmenter } from "../src/pipeline/sentence_segmenter.ts";
import { normalizeText } from "../src/pipeline/text_normalizer.ts";

/** One sentence (the short RTF text and the one-chunk TTFA text). */
export const SHORT_TEXT = "The quick brown fox jumps over the lazy dog near the river bank.";

/** A paragraph of several sentences (the long RTF text, STOP, PAUSE and concurrency). */
export const LONG_TEXT = "Streaming speech synthesis turns text into audio while the text is " +
  "still being written. The first words should be heard quickly, long before the last sentence " +
  "is known. Each sentence is phonemised, synthesised and resampled to forty-eight kilohertz, " +
  "then cut into frames of twenty milliseconds. A listener who interrupts the voice expects it to " +
  "stop at once, and a paused voice must hold its audio until it is resumed. When many people " +
  "talk to the same worker, every one of them should still hear smooth speech without gaps.";

/** What an LLM might stream: a first clause, then more text. */
export const STREAMED_TEXT = "Well, I think the answer depends on a few things, mainly how " +
  "much time you have and what you would like to see first. Let me explain both options.";

/**
 * Splits text into LLM-style tokens: each word with the whitespace before it
 * (`"Well,"`, `" I"`, `" think"`, ...). Joined, the tokens give the text back.
 */
export function llmTokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/**
 * Index of the chunk after which the worker's sentence segmenter (default options) emits its first
 * segment, reading `chunks` in order; `chunks.length` when that happens only when the utterance
 * ends (the final, empty chunk that closes it).
 */
export function chunkCompletingFirstSegment(chunks: readonly string[]): number {
  const segmenter = new SentenceSegmenter();
  const index = chunks.findIndex((chunk) => segmenter.push(chunk).length > 0);
  return index < 0 ? chunks.length : index;
}

/**
 * Index of the chunk that completes the text of the worker's first segment: the first chunk after
 * which everything the segment says has been sent. The segmenter may need one chunk more to know
 * that the segment has ended (the whitespace after `things,` arrives with the next token,
 * {@linkcode chunkCompletingFirstSegment}), and that wait is part of the time to first audio.
 */
export function chunkCompletingFirstClause(chunks: readonly string[]): number {
  const emitted = chunkCompletingFirstSegment(chunks);
  const first = firstSegments(chunks)[0];
  for (let i = 0; i < Math.min(emitted, chunks.length); i++) {
    if (firstSegments(chunks.slice(0, i + 1))[0] === first) return i;
  }
  return emitted;
}

/** The segments of `chunks` pushed in order, then flushed (not normalised). */
function firstSegments(chunks: readonly string[]): string[] {
  const segmenter = new SentenceSegmenter();
  return [...chunks.flatMap((chunk) => segmenter.push(chunk)), ...segmenter.flush()];
}

/**
 * The first segment the worker synthesises when `chunks` arrive in order and the utterance then
 * ends (normalised for `en`): what first audio waits for.
 */
export function firstWorkerSegment(chunks: readonly string[]): string {
  const first = firstSegments(chunks).map((segment) => normalizeText(segment, "en"))
    .find((segment) => segment !== "");
  return first ?? "";
}

/**
 * The segments the worker synthesises for `text` sent as one chunk: the segmenter's output after
 * normalisation (for `en`), segments with nothing speakable dropped.
 */
export function workerSegments(text: string): string[] {
  const segmenter = new SentenceSegmenter();
  return [...segmenter.push(text), ...segmenter.flush()]
    .map((segment) => normalizeText(segment, "en"))
    .filter((segment) => segment !== "");
}
