/**
 * Final tidying of normalised text: whitespace and the punctuation that the earlier rewrites left
 * behind.
 *
 * @module
 */

/**
 * Collapses whitespace to single spaces, ends a line that had no final punctuation (a heading, a
 * table row) with a period, drops empty brackets, spaces before punctuation, repeated clause
 * punctuation, and clause punctuation at either end of the text.
 */
export function tidy(text: string): string {
  return text
    // A line that ends without punctuation (a heading, a table row) still ends a sentence.
    .replace(/(?<=[\p{L}\p{N}])[ \t]*\n\s*(?=\S)/gu, ". ")
    .replace(/\s+/gu, " ")
    .replace(/\(\s*\)|\[\s*\]/g, "")
    .replace(/\s+([,.;:!?…)\]])/g, "$1")
    .replace(/([([])\s+/g, "$1")
    .replace(/([,;:])(?:\s*[,;:])+/g, "$1")
    // A leading period goes, unless it is a decimal point (`.5` in a language without rules).
    .replace(/^(?:[\s,;:]|\.(?!\d))+/, "")
    .replace(/[\s,;:]+$/, "")
    .trim();
}
