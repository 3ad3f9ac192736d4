/**
 * The shape of a language's normalisation rules table, and how its rewrites are applied.
 *
 * A language gets spoken forms (numbers, dates, currency, units, abbreviations, ...) by filling in
 * one {@linkcode LanguageRules} table, e.g. `en.ts`, and listing it in `languages.ts`.
 *
 * @module
 */

/** Replaces one match, as the function argument of `String.prototype.replace`. */
// deno-lint-ignore no-explicit-any -- the capture groups, offset and whole string vary by pattern
export type Replacer = (match: string, ...rest: any[]) => string;

/** A regular-expression rewrite, applied with `String.prototype.replace`. */
export interface TextRule {
  /** What to find; should have the `g` flag. */
  readonly pattern: RegExp;
  /** What to put instead: a replacement string or function, as for `String.prototype.replace`. */
  readonly replacement: string | Replacer;
}

/** How a currency's amounts are read. */
export interface CurrencyNames {
  /** Main unit, singular (`dollar`). */
  readonly one: string;
  /** Main unit, plural (`dollars`). */
  readonly many: string;
  /** Hundredth unit, singular (`cent`); absent for currencies read without one (yen). */
  readonly minorOne?: string;
  /** Hundredth unit, plural (`cents`). */
  readonly minorMany?: string;
}

/** Words the normaliser inserts, in one language. */
export interface NormalizerWords {
  /** Decimal separator (`point`). */
  readonly point: string;
  /** Negative sign (`minus`). */
  readonly minus: string;
  /** `%`. */
  readonly percent: string;
  /** Ranges, `5-10` (`to`). */
  readonly to: string;
  /** Joins a currency's main and minor units (`and`). */
  readonly and: string;
  /** `@` in e-mail addresses. */
  readonly at: string;
  /** `.` in addresses. */
  readonly dot: string;
  /** `/` in URLs and between numbers. */
  readonly slash: string;
  /** `-` in addresses. */
  readonly dash: string;
  /** `_` in addresses. */
  readonly underscore: string;
  /** `+` in addresses and before a phone number's country code. */
  readonly plus: string;
  /** A phone number's extension (`ext. 123`, `x123`): `extension`. */
  readonly extension: string;
  /** Between the sides of a dimension (`3 x 4 m`, `1920x1080`): `by`. */
  readonly by: string;
  /** A multiple of a quantity (`2 x 400 g`): `times`. */
  readonly times: string;
  /** A rate after money, `$3 per kg`, `$5/person` (`per`); also recognised in the text. */
  readonly per: string;
}

/**
 * Words that, right around a three-digit service number (`911`, `112`, `999`), make it the name of
 * the service, read digit by digit (`the 911 call` -> `the nine one one call`); elsewhere it is a
 * number (`911 people`). All lowercase.
 */
export interface ServiceNumberWords {
  /**
   * Singular nouns right after the number: `the 911 call`, `a 911 dispatcher`, `911 operator` (a
   * count of them would take the plural).
   */
  readonly nouns: readonly string[];
  /**
   * Plural nouns right after the number, which name the service only after one of
   * {@linkcode ServiceNumberWords.determiners} (`the 911 calls`); without one the number may be a
   * count (`In 1999, 911 calls`).
   */
  readonly pluralNouns: readonly string[];
  /** Words right before the number that let a plural noun after it name the service (`the`). */
  readonly determiners: readonly string[];
}

/** The spoken-form rules of one language. */
export interface LanguageRules {
  /** Cardinal number words for a string of decimal digits (`"1234"`). */
  cardinal(digits: string): string;
  /** Ordinal number words for a string of decimal digits (`"22"` -> `twenty-second`). */
  ordinal(digits: string): string;
  /** A number read as a year (`1984` -> `nineteen eighty-four`). */
  year(year: number): string;
  /** A year written with two digits (`'24`, `FY05`) -> `twenty-four`, `oh five`. */
  shortYear(year: number): string;
  /** Plural of number words, for decades (`nineteen ninety` -> `nineteen nineties`). */
  plural(words: string): string;
  /** A clock time; `period` is set for 12-hour times. */
  time(hour: number, minute: number, second: number | undefined, period?: "am" | "pm"): string;
  /** A calendar date (`month` 1-12); `dayFirst` when the text put the day first. */
  date(year: number | undefined, month: number, day: number, dayFirst: boolean): string;
  /**
   * A proper fraction such as `3/4` (`three quarters`), or `undefined` when the language has no
   * usual name for it (it is then read as two numbers with a slash).
   */
  fraction(numerator: number, denominator: number): string | undefined;
  /** Whether an ambiguous numeric date (`3/4/2024`) puts the month first. */
  readonly monthFirst: boolean;
  /** Inserted words. */
  readonly words: NormalizerWords;
  /** Month names, January first; also recognised in the text. */
  readonly months: readonly string[];
  /** Other spellings of months in the text (lowercase, without a dot) -> month number 1-12. */
  readonly monthAbbreviations: Readonly<Record<string, number>>;
  /** Day names, Monday first; also recognised in the text (`Monday–Friday`). */
  readonly weekdays: readonly string[];
  /**
   * Abbreviated days as written, with a capital (`Mon`, `Tues`) -> day number 1-7, Monday first.
   * Several are words too (`Sun`, `Sat`), so they are read as days only in a day context: linked
   * to another day (also in capitals), after a word of {@linkcode LanguageRules.weekdayContext},
   * or before a time or a date.
   */
  readonly weekdayAbbreviations: Readonly<Record<string, number>>;
  /** Words right before an abbreviated day that make it a day (`on Fri`, `every Sat`), lowercase. */
  readonly weekdayContext: readonly string[];
  /**
   * Words that link two days (`Mon to Fri`, `Sat and Sun`), lowercase; dashes (a range, read as
   * {@linkcode NormalizerWords.to}), slashes, commas and `&` link them too.
   */
  readonly weekdayLinks: readonly string[];
  /** Words after which a four-digit number is a year (`in 1999`), lowercase. */
  readonly yearContext: readonly string[];
  /**
   * Numbers with slashes (or an `x`) that are set phrases, as written -> as spoken (`24/7` ->
   * `twenty-four seven`); read before dates, fractions and other numbers with a slash.
   */
  readonly numberPhrases: Readonly<Record<string, string>>;
  /**
   * Reporting periods (quarters, halves, fiscal years), as written -> as spoken (`Q3` -> `Q
   * three`, `FY` -> `F Y`); read so wherever written as a word. A year after one is read as a year
   * (`Q3 2024`, `FY2024`), also a two-digit one after an apostrophe (`Q3 '24`) or right after a
   * period that ends with a letter (`FY24`); two periods joined by a dash are a range (`Q1-Q3`).
   */
  readonly yearPeriods: Readonly<Record<string, string>>;
  /** Era markers after a year, as written -> as spoken (`BC` -> `BC`, `A.D.` -> `AD`). */
  readonly eras: Readonly<Record<string, string>>;
  /** Currency symbols and three-letter codes -> names. */
  readonly currencies: Readonly<Record<string, CurrencyNames>>;
  /** Magnitude suffixes after an amount (`k`, `million`, `bn`) -> words. */
  readonly magnitudes: Readonly<Record<string, string>>;
  /** Unit symbols after a number -> [singular, plural] names. */
  readonly units: Readonly<Record<string, readonly [string, string]>>;
  /**
   * Units of a rate after money and a slash or {@linkcode NormalizerWords.per} (`$5/mo`,
   * `$3 per kg`), as written -> [the word that reads the slash (`a`, `an`, `per`), the singular
   * name]: `$5/mo` -> `five dollars a month`.
   */
  readonly rates: Readonly<Record<string, readonly [string, string]>>;
  /**
   * Words and phrases (lowercase) that, a few words before it in the same sentence, make a
   * seven-digit number such as `555-1234` a phone number (`call`, `reach me at`); without one it
   * is a range.
   */
  readonly phoneContext: readonly string[];
  /**
   * Words around a three-digit service number (`911`) that make it the service without a phone
   * word before it (`the 911 call`, `a 911 dispatcher`).
   */
  readonly serviceNumberWords: ServiceNumberWords;
  /**
   * Abbreviation rewrites (`Dr.` -> `Doctor`), applied in order, after addresses and before any
   * number is spelled out (so that `No. 5` and `5th St.` still see their digits).
   */
  readonly abbreviations: readonly TextRule[];
  /**
   * Rewrites of a sign before a number (`~5` -> `about 5`, `+5` -> `plus 5`), applied in order,
   * after abbreviations and before any number is spelled out: they recognise the number by its
   * digits, which money, percentages, units, times and dates no longer have once spelled out
   * (`~5 km`, `+3.2%`, `~$5`).
   */
  readonly signs: readonly TextRule[];
  /** Symbol rewrites (`&` -> `and`, `=` -> `equals`), applied in order, after numbers. */
  readonly symbols: readonly TextRule[];
}

/** Applies `rules` to `text` in order. */
export function applyRules(text: string, rules: readonly TextRule[]): string {
  let out = text;
  for (const rule of rules) {
    out = typeof rule.replacement === "string"
      ? out.replace(rule.pattern, rule.replacement)
      : out.replace(rule.pattern, rule.replacement);
  }
  return out;
}

/**
 * `build` memoised per rules table: the regular expressions and look-ups a module derives from a
 * language's rules are built once, on first use, and kept as long as the table lives.
 */
export function perRules<T>(build: (rules: LanguageRules) => T): (rules: LanguageRules) => T {
  const built = new WeakMap<LanguageRules, T>();
  return (rules) => {
    if (built.has(rules)) return built.get(rules)!;
    const value = build(rules);
    built.set(rules, value);
    return value;
  };
}

/**
 * Names (months, days) and their abbreviations, lowercase, to their number from 1: `names[i]` is
 * `i + 1`, an abbreviation the number it gives.
 */
export function nameIndex(
  names: readonly string[],
  abbreviations: Readonly<Record<string, number>>,
): Map<string, number> {
  const index = new Map<string, number>();
  names.forEach((name, i) => index.set(name.toLowerCase(), i + 1));
  for (const [written, number] of Object.entries(abbreviations)) {
    index.set(written.toLowerCase(), number);
  }
  return index;
}

/**
 * Months as written, capitalised ("may" is also a verb), as alternations: `written`, the names
 * and their abbreviations; `full`, the names alone.
 */
export function monthAlternations(rules: LanguageRules): { written: string; full: string } {
  return {
    written: alternation(
      [...rules.months, ...Object.keys(rules.monthAbbreviations)].map(capitalize),
    ),
    full: alternation(rules.months.map(capitalize)),
  };
}

/** `word` with its first letter in upper case (`monday` -> `Monday`). */
export function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `text` with every character that means something in a regular expression escaped. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * An alternation of `items`, longest first so that a longer item wins over its prefix; one that
 * never matches when there are none. Each item becomes `pattern(item)`: by default the item
 * itself, escaped.
 */
export function alternation(
  items: Iterable<string>,
  pattern: (item: string) => string = escapeRegExp,
): string {
  const sorted = [...items].sort((a, b) => b.length - a.length);
  return sorted.length === 0 ? "(?!)" : sorted.map(pattern).join("|");
}
