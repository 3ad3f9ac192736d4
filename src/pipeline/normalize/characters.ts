/**
 * Character-level clean-up: text arrives from an LLM or a client and may carry characters that a
 * voice cannot read and that must not reach the phonemiser.
 *
 * @module
 */

/** Line and paragraph separators other than `\n`. */
const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;

/**
 * Lone UTF-16 surrogates (halves of a character cut apart), the replacement character left where
 * a decoder met invalid bytes, and noncharacters. Matched without the `u` flag, code unit by unit.
 */
const BROKEN =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFD\uFFFE\uFFFF]/g;

/**
 * Control characters except tab and line feed (`Cc`), and invisible format characters (`Cf`):
 * zero-width spaces, soft hyphens, byte-order marks, bidirectional marks and overrides, invisible
 * operators, emoji tag characters; but not the zero-width non-joiner and joiner (U+200C, U+200D),
 * see {@linkcode STRAY_JOINER}.
 */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]|(?![\u200C\u200D])\p{Cf}/gu;

/**
 * The zero-width non-joiner and joiner where they are not between two letters of a script that
 * uses them. There they are part of a word's spelling (Persian `می‌خواهم`, Devanagari `क्‍ष`,
 * where the mark before it, a virama, counts as its letter's); elsewhere (between the parts of an
 * emoji, at a word's edge, inside a Latin, Greek or Cyrillic word, where espeak-ng would split
 * the word at it) they are invisible format characters like the others.
 */
const STRAY_JOINER = new RegExp(
  [
    String.raw`(?<![\p{L}\p{M}])[\u200C\u200D]`,
    String.raw`[\u200C\u200D](?![\p{L}\p{M}])`,
    String.raw`(?<=[\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}])[\u200C\u200D]`,
    String.raw`[\u200C\u200D](?=[\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}])`,
  ].join("|"),
  "gu",
);

/**
 * Removes what cannot be spoken at the character level: broken UTF-16 (lone surrogates),
 * replacement characters, control characters and invisible format characters (the zero-width
 * joiners only where they are not inside a word). Line breaks of every kind become `\n`; the text
 * is put in Unicode normal form C (composed accents).
 */
export function removeUnspeakableCharacters(text: string): string {
  return text
    .replace(BROKEN, "")
    .replace(LINE_BREAKS, "\n")
    .replace(INVISIBLE, "")
    .replace(STRAY_JOINER, "")
    .normalize("NFC");
}
