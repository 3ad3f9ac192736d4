/**
 * Splits text into clauses the way espeak-ng's clause reader (`ReadClause` in
 * `readclause.c`) does, and reports each clause's terminator as espeak-ng encodes it.
 *
 * Piper's phonemiser learns the terminator from a patched espeak-ng
 * (`espeak_TextToPhonemesWithTerminator`); the Emscripten build we use has only the stock
 * `espeak_TextToPhonemes`, which drops it. So the rules are re-stated here, for the
 * terminator characters listed in {@linkcode clauseTypeOf}:
 *
 * - a clause punctuation mark ends a clause when the next character is white space, a
 *   bracket or quote, `?`, the end of the text, or the mark needs no space after it
 *   (full-width and CJK marks);
 * - any clause punctuation right after it is swallowed (`?!` counts as `?`, `..` as `.`);
 *   three or more dots are an ellipsis;
 * - a mark ends nothing before the clause has a letter or digit;
 * - a full stop ends nothing when the next word starts in lower case, or is `'s`
 *   (`U.S.A.'s`), nor, in languages that write ordinals with a dot (German, Danish, ...),
 *   after a Roman numeral or after a digit when a lower-case word or `-` follows;
 * - those three exceptions are skipped when a newline follows the mark;
 * - a mark followed by a blank line, and a blank line itself, end a paragraph.
 *
 * Not re-stated (espeak-ng still splits there, but the caller sees no terminator): clauses
 * split because they are too long (about 700 bytes without punctuation), terminators
 * outside the table below, Armenian in-word marks and Hungarian's ordinal comma rule.
 *
 * @module
 */

/** espeak-ng's clause terminator bits and values (`translate.h`). */
export const ClauseTerminator = {
  /** Clause type bits. */
  TYPE_MASK: 0x000f0000,
  /** Set for terminators that end a sentence. */
  TYPE_SENTENCE: 0x00080000,
  /** The mark needs no space after it. */
  OPTIONAL_SPACE_AFTER: 0x00008000,
  /** The mark's name is spoken (ellipsis). */
  SPEAK_PUNCTUATION_NAME: 0x00200000,
  /** No terminator. */
  NONE: 0x00004000,
  /** `.` */
  PERIOD: 0x00080028,
  /** `?` */
  QUESTION: 0x00082028,
  /** `!` */
  EXCLAMATION: 0x0008302d,
  /** `,` */
  COMMA: 0x00041014,
  /** `:` */
  COLON: 0x0004001e,
  /** `;` and long dashes. */
  SEMICOLON: 0x0004101e,
  /** Blank line. */
  PARAGRAPH: 0x00080046,
  /** End of the text. */
  EOF: 0x00090028,
} as const;

/** One clause of the input and how it ended. */
export interface Clause {
  /** The clause's text, including its terminating punctuation, without the space after it. */
  readonly text: string;
  /** espeak-ng's terminator value (see {@linkcode ClauseTerminator}). */
  readonly terminator: number;
}

/** Options for {@linkcode splitClauses}. */
export interface SplitClausesOptions {
  /**
   * The language writes ordinal numbers with a dot (`3.`, `XIV.`), as espeak-ng's German,
   * Danish, Dutch, Finnish, Hungarian, Norwegian, ... translators do (`NUM_ORDINAL_DOT`).
   * See {@linkcode languageUsesOrdinalDot}.
   */
  readonly ordinalDot?: boolean;
}

const T = ClauseTerminator;

/** `clause_type_from_codepoint` for the characters whose espeak-ng properties matter. */
const CLAUSE_TYPES: ReadonlyMap<number, number> = new Map([
  // ASCII.
  [0x21, T.EXCLAMATION],
  [0x2c, T.COMMA],
  [0x2e, T.PERIOD],
  [0x3a, T.COLON],
  [0x3b, T.SEMICOLON],
  [0x3f, T.QUESTION],
  // Inverted Spanish marks.
  [0xa1, T.SEMICOLON | T.OPTIONAL_SPACE_AFTER],
  [0xbf, T.SEMICOLON | T.OPTIONAL_SPACE_AFTER],
  // Greek question mark and ano teleia.
  [0x37e, T.QUESTION],
  [0x387, T.SEMICOLON],
  // Armenian comma and full stop.
  [0x55d, T.COMMA],
  [0x589, T.PERIOD | T.OPTIONAL_SPACE_AFTER],
  // Arabic and Urdu.
  [0x60c, T.COMMA],
  [0x61b, T.SEMICOLON],
  [0x61f, T.QUESTION],
  [0x6d4, T.PERIOD],
  // Devanagari danda and double danda.
  [0x964, T.PERIOD | T.OPTIONAL_SPACE_AFTER],
  [0x965, T.PARAGRAPH],
  // Sinhala, Georgian, Ethiopic.
  [0xdf4, T.PERIOD | T.OPTIONAL_SPACE_AFTER],
  [0x10fb, T.PARAGRAPH],
  [0x1362, T.PERIOD],
  [0x1363, T.COMMA],
  [0x1364, T.SEMICOLON],
  [0x1365, T.COLON],
  [0x1366, T.COLON],
  [0x1367, T.QUESTION],
  [0x1368, T.PARAGRAPH],
  // General punctuation: en and em dash, ellipsis, double exclamation, double question.
  [0x2013, T.SEMICOLON],
  [0x2014, T.SEMICOLON],
  [0x2026, T.SEMICOLON | T.SPEAK_PUNCTUATION_NAME | T.OPTIONAL_SPACE_AFTER],
  [0x2029, T.PARAGRAPH],
  [0x203c, T.EXCLAMATION],
  [0x2047, T.QUESTION],
  [0x2e3a, T.SEMICOLON],
  [0x2e3b, T.SEMICOLON],
  // CJK comma and full stop.
  [0x3001, T.COMMA | T.OPTIONAL_SPACE_AFTER],
  [0x3002, T.PERIOD | T.OPTIONAL_SPACE_AFTER],
  // Vertical, small and full-width forms.
  [0xfe10, T.COMMA],
  [0xfe11, T.COMMA],
  [0xfe12, T.PERIOD],
  [0xfe13, T.COLON],
  [0xfe14, T.SEMICOLON],
  [0xfe15, T.EXCLAMATION],
  [0xfe16, T.QUESTION],
  [0xfe19, T.SEMICOLON | T.SPEAK_PUNCTUATION_NAME | T.OPTIONAL_SPACE_AFTER],
  [0xfe31, T.SEMICOLON],
  [0xfe32, T.SEMICOLON],
  [0xfe50, T.COMMA],
  [0xfe51, T.COMMA],
  [0xfe52, T.PERIOD],
  [0xfe54, T.SEMICOLON],
  [0xfe55, T.COLON],
  [0xfe56, T.QUESTION],
  [0xfe57, T.EXCLAMATION],
  [0xff01, T.EXCLAMATION | T.OPTIONAL_SPACE_AFTER],
  [0xff0c, T.COMMA | T.OPTIONAL_SPACE_AFTER],
  [0xff0e, T.PERIOD | T.OPTIONAL_SPACE_AFTER],
  [0xff1a, T.COLON | T.OPTIONAL_SPACE_AFTER],
  [0xff1b, T.SEMICOLON | T.OPTIONAL_SPACE_AFTER],
  [0xff1f, T.QUESTION | T.OPTIONAL_SPACE_AFTER],
  [0xff61, T.PERIOD],
  [0xff64, T.COMMA],
]);

/** espeak-ng's bracket list (`IsBracket`), quotes included, plus U+2014-U+201F. */
const BRACKETS = new Set([
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  "<",
  ">",
  '"',
  "'",
  "`",
  "«",
  "»",
  "《",
  "》",
]);

/** `CLAUSE_QUESTION | CLAUSE_EXCLAMATION`, which espeak-ng uses to swallow following marks. */
const SWALLOW_MASK = T.QUESTION | T.EXCLAMATION;

/** Language subtags whose espeak-ng translator sets `NUM_ORDINAL_DOT`. */
const ORDINAL_DOT_LANGUAGES = new Set([
  "da",
  "de",
  "et",
  "fi",
  "fo",
  "hu",
  "kl",
  "lt",
  "ltg",
  "lv",
  "nb",
  "nl",
  "no",
  "sl",
  "smj",
]);

/**
 * espeak-ng's clause type of one character: one of the {@linkcode ClauseTerminator} values,
 * possibly with `OPTIONAL_SPACE_AFTER` or `SPEAK_PUNCTUATION_NAME`, or `NONE`.
 */
export function clauseTypeOf(character: string): number {
  return CLAUSE_TYPES.get(character.codePointAt(0) ?? 0) ?? T.NONE;
}

/** Whether a terminator ends a sentence (a Piper sentence is a run of clauses up to one). */
export function endsSentence(terminator: number): boolean {
  return (terminator & T.TYPE_SENTENCE) === T.TYPE_SENTENCE;
}

/** Whether espeak-ng's translator for `language` (e.g. `de`, `nl-be`) writes ordinals with a dot. */
export function languageUsesOrdinalDot(language: string): boolean {
  return ORDINAL_DOT_LANGUAGES.has(language.toLowerCase().split(/[-_]/)[0]);
}

/**
 * Splits `text` into clauses where espeak-ng would, each with its terminator. The clauses'
 * texts, concatenated with the white space between them, give back `text`. White-space-only
 * stretches produce no clause.
 *
 * @example
 * ```ts
 * splitClauses("Hello, world. Bye");
 * // [{ text: "Hello,", terminator: COMMA }, { text: "world.", terminator: PERIOD },
 * //  { text: "Bye", terminator: EOF }]
 * ```
 */
export function splitClauses(text: string, options: SplitClausesOptions = {}): Clause[] {
  const chars = Array.from(text);
  const clauses: Clause[] = [];
  let start = 0;
  let anyAlnum = false;

  const close = (end: number, terminator: number, next: number) => {
    const clause = chars.slice(start, end).join("");
    if (clause.trim() !== "") clauses.push({ text: clause, terminator });
    start = next;
    anyAlnum = false;
  };

  let i = 0;
  while (i < chars.length) {
    let c1 = chars[i];
    if (c1 === "\n") {
      let j = i + 1;
      let newlines = 0;
      while (j < chars.length && isSpace(chars[j])) {
        if (chars[j] === "\n") newlines++;
        j++;
      }
      if (newlines > 0) {
        close(i, T.PARAGRAPH + 30 * (Math.min(newlines, 3) - 1), j);
        i = j;
        continue;
      }
    }
    if (isAlnum(c1)) {
      anyAlnum = true;
      i++;
      continue;
    }

    let next = i + 1; // index of espeak-ng's `c2`
    if (c1 === "." && chars[i + 1] === ".") {
      let j = i + 2;
      while (chars[j] === ".") j++;
      if (j - i >= 3) {
        c1 = "\u2026";
        next = j;
      }
    }
    const type = clauseTypeOf(c1);
    if (type === T.NONE) {
      i++;
      continue;
    }
    while (next < chars.length && (clauseTypeOf(chars[next]) & SWALLOW_MASK) !== 0) next++;

    const c2 = chars[next];
    let isEnd = c2 === undefined || isSpace(c2) || (type & T.OPTIONAL_SPACE_AFTER) !== 0 ||
      isBracket(c2) || c2 === "?";
    if (!isEnd) {
      i = next;
      continue;
    }

    let after = next; // index of espeak-ng's `c_next`, past the white space
    let newlines = 0;
    while (after < chars.length && isSpace(chars[after])) {
      if (chars[after] === "\n") newlines++;
      after++;
    }
    const cNext = chars[after];
    if (newlines === 0) {
      if (c1 === ".") {
        const cPrev = i - 1 >= start ? chars[i - 1] : " ";
        const cPrev2 = i - 2 >= start ? chars[i - 2] : " ";
        if (
          options.ordinalDot &&
          (isDigit(cPrev) || (isRomanUpper(cPrev) && (isRomanUpper(cPrev2) || isSpace(cPrev2))))
        ) {
          if (!isDigit(cPrev)) isEnd = false;
          else if (cNext !== undefined && (isLower(cNext) || cNext === "-")) isEnd = false;
        } else if (cNext === "'" && chars[after + 1] === "s") {
          isEnd = false;
        }
        if (cNext !== undefined && isLower(cNext)) isEnd = false;
      }
      if (!anyAlnum) isEnd = false;
    }
    if (!isEnd) {
      i = next;
      continue;
    }

    let terminator = type;
    if (newlines > 1) {
      terminator = type === T.QUESTION || type === T.EXCLAMATION ? type + 35 : T.PARAGRAPH;
    }
    close(next, terminator, after);
    i = after;
  }
  close(chars.length, T.EOF, chars.length);
  return clauses;
}

function isSpace(c: string): boolean {
  return /^\s$/u.test(c);
}

function isAlnum(c: string): boolean {
  return /^[\p{L}\p{N}]$/u.test(c);
}

function isDigit(c: string): boolean {
  return /^\p{Nd}$/u.test(c);
}

function isLower(c: string): boolean {
  return /^\p{Ll}$/u.test(c);
}

function isRomanUpper(c: string): boolean {
  return c === "I" || c === "V" || c === "X" || c === "L";
}

function isBracket(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return (code >= 0x2014 && code <= 0x201f) || BRACKETS.has(c);
}
