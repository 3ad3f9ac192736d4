/**
 * What a soak session says, drawn from a seeded random source: rounds of a few utterances, each a
 * text (short, long, numbers, markup, nothing speakable) sent as one chunk or streamed the way an
 * LLM streams it (word tokens, or cuts at random characters), sometimes interrupted by STOP
 * (barge-in) or held by PAUSE and RESUME.
 *
 * @module
 */
import { llmTokens, LONG_TEXT, SHORT_TEXT, STREAMED_TEXT } from "./texts.ts";

export { type Random, seededRandom } from "../tests/support/seeded_random.ts";
import type { Random } from "../tests/support/seeded_random.ts";

/** A whole number from `min` to `max`, both included. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Texts of one sentence or less. */
export const SHORT_TEXTS: readonly string[] = [
  "Yes.",
  "Hello there!",
  "Okay, one moment please.",
  "Sure, I can help with that.",
  SHORT_TEXT,
];

/** Paragraphs of several sentences. */
export const LONG_TEXTS: readonly string[] = [LONG_TEXT, `${STREAMED_TEXT} ${SHORT_TEXT}`];

/** Texts full of numbers, dates, times, money and percentages for the normaliser. */
export const NUMBER_TEXTS: readonly string[] = [
  "Your order 4521 ships on 3 March 2025 and costs $1,234.56, which is 12.5% less than last year.",
  "The meeting moved from 9:30 to 10:45 on the 2nd floor, room 101.",
  "Pi is roughly 3.14159, and 2 to the power of 10 is 1024.",
  "She ran 5 km in 23 minutes and finished 1st of 250 runners on 14 July 2024.",
];

/** Markdown, links, addresses and emoji, which are cleaned up or spelled out. */
export const MARKUP_TEXTS: readonly string[] = [
  "**Note:** the guide is at https://example.com/docs and help@example.com answers questions 🙂",
  "# Summary\n- the first item\n- the second item, with `code` in it",
];

/** Texts with nothing to speak: the utterance must still end in exactly one final frame. */
export const SILENT_TEXTS: readonly string[] = ["🙂", "**"];

/** What kind of text an utterance speaks, and how it is sent. */
export type UtteranceKind = "short" | "long" | "numbers" | "markup" | "silent" | "llm";

/** A control command sent during an utterance, once `afterFrames` of its frames have arrived. */
export type UtteranceAction =
  | { readonly kind: "none" }
  | { readonly kind: "stop"; readonly afterFrames: number }
  | { readonly kind: "pause"; readonly afterFrames: number; readonly holdMs: number };

/** One utterance: its chunks (joined they give `text`; the last one is sent with `is_final`). */
export interface UtterancePlan {
  /** The kind of text. */
  readonly kind: UtteranceKind;
  /** The whole text. */
  readonly text: string;
  /** The chunks sent, in order; the last carries `is_final`. */
  readonly chunks: readonly string[];
  /** Wait before each chunk, in ms (the first is 0). */
  readonly delaysMs: readonly number[];
  /** Control command during the utterance. */
  readonly action: UtteranceAction;
}

/**
 * How a round ends: `half-close` ends the client's side of the stream, waits for the stream to end,
 * then calls EndSession; `end-session` calls EndSession, which ends the stream.
 */
export type RoundEnding = "half-close" | "end-session";

/** One session from StartSession to EndSession. */
export interface RoundPlan {
  /** The utterances spoken on the session's stream, one after the other. */
  readonly utterances: readonly UtterancePlan[];
  /** How the round ends. */
  readonly ending: RoundEnding;
}

/** Most utterances in a round. */
export const MAX_UTTERANCES_PER_ROUND = 4;

/**
 * Cuts `text` into chunks of 1 to `maxLength` characters at random places (inside words and
 * numbers too), the way a tokenizer's output can arrive. Joined, the chunks give `text` back.
 */
export function randomChunks(text: string, random: Random, maxLength = 12): string[] {
  const characters = [...text];
  const chunks: string[] = [];
  for (let at = 0; at < characters.length;) {
    const length = randomInt(random, 1, maxLength);
    chunks.push(characters.slice(at, at + length).join(""));
    at += length;
  }
  return chunks;
}

function streamed(random: Random): Pick<UtterancePlan, "text" | "chunks" | "delaysMs"> {
  const text = pick(random, [STREAMED_TEXT, ...LONG_TEXTS, ...NUMBER_TEXTS, ...SHORT_TEXTS]);
  // Word tokens then an empty final chunk (as many LLM bridges end), or random cuts ending in text.
  const chunks = random() < 0.5 ? [...llmTokens(text), ""] : randomChunks(text, random);
  const delaysMs = chunks.map((_, i) => (i === 0 ? 0 : randomInt(random, 0, 40)));
  return { text, chunks, delaysMs };
}

const TEXTS_OF: Record<Exclude<UtteranceKind, "llm">, readonly string[]> = {
  short: SHORT_TEXTS,
  long: LONG_TEXTS,
  numbers: NUMBER_TEXTS,
  markup: MARKUP_TEXTS,
  silent: SILENT_TEXTS,
};

function oneChunk(
  random: Random,
  texts: readonly string[],
): Pick<UtterancePlan, "text" | "chunks" | "delaysMs"> {
  const text = pick(random, texts);
  return { text, chunks: [text], delaysMs: [0] };
}

function action(kind: UtteranceKind, random: Random): UtteranceAction {
  const draw = random();
  // STOP only where the whole text went out as one final chunk: a STOP that overtakes chunks still
  // in flight ends the utterance, and those chunks then start another one (Control and Synthesize
  // are separate calls, so the worker may see them in either order).
  if ((kind === "long" || kind === "numbers") && draw < 0.3) {
    return { kind: "stop", afterFrames: randomInt(random, 1, 40) };
  }
  if (kind !== "silent" && draw >= 0.8) {
    return {
      kind: "pause",
      afterFrames: randomInt(random, 1, 30),
      holdMs: randomInt(random, 50, 500),
    };
  }
  return { kind: "none" };
}

/** Draws one utterance. */
export function planUtterance(random: Random): UtterancePlan {
  const draw = random();
  const kind: UtteranceKind = draw < 0.4
    ? "llm"
    : draw < 0.6
    ? "short"
    : draw < 0.75
    ? "long"
    : draw < 0.9
    ? "numbers"
    : draw < 0.96
    ? "markup"
    : "silent";
  const sent = kind === "llm" ? streamed(random) : oneChunk(random, TEXTS_OF[kind]);
  return { kind, ...sent, action: action(kind, random) };
}

/** Draws one round: 1 to {@linkcode MAX_UTTERANCES_PER_ROUND} utterances and how it ends. */
export function planRound(random: Random): RoundPlan {
  const count = randomInt(random, 1, MAX_UTTERANCES_PER_ROUND);
  const utterances = Array.from({ length: count }, () => planUtterance(random));
  return { utterances, ending: random() < 0.5 ? "half-close" : "end-session" };
}
