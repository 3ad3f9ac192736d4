/**
 * Emoji removal: LLMs decorate text with emoji, which a voice should not read out by their
 * Unicode names ("thumbs up sign"). They are removed, not named.
 *
 * @module
 */
import { applyRules, type TextRule } from "./rules.ts";

/** Pictographs that stand for punctuation or a character rather than a picture. */
const PICTOGRAPH_WORDS: readonly TextRule[] = [
  { pattern: /‼\uFE0F?/g, replacement: "!!" },
  { pattern: /⁉\uFE0F?/g, replacement: "?!" },
  // Keycaps: 1️⃣ is the digit.
  { pattern: /([0-9#*])\uFE0F?\u20E3/g, replacement: "$1" },
];

/**
 * Emoji with their skin-tone modifiers, joiners, keycap marks and variation selectors, flags
 * (regional-indicator pairs), and stray variation selectors. `©` is left for the language rules
 * to read (`copyright`).
 */
const EMOJI =
  /(?:(?!©)\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier})(?:[\uFE0E\uFE0F\u20E3]|\p{Emoji_Modifier}|\u200D(?:\p{Extended_Pictographic}|\p{Regional_Indicator})?)*|[\uFE0E\uFE0F]/gu;

/** Removes emoji from `text` (each leaves a space, so that words on both sides stay apart). */
export function removeEmoji(text: string): string {
  return applyRules(text, PICTOGRAPH_WORDS).replace(EMOJI, " ");
}
