/**
 * Incremental sentence segmentation of streamed text (an LLM's output, token by token).
 *
 * The segmenter reads text one character at a time and decides every boundary from the text up to
 * a fixed amount of lookahead. Because no decision depends on where the chunks were cut, the
 * segments are the same for any chunking of the same text: pushing `"Hel"`, `"lo"`, `" there"`
 * gives what pushing `"Hello there"` gives, and no segment ever ends inside a word.
 *
 * The rules, precisely:
 *
 * - **Words end at whitespace.** A word is complete once the whitespace after it has arrived (or
 *   the utterance ends, at {@linkcode SentenceSegmenter.flush}); an em dash also ends the word it
 *   closes (`great—really`), and CJK text has a word per character (see below). Every rule below
 *   looks at complete words only, so a `.` or `,` at the very end of a chunk waits for the next
 *   chunk: `3.` + `5` is the number `3.5`, `example.` + `com` is a host name.
 * - **Sentence ends.** A complete word ending with a terminator (`.` `!` `?` `…`, runs such as `?!`
 *   or `...`, then optional closing quotes or brackets) ends the segment. Words that may or may not
 *   end a sentence (an ellipsis, a closing quote, `etc.`, `p.m.`, `No.`, a list number) wait for
 *   the next non-space character: a lowercase letter means the sentence goes on (`etc. and`,
 *   `Wait... what`), a digit after `No.` continues it, anything else (or the end of the utterance)
 *   ends it.
 * - **Not sentence ends:** decimals (`3.14`), abbreviations from a table (`Mr.`, `Dr.`, `e.g.`,
 *   `U.S.`), initials (`J. R. R. Tolkien`), URLs and e-mail addresses (their dots are not followed
 *   by whitespace), a list number such as `1.` at the start of a line followed by text.
 * - **Lines.** A blank line, or a line break after a terminator, ends a segment; so does a single
 *   line break, unless the next line goes on in lowercase (a wrapped sentence).
 * - **First-audio fast path** (when {@linkcode SegmenterOptions.fastFirstSegment} is on), for the
 *   first segment of an utterance only: it ends early (a) at a complete word that ends a clause
 *   (`,` `;` `:`, a spaced dash, or a word closed by an em dash) once the segment has
 *   {@linkcode SegmenterOptions.firstSegmentMinWords} words, or else (b) at a complete word with a
 *   letter or digit that neither ends with a terminator nor leans on the next word (`the`, `of`,
 *   `and`, ...) once the segment has {@linkcode SegmenterOptions.firstSegmentMaxWords} words (and
 *   at least `firstSegmentMinWords`). "Complete"
 *   means the whitespace after it has arrived: `sunny,` at the end of a chunk is not yet a clause
 *   end (it could be `sunny,warm`), `sunny, ` is. A clause comma inside a number (`1,234`) is no
 *   clause end. Later segments are whole sentences.
 * - **Long sentences** are split before a word that would take the segment past
 *   {@linkcode SegmenterOptions.maxSegmentChars} characters (whitespace-collapsed) or
 *   {@linkcode SegmenterOptions.maxSegmentWords} words: at the last clause end if there is one far
 *   enough in, else at that word boundary. A word is never cut.
 * - **CJK text** (Chinese, Japanese: written without spaces). A word also ends between two
 *   characters when either is a Han or kana character or CJK punctuation, unless the second one
 *   attaches to the first (a terminator, a clause mark, a closing quote or bracket, an em dash)
 *   or the first one opens (an opening quote or bracket). Each CJK character is thus a word of
 *   its own, with its punctuation: a full-width terminator (`。` `！` `？`) or clause mark
 *   (`，` `、` `；` `：`) is complete once the next character has arrived, whitespace or not;
 *   when that is a closing quote or bracket (`」` `』` `）` `”`), it joins the sentence, which
 *   then waits for the next character as after a closing quote in Latin text (`「はい。」` is
 *   one sentence). A long run without punctuation is split between characters. In the word
 *   counts (the first-segment thresholds, {@linkcode SegmenterOptions.maxSegmentWords}) a CJK
 *   character counts as half a word: a Chinese word is about two characters long, and a
 *   character takes about as long to say as half an English word. Korean, written with spaces,
 *   follows the Latin rules.
 * - A segment without a letter or digit (`...`, `---`) is never emitted on its own; its text joins
 *   the next segment or is dropped at a line end.
 *
 * Emitted segments are whitespace-collapsed and trimmed.
 *
 * Each push costs time proportional to the new text (amortised): words are examined once, when
 * they end, and the pending segment is kept whitespace-collapsed rather than re-scanned.
 *
 * @module
 */

/** Thresholds of the {@linkcode SentenceSegmenter}. */
export interface SegmenterOptions {
  /**
   * End the first segment of an utterance early, at a clause or after a number of words, so that
   * the first audio comes before the first sentence is complete. Later segments are whole
   * sentences.
   *
   * @default {true}
   */
  readonly fastFirstSegment: boolean;
  /**
   * The least number of words before a clause end (`,` `;` `:` or a dash) that ends the first
   * segment early; a CJK character counts as half a word. Must be at least 1.
   *
   * @default {4}
   */
  readonly firstSegmentMinWords: number;
  /**
   * The number of words after which the first segment ends even without punctuation (at the
   * first word that does not lean on the next one; in CJK text, between two characters), a CJK
   * character counting as half a word. Must be at least 1; a value below
   * {@linkcode SegmenterOptions.firstSegmentMinWords} counts as that value, so that no first
   * segment ends early with fewer words than that.
   *
   * @default {10}
   */
  readonly firstSegmentMaxWords: number;
  /**
   * Longest segment in characters (whitespace-collapsed); longer sentences are split at the last
   * clause end, or at the word boundary before the limit (in CJK text, between two characters). A
   * single word longer than this is never cut. Must be at least 1.
   *
   * @default {200}
   */
  readonly maxSegmentChars: number;
  /**
   * Most words in a segment, a CJK character counting as half a word; longer sentences are split
   * like over-long ones. Must be at least 1.
   *
   * @default {30}
   */
  readonly maxSegmentWords: number;
}

/** The default {@linkcode SegmenterOptions}. */
export const DEFAULT_SEGMENTER_OPTIONS: Readonly<SegmenterOptions> = Object.freeze({
  fastFirstSegment: true,
  firstSegmentMinWords: 4,
  firstSegmentMaxWords: 10,
  maxSegmentChars: 200,
  maxSegmentWords: 30,
});

/** Characters that end a sentence. */
const TERMINATORS = new Set([".", "!", "?", "…", "‽", "。", "！", "？", "｡"]);
/** Characters that may follow a terminator and still belong to the sentence. */
const CLOSERS = new Set([
  ...['"', "'", ")", "]", "}", "»", "”", "’", "*", "_", "`", "」", "』"],
  ...["）", "］", "｝", "】", "〕", "〗", "〙", "〛", "》", "〉", "〞", "〟", "｣"],
]);
/** Characters that may open a word (stripped before the abbreviation look-up). */
const OPENERS = new Set([
  ...['"', "'", "(", "[", "{", "«", "“", "‘", "*", "_", "`", "「", "『"],
  ...["（", "［", "｛", "【", "〔", "〖", "〘", "〚", "《", "〈", "〝", "｢"],
]);
/** Characters that end a clause. */
const CLAUSE_ENDS = new Set([",", ";", ":", "，", "；", "：", "、", "､"]);
/** Words that are a dash on their own (` - `, ` — `): a clause boundary after them. */
const DASH_WORDS = new Set(["-", "--", "–", "—", "―"]);
const EM_DASH = 0x2014;
/** How many words a CJK character counts as (see the module documentation). */
const CJK_CHARACTER_WORDS = 0.5;

/** Abbreviations (lowercased) that never end a sentence, whatever follows. */
const NON_FINAL_ABBREVIATIONS = new Set([
  "mr.",
  "mrs.",
  "ms.",
  "mx.",
  "dr.",
  "prof.",
  "st.",
  "mt.",
  "rev.",
  "hon.",
  "gen.",
  "col.",
  "capt.",
  "lt.",
  "sgt.",
  "vs.",
  "v.",
  "e.g.",
  "i.e.",
  "cf.",
  "viz.",
  "approx.",
  "ca.",
  "u.s.",
  "u.k.",
  "u.n.",
  "e.u.",
]);
/**
 * Abbreviations (lowercased) that may end a sentence: they do when the next word does not start
 * with a lowercase letter (`at 5 p.m. Then` ends, `at 5 p.m. today` does not).
 */
const AMBIGUOUS_ABBREVIATIONS = new Set([
  "etc.",
  "a.m.",
  "p.m.",
  "a.d.",
  "b.c.",
  "jr.",
  "sr.",
  "inc.",
  "ltd.",
  "co.",
  "corp.",
  "ave.",
  "blvd.",
  "rd.",
  "ft.",
  "in.",
  "lbs.",
  "oz.",
  "min.",
  "hr.",
  "hrs.",
  "mins.",
  "secs.",
  "al.",
]);
/** Abbreviations that do not end a sentence when a number follows (`No. 5`, `Jan. 5`). */
const NUMBERING_ABBREVIATIONS = new Set([
  "no.",
  "nos.",
  "vol.",
  "fig.",
  "p.",
  "pp.",
  "ch.",
  "sec.",
  "jan.",
  "feb.",
  "mar.",
  "apr.",
  "jun.",
  "jul.",
  "aug.",
  "sep.",
  "sept.",
  "oct.",
  "nov.",
  "dec.",
]);

/**
 * Words (lowercased) that lean on the word after them: the word-count fast path does not end the
 * first segment after one of them (`... over the | lazy dog` would sound cut off).
 */
const LEANING_WORDS = new Set([
  "a",
  "an",
  "the",
  "of",
  "to",
  "in",
  "on",
  "at",
  "by",
  "for",
  "from",
  "with",
  "into",
  "about",
  "as",
  "than",
  "and",
  "or",
  "but",
  "nor",
  "if",
  "my",
  "your",
  "his",
  "her",
  "its",
  "our",
  "their",
  "i",
  "we",
  "you",
  "they",
  "is",
  "are",
  "was",
  "were",
  "be",
  "not",
  "very",
]);

const WORD_CHAR = /[\p{L}\p{N}]/u;
const INITIAL = /^\p{Lu}\.$/u;
const DOTTED_ABBREVIATION = /^(?:\p{L}\.){2,}$/u;
const LIST_NUMBER = /^\d{1,3}\.$/;
const LOWERCASE = /^\p{Ll}$/u;
const ELLIPSIS = /(?:\.\.\.|…)$/;
const CJK_LETTER = /[\p{scx=Han}\p{scx=Hira}\p{scx=Kana}]/u;

/** What a word ending with a terminator, followed by whitespace, means. */
type SentenceEnd = "boundary" | "none" | "wait";

/** A word that ended with a terminator, waiting for the next character to decide. */
interface PendingEnd {
  /** The word, closers included. */
  readonly word: string;
  /** Whether it was the first word of its line (list numbers). */
  readonly firstOnLine: boolean;
}

/** Splits streamed text into sentences (and clauses, see the options), incrementally. */
export class SentenceSegmenter {
  readonly #options: SegmenterOptions;
  /** The pending segment: its completed words, joined by single spaces. */
  #segment = "";
  /**
   * Words with a letter or digit in {@linkcode #segment} (a CJK character counts as
   * {@linkcode CJK_CHARACTER_WORDS}).
   */
  #segmentWords = 0;
  /** Length of {@linkcode #segment} right after its last clause boundary, or -1. */
  #clauseLength = -1;
  /** {@linkcode #segmentWords} at that clause boundary. */
  #clauseWords = 0;
  /** The word being read, in pieces (one per chunk it spans, so that appending is cheap). */
  #word: string[] = [];
  /** The last character of the word being read (a UTF-16 code unit), or -1 when there is none. */
  #last = -1;
  /**
   * What joins the word being read to the segment: a space, or nothing after an em dash or
   * between CJK characters.
   */
  #gap = "";
  /** Whether whitespace came after the last word. */
  #space = false;
  /** Words completed on the current line. */
  #lineWords = 0;
  /** A terminator waiting for the next character. */
  #pending: PendingEnd | undefined;
  /** A single line break after words, waiting for the next character (a soft wrap?). */
  #lineBreak = false;
  /** Segments emitted in this utterance. */
  #emitted = 0;

  /** Creates a segmenter; missing options take {@linkcode DEFAULT_SEGMENTER_OPTIONS}. */
  constructor(options: Partial<SegmenterOptions> = {}) {
    const merged = { ...DEFAULT_SEGMENTER_OPTIONS };
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined) Object.assign(merged, { [key]: value });
    }
    validateSegmenterOptions(merged);
    this.#options = merged;
  }

  /** Reads more text of the utterance; returns the segments it completed (often none). */
  push(text: string): string[] {
    const out: string[] = [];
    let wordFrom = -1;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (isSpace(code)) {
        if (wordFrom >= 0) {
          this.#word.push(text.slice(wordFrom, i));
          wordFrom = -1;
        }
        if (this.#word.length > 0) this.#endWord(out);
        this.#space = true;
        if (isLineBreak(code)) this.#endLine(out);
        continue;
      }
      if (this.#last >= 0 && breaksBetween(this.#last, code)) {
        // CJK text: the word ends here, without whitespace.
        if (wordFrom >= 0) {
          this.#word.push(text.slice(wordFrom, i));
          wordFrom = -1;
        }
        this.#endWord(out);
      }
      if (this.#pending) this.#resolve(out, code);
      else if (this.#lineBreak) {
        this.#lineBreak = false;
        // A line that goes on in lowercase is a wrapped sentence; anything else is a new one.
        if (!isLowercase(code)) this.#emit(out);
      }
      if (wordFrom < 0) {
        if (this.#word.length === 0) {
          this.#gap = this.#space ? " " : "";
          this.#space = false;
        }
        wordFrom = i;
      }
      this.#last = code;
      if (code === EM_DASH) {
        // "great—really": the dash ends the word, so that the clause can end there.
        this.#word.push(text.slice(wordFrom, i + 1));
        wordFrom = -1;
        this.#endWord(out);
      }
    }
    if (wordFrom >= 0) this.#word.push(text.slice(wordFrom));
    return out;
  }

  /** Ends the utterance: returns what is left, and makes the segmenter ready for the next one. */
  flush(): string[] {
    const out: string[] = [];
    if (this.#word.length > 0) this.#endWord(out);
    if (this.#pending) this.#resolve(out, undefined);
    this.#emit(out);
    this.#lineBreak = false;
    this.#gap = "";
    this.#space = false;
    this.#lineWords = 0;
    this.#emitted = 0;
    return out;
  }

  /** A word is complete: split an over-long segment, append the word, look at its ending. */
  #endWord(out: string[]): void {
    const word = this.#word.length === 1 ? this.#word[0] : this.#word.join("");
    this.#word = [];
    this.#last = -1;
    this.#space = false;
    const words = wordCount(word);
    const { maxSegmentChars, maxSegmentWords } = this.#options;
    while (
      this.#segmentWords > 0 &&
      (this.#segment.length + this.#gap.length + word.length > maxSegmentChars ||
        this.#segmentWords + words > maxSegmentWords)
    ) {
      this.#splitLong(out);
    }
    this.#segment = this.#segment === "" ? word : this.#segment + this.#gap + word;
    this.#segmentWords += words;
    const firstOnLine = this.#lineWords++ === 0;
    if (endsSentence(word)) {
      const verdict = sentenceEnd(word, firstOnLine);
      // A segment without a letter or digit ("...") is not emitted: it joins the next one.
      if (verdict === "boundary" && this.#segmentWords > 0) this.#emit(out);
      else if (verdict === "wait") this.#pending = { word, firstOnLine };
      return;
    }
    const clause = this.#segmentWords > 0 && endsClause(word);
    if (clause) this.#markClause();
    const { fastFirstSegment, firstSegmentMinWords, firstSegmentMaxWords } = this.#options;
    if (!fastFirstSegment || this.#emitted > 0 || this.#segmentWords < firstSegmentMinWords) return;
    if (
      clause ||
      (this.#segmentWords >= firstSegmentMaxWords && words > 0 &&
        !LEANING_WORDS.has(core(word).toLowerCase()))
    ) {
      this.#emit(out);
    }
  }

  /** Decides the pending terminator, knowing the next character (undefined: end of text). */
  #resolve(out: string[], next: number | undefined): void {
    const pending = this.#pending as PendingEnd;
    this.#pending = undefined;
    if (isBoundary(pending, next)) {
      if (this.#segmentWords > 0) this.#emit(out);
    } else if (ELLIPSIS.test(stripClosers(pending.word))) {
      this.#markClause();
    }
  }

  /**
   * A line break after a terminator, or a blank line, ends the segment; a single line break waits
   * for the next character. A line without a letter or digit (`---`) is dropped.
   */
  #endLine(out: string[]): void {
    this.#lineWords = 0;
    if (this.#pending || this.#lineBreak || this.#segmentWords === 0) {
      this.#pending = undefined;
      this.#lineBreak = false;
      this.#emit(out);
    } else {
      this.#lineBreak = true;
    }
  }

  #markClause(): void {
    this.#clauseLength = this.#segment.length;
    this.#clauseWords = this.#segmentWords;
  }

  /** Emits the head of an over-long segment: up to its last clause boundary, or all of it. */
  #splitLong(out: string[]): void {
    const { maxSegmentChars, maxSegmentWords } = this.#options;
    const clauseFarEnough = this.#clauseLength >= maxSegmentChars / 4 ||
      this.#clauseWords >= maxSegmentWords / 4;
    if (this.#clauseLength > 0 && clauseFarEnough) {
      out.push(this.#segment.slice(0, this.#clauseLength));
      this.#emitted++;
      const rest = this.#segment.slice(this.#clauseLength);
      this.#segment = rest.startsWith(" ") ? rest.slice(1) : rest;
      this.#segmentWords -= this.#clauseWords;
      this.#clauseLength = -1;
      this.#clauseWords = 0;
    } else {
      this.#emit(out);
    }
  }

  /** Emits the pending segment if it has a letter or digit, and starts a new one. */
  #emit(out: string[]): void {
    if (this.#segmentWords > 0) {
      out.push(this.#segment);
      this.#emitted++;
    }
    this.#segment = "";
    this.#segmentWords = 0;
    this.#clauseLength = -1;
    this.#clauseWords = 0;
  }
}

/** {@linkcode SentenceSegmenter} as a stream: text chunks in, segments out; flushes at the end. */
export class SentenceSegmenterStream extends TransformStream<string, string> {
  /** Creates the stream; missing options take {@linkcode DEFAULT_SEGMENTER_OPTIONS}. */
  constructor(options: Partial<SegmenterOptions> = {}) {
    const segmenter = new SentenceSegmenter(options);
    super({
      transform(chunk, controller) {
        for (const segment of segmenter.push(chunk)) controller.enqueue(segment);
      },
      flush(controller) {
        for (const segment of segmenter.flush()) controller.enqueue(segment);
      },
    });
  }
}

/**
 * Checks a full set of segmenter options.
 *
 * @throws {RangeError} naming the first option out of range.
 */
export function validateSegmenterOptions(options: SegmenterOptions): void {
  const atLeastOne = [
    "firstSegmentMinWords",
    "firstSegmentMaxWords",
    "maxSegmentChars",
    "maxSegmentWords",
  ] as const;
  for (const name of atLeastOne) {
    if (!(options[name] >= 1)) throw new RangeError(`${name} must be >= 1, got ${options[name]}`);
  }
}

/** Whitespace, including control characters and zero-width spaces. */
function isSpace(code: number): boolean {
  return code <= 0x20 || code === 0x85 || code === 0xa0 || code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200b) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/** Line breaks (a carriage return is plain whitespace, so that CRLF is one break). */
function isLineBreak(code: number): boolean {
  return code === 0x0a || code === 0x0b || code === 0x0c || code === 0x85 || code === 0x2028 ||
    code === 0x2029;
}

/**
 * Whether `code` is written without spaces around it: a Han or kana character, CJK punctuation,
 * or a full-width form other than a letter or digit. (A character outside the Basic Multilingual
 * Plane, such as a rare Han character, is not: it is never split from its neighbours.)
 */
function isCjk(code: number): boolean {
  if (code < 0x2e80 || (code >= 0xd800 && code <= 0xdfff)) return false;
  if (code >= 0x3000 && code <= 0x303f) return true; // CJK symbols and punctuation
  if (code >= 0xff01 && code <= 0xff65) {
    // Full-width forms, less the letters and digits.
    return !((code >= 0xff10 && code <= 0xff19) || (code >= 0xff21 && code <= 0xff3a) ||
      (code >= 0xff41 && code <= 0xff5a));
  }
  return CJK_LETTER.test(String.fromCharCode(code));
}

/**
 * Whether a word ends between the characters `before` and `after` with no whitespace between
 * them: next to CJK text, unless `after` attaches to what comes before it (punctuation that ends a
 * sentence or clause, closing quotes and brackets, an em dash) or `before` opens what follows.
 */
function breaksBetween(before: number, after: number): boolean {
  if (!isCjk(before) && !isCjk(after)) return false;
  const next = String.fromCharCode(after);
  if (TERMINATORS.has(next) || CLAUSE_ENDS.has(next) || CLOSERS.has(next) || after === EM_DASH) {
    return false;
  }
  return !OPENERS.has(String.fromCharCode(before));
}

/**
 * How many words `word` counts as: 0 without a letter or digit, {@linkcode CJK_CHARACTER_WORDS}
 * for a CJK character (with its punctuation), else 1.
 */
function wordCount(word: string): number {
  if (!WORD_CHAR.test(word)) return 0;
  return CJK_LETTER.test(word) ? CJK_CHARACTER_WORDS : 1;
}

function isLowercase(code: number): boolean {
  if (code < 0x80) return code >= 0x61 && code <= 0x7a;
  return LOWERCASE.test(String.fromCharCode(code));
}

function stripClosers(word: string): string {
  let end = word.length;
  while (end > 0 && CLOSERS.has(word[end - 1])) end--;
  return word.slice(0, end);
}

/** The word without its opening and closing quotes and brackets. */
function core(word: string): string {
  const closed = stripClosers(word);
  let start = 0;
  while (start < closed.length && OPENERS.has(closed[start])) start++;
  return closed.slice(start);
}

function endsSentence(word: string): boolean {
  const stripped = stripClosers(word);
  return stripped.length > 0 && TERMINATORS.has(stripped[stripped.length - 1]);
}

function endsClause(word: string): boolean {
  if (DASH_WORDS.has(word) || word.endsWith("—")) return true;
  const stripped = stripClosers(word);
  return stripped.length > 0 && CLAUSE_ENDS.has(stripped[stripped.length - 1]);
}

/**
 * Decides a word that ends with a terminator once the whitespace after it has come: a boundary,
 * none (abbreviations, initials), or wait for the next character (ellipses, closing quotes,
 * abbreviations that may end a sentence, list numbers).
 */
function sentenceEnd(word: string, firstOnLine: boolean): SentenceEnd {
  const bare = core(word);
  const lower = bare.toLowerCase();
  if (AMBIGUOUS_ABBREVIATIONS.has(lower) || NUMBERING_ABBREVIATIONS.has(lower)) return "wait";
  if (NON_FINAL_ABBREVIATIONS.has(lower) || INITIAL.test(bare)) return "none";
  if (DOTTED_ABBREVIATION.test(bare)) return "none";
  const unclosed = stripClosers(word);
  if (unclosed !== word || ELLIPSIS.test(unclosed)) return "wait";
  if (firstOnLine && LIST_NUMBER.test(bare)) return "wait";
  return "boundary";
}

/** Decides a waiting terminator, given the next non-space character (undefined: end of text). */
function isBoundary(pending: PendingEnd, next: number | undefined): boolean {
  if (next === undefined) return true;
  if (isLowercase(next)) return false;
  const bare = core(pending.word);
  const isDigit = next >= 0x30 && next <= 0x39;
  if (NUMBERING_ABBREVIATIONS.has(bare.toLowerCase()) && isDigit) return false;
  // "1. Buy milk": a list number, followed by text on the same line.
  if (pending.firstOnLine && LIST_NUMBER.test(bare)) return false;
  return true;
}
