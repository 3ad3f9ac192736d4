/**
 * Builders of abbreviation rewrites that keep sentence ends: an abbreviation's period is also the
 * sentence's period when the text ends there or, for abbreviations that may end a sentence
 * (`etc.`, `Inc.`, `St.` for a street), when a capitalised word follows.
 *
 * Each rewrite sees one segment only (segmentation runs before normalisation), so every decision
 * is made from the abbreviation's neighbours in that segment.
 *
 * @module
 */
import type { Replacer, TextRule } from "./rules.ts";

/** Closing quotes and brackets that may stand between a period and the end of a sentence. */
const CLOSERS = String.raw`["'”’)\]]*`;
const ENDS_TEXT = new RegExp(String.raw`^${CLOSERS}\s*$`, "u");
const NEW_SENTENCE_FOLLOWS = new RegExp(String.raw`^${CLOSERS}\s+["'“‘(]?\p{Lu}`, "u");

/** The offset and whole text of a match, from the arguments after the capture groups. */
function matchPosition(rest: readonly unknown[]): { offset: number; whole: string } {
  // The arguments end with (offset, whole string) and, for named groups, a groups object.
  const at = rest.findLastIndex((arg) => typeof arg === "number");
  return { offset: rest[at] as number, whole: rest[at + 1] as string };
}

/**
 * The period to put back after a rewritten abbreviation that ended with one (`p.m.`, `B.C.`,
 * `ft.`): `"."` when the text ends after it, or when `mayEndSentence` and a capitalised word
 * follows; otherwise `""`.
 */
export function keptPeriod(
  match: string,
  offset: number,
  whole: string,
  mayEndSentence = true,
): string {
  if (!match.endsWith(".")) return "";
  const after = whole.slice(offset + match.length);
  return ENDS_TEXT.test(after) || (mayEndSentence && NEW_SENTENCE_FOLLOWS.test(after)) ? "." : "";
}

/** Options of {@linkcode abbreviation}. */
export interface AbbreviationOptions {
  /**
   * The abbreviation may end a sentence (`etc.`, `Inc.`), so its period is kept before a
   * capitalised word; titles such as `Mr.` never end one.
   *
   * @default {false}
   */
  readonly mayEndSentence?: boolean;
}

/** Rewrites each match of `pattern` to `expansion`, keeping a sentence-ending period. */
export function abbreviation(
  pattern: RegExp,
  expansion: string,
  options: AbbreviationOptions = {},
): TextRule {
  const replacement: Replacer = (match: string, ...rest: unknown[]) => {
    const { offset, whole } = matchPosition(rest);
    return expansion + keptPeriod(match, offset, whole, options.mayEndSentence ?? false);
  };
  return { pattern, replacement };
}

/** Options of {@linkcode titleOrPlace}. */
export interface TitleOrPlaceOptions {
  /** The abbreviation without its period, case-sensitive (`St`). */
  readonly abbreviated: string;
  /** Reading before a name (`Saint`, `Doctor`). */
  readonly title: string;
  /** Reading after a street name (`Street`, `Drive`). */
  readonly place: string;
  /**
   * The title reading needs a capitalised word after it (`St. Louis`); without one the place
   * reading is used. When false, the place reading needs a street name before it.
   */
  readonly titleNeedsName: boolean;
}

/** A word that names a street: a house number, an ordinal (`5th`) or a capitalised name. */
const STREET_NAME_WORD = /^(?:\d[\p{L}\p{N}]*|\p{Lu}[\p{L}'’-]*)$/u;
/** Text before a word that makes the word the first of its sentence or clause. */
const SENTENCE_START = /(?:^|[.!?:;"“(]\s*)$/u;

/**
 * Whether the word before `offset` in `whole` names a street (`Elm`, `123`, `5th`). A capitalised
 * first word of a sentence counts only when `sentenceStartCounts` ("Visit St. Louis" is a saint,
 * "Oak Dr." alone is a drive).
 */
function afterStreetName(whole: string, offset: number, sentenceStartCounts: boolean): boolean {
  const previous = /(\S+)\s+$/u.exec(whole.slice(0, offset));
  if (!previous || !STREET_NAME_WORD.test(previous[1])) return false;
  if (/^\d/.test(previous[1]) || sentenceStartCounts) return true;
  return !SENTENCE_START.test(whole.slice(0, previous.index));
}

/**
 * Reads an abbreviation that is a title before a name and a place after one: `Dr. Smith` (Doctor)
 * and `Oak Dr.` (Drive), `St. Louis` (Saint) and `Elm St.` (Street).
 */
export function titleOrPlace(options: TitleOrPlaceOptions): TextRule {
  const { abbreviated, title, place, titleNeedsName } = options;
  const pattern = new RegExp(String.raw`(?<![\p{L}\p{N}])${abbreviated}\.`, "gu");
  const replacement: Replacer = (match: string, offset: number, whole: string) => {
    const nameFollows = /^\s+\p{Lu}/u.test(whole.slice(offset + match.length));
    const isPlace = afterStreetName(whole, offset, !nameFollows) ||
      (titleNeedsName && !nameFollows);
    const reading = isPlace ? place : title;
    return reading + keptPeriod(match, offset, whole, isPlace);
  };
  return { pattern, replacement };
}
