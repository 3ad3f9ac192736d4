/**
 * Text normalisation for speech: turns a text segment into words a voice can read.
 *
 * Every language gets the language-independent clean-up (control characters, the markdown and
 * emoji that LLMs emit). Languages with a rules table ({@linkcode LanguageRules}; English is filled
 * in) also get numbers, currency, percentages, times, dates, years, ordinals, units,
 * abbreviations, URLs and e-mail addresses spelled out as words. Other languages keep their digits,
 * which espeak-ng reads in the language itself.
 *
 * Number words are written here (a few dozen lines per language) rather than taken from an npm
 * package: the packages read numbers only, while years, times, digit-by-digit reading and ordinals
 * of the same words are needed too, and all of it has to sit behind one per-language table.
 *
 * @module
 */

/** A regular-expression rewrite, applied with `String.prototype.replace`. */
export interface TextRule {
  /** What to find; should have the `g` flag. */
  readonly pattern: RegExp;
  /** What to put instead: a replacement string or function, as for `String.prototype.replace`. */
  // deno-lint-ignore no-explicit-any
  readonly replacement: string | ((match: string, ...rest: any[]) => string);
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
  /** `/` in URLs. */
  readonly slash: string;
  /** `-` in addresses. */
  readonly dash: string;
  /** `_` in addresses. */
  readonly underscore: string;
  /** `+` in addresses. */
  readonly plus: string;
}

/** The spoken-form rules of one language. */
export interface LanguageRules {
  /** Cardinal number words for a string of decimal digits (`"1234"`). */
  cardinal(digits: string): string;
  /** Ordinal number words for a string of decimal digits (`"22"` -> `twenty-second`). */
  ordinal(digits: string): string;
  /** A number read as a year (`1984` -> `nineteen eighty-four`). */
  year(year: number): string;
  /** Plural of number words, for decades (`nineteen ninety` -> `nineteen nineties`). */
  plural(words: string): string;
  /** A clock time; `period` is set for 12-hour times. */
  time(hour: number, minute: number, second: number | undefined, period?: "am" | "pm"): string;
  /** A calendar date (`month` 1-12); `dayFirst` when the text put the day first. */
  date(year: number | undefined, month: number, day: number, dayFirst: boolean): string;
  /** Inserted words. */
  readonly words: NormalizerWords;
  /** Month names, January first; also recognised in the text. */
  readonly months: readonly string[];
  /** Other spellings of months in the text (lowercase, without a dot) -> month number 1-12. */
  readonly monthAbbreviations: Readonly<Record<string, number>>;
  /** Words after which a four-digit number is a year (`in 1999`), lowercase. */
  readonly yearContext: readonly string[];
  /** Era markers after a year, as written -> as spoken (`BC` -> `BC`, `A.D.` -> `AD`). */
  readonly eras: Readonly<Record<string, string>>;
  /** Currency symbols and codes -> names. */
  readonly currencies: Readonly<Record<string, CurrencyNames>>;
  /** Magnitude suffixes after an amount (`k`, `million`, `bn`) -> words. */
  readonly magnitudes: Readonly<Record<string, string>>;
  /** Unit symbols after a number -> [singular, plural] names. */
  readonly units: Readonly<Record<string, readonly [string, string]>>;
  /** Abbreviation rewrites (`Dr.` -> `Doctor`), applied in order. */
  readonly abbreviations: readonly TextRule[];
  /** Symbol rewrites (`&` -> `and`, `=` -> `equals`), applied in order. */
  readonly symbols: readonly TextRule[];
}

// --- Language-independent clean-up -------------------------------------------------------------

/** Control characters (tab and line breaks excepted), zero-width characters and soft hyphens. */
const CONTROL =
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u200B\u200C\u2060\uFEFF]/g;

/** Markdown, as LLMs emit it, rewritten to its plain text, in order. */
const MARKDOWN_RULES: readonly TextRule[] = [
  // Backslash escapes: `\*` is a literal star.
  { pattern: /\\([\\`*_{}[\]()#+\-.!>|~])/g, replacement: "$1" },
  // Inline code keeps its content; fence lines (```ts) go.
  { pattern: /(`+)([^`\n]+?)\1/g, replacement: "$2" },
  { pattern: /^[ \t]*(?:`{3,}|~{3,}).*$/gm, replacement: "" },
  { pattern: /`+/g, replacement: "" },
  // Images and links keep their text; autolinks keep the address.
  { pattern: /!\[([^\]\n]*)\]\([^)\n]*\)/g, replacement: "$1" },
  { pattern: /\[([^\]\n]+)\]\([^)\n]*\)/g, replacement: "$1" },
  { pattern: /\[([^\]\n]+)\]\[[^\]\n]*\]/g, replacement: "$1" },
  { pattern: /<(?:mailto:)?((?:https?:\/\/)?[^<>\s]+[@.][^<>\s]+)>/g, replacement: "$1" },
  // HTML tags.
  { pattern: /<\/?[A-Za-z][\w-]*(?:\s[^<>]*)?\/?>/g, replacement: " " },
  // Headings, rules, tables, quotes, bullets, task boxes, numbered items.
  { pattern: /^[ \t]{0,3}#{1,6}[ \t]+/gm, replacement: "" },
  { pattern: /[ \t]+#+[ \t]*$/gm, replacement: "" },
  { pattern: /^[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$/gm, replacement: "" },
  {
    pattern: /^[ \t]*\|?(?:[ \t]*:?-{2,}:?[ \t]*\|)+[ \t]*(?::?-{2,}:?[ \t]*)?$/gm,
    replacement: "",
  },
  { pattern: /^[ \t]*\|/gm, replacement: "" },
  { pattern: /\|[ \t]*$/gm, replacement: "" },
  { pattern: /[ \t]*\|[ \t]*/g, replacement: ", " },
  { pattern: /^[ \t]*>+[ \t]?/gm, replacement: "" },
  { pattern: /^[ \t]*[-*+•◦▪‣][ \t]+/gm, replacement: "" },
  { pattern: /^[ \t]*\[[ xX]\][ \t]+/gm, replacement: "" },
  { pattern: /^[ \t]*(\d{1,3})[.)][ \t]+(?=\S)/gm, replacement: "$1, " },
  // Emphasis: paired markers, then unpaired ones at word edges (a segment may hold half a pair).
  { pattern: /(\*\*|__|~~)(?=\S)([^\n]*?\S)\1/g, replacement: "$2" },
  { pattern: /(?<![\p{L}\p{N}])([*_])(?=\S)([^\n]*?\S)\1(?![\p{L}\p{N}])/gu, replacement: "$2" },
  { pattern: /(?<![\p{L}\p{N}])(?:\*{1,3}|_{1,3}|~~)(?=[\p{L}\p{N}])/gu, replacement: "" },
  {
    pattern: /(?<=[\p{L}\p{N}.,!?:;)'"”’])(?:\*{1,3}|_{1,3}|~~)(?![\p{L}\p{N}])/gu,
    replacement: "",
  },
  // snake_case reads as words.
  { pattern: /(?<=[\p{L}\p{N}])_+(?=[\p{L}\p{N}])/gu, replacement: " " },
];

/** Pictographs that are words rather than emoji. */
const PICTOGRAPH_WORDS: readonly TextRule[] = [
  { pattern: /‼\uFE0F?/g, replacement: "!!" },
  { pattern: /⁉\uFE0F?/g, replacement: "?!" },
  { pattern: /([0-9#*])\uFE0F?\u20E3/g, replacement: "$1" },
];

/** Emoji, with their modifiers, joiners and variation selectors (`©` is left to the language). */
const EMOJI =
  /(?:(?!©)\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Modifier})(?:[\uFE0E\uFE0F\u20E3]|\p{Emoji_Modifier}|\u200D(?:\p{Extended_Pictographic}|\p{Regional_Indicator})?)*|[\uFE0E\uFE0F]/gu;

const SPEAKABLE = /[\p{L}\p{N}]/u;

function applyRules(text: string, rules: readonly TextRule[]): string {
  let out = text;
  // deno-lint-ignore no-explicit-any
  for (const rule of rules) out = out.replace(rule.pattern, rule.replacement as any);
  return out;
}

function tidy(text: string): string {
  return text
    // A line that ends without punctuation (a heading, a table row) still ends a sentence.
    .replace(/(?<=[\p{L}\p{N}])[ \t]*\n\s*(?=\S)/gu, ". ")
    .replace(/\s+/gu, " ")
    .replace(/\(\s*\)|\[\s*\]/g, "")
    .replace(/\s+([,.;:!?…)\]])/g, "$1")
    .replace(/([([])\s+/g, "$1")
    .replace(/([,;:])(?:\s*[,;:])+/g, "$1")
    .replace(/^[\s,;:.]+/, "")
    .replace(/[\s,;:]+$/, "")
    .trim();
}

// --- English ------------------------------------------------------------------------------------

const EN_ONES = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const EN_TENS = [
  "",
  "",
  "twenty",
  "thirty",
  "forty",
  "fifty",
  "sixty",
  "seventy",
  "eighty",
  "ninety",
];
const EN_SCALES = [
  "",
  " thousand",
  " million",
  " billion",
  " trillion",
  " quadrillion",
  " quintillion",
  " sextillion",
  " septillion",
  " octillion",
  " nonillion",
  " decillion",
];
const EN_ORDINAL_WORDS: Readonly<Record<string, string>> = {
  one: "first",
  two: "second",
  three: "third",
  five: "fifth",
  eight: "eighth",
  nine: "ninth",
  twelve: "twelfth",
};

/** Words for 0-999. */
function englishBelowThousand(n: number): string {
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) words.push(`${EN_ONES[hundreds]} hundred`);
  if (rest > 0 || hundreds === 0) {
    if (rest < 20) words.push(EN_ONES[rest]);
    else {
      const ones = rest % 10;
      words.push(EN_TENS[Math.floor(rest / 10)] + (ones > 0 ? `-${EN_ONES[ones]}` : ""));
    }
  }
  return words.join(" ");
}

/** Each digit as a word: `"007"` -> `zero zero seven`. */
function englishDigits(digits: string): string {
  return [...digits].map((d) => EN_ONES[Number(d)]).join(" ");
}

function englishCardinal(digits: string): string {
  const trimmed = digits.replace(/^0+(?=\d)/, "");
  if (trimmed.length > EN_SCALES.length * 3) return englishDigits(trimmed);
  if (/^0+$/.test(trimmed)) return "zero";
  const words: string[] = [];
  for (let end = trimmed.length, scale = 0; end > 0; end -= 3, scale++) {
    const group = Number(trimmed.slice(Math.max(0, end - 3), end));
    if (group > 0) words.unshift(englishBelowThousand(group) + EN_SCALES[scale]);
  }
  return words.join(" ");
}

/** `twenty-two` -> `twenty-second`: only the last word changes. */
function englishOrdinalWords(cardinal: string): string {
  return cardinal.replace(
    /[a-z]+$/,
    (last) =>
      EN_ORDINAL_WORDS[last] ?? (last.endsWith("y") ? `${last.slice(0, -1)}ieth` : `${last}th`),
  );
}

function englishYear(year: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    return englishCardinal(String(Math.abs(Math.trunc(year))));
  }
  const high = Math.floor(year / 100);
  const low = year % 100;
  if (high % 10 === 0 && low < 10) return englishCardinal(String(year)); // 2000, 2005, 1001
  if (low === 0) return `${englishBelowThousand(high)} hundred`; // 1900
  if (low < 10) return `${englishBelowThousand(high)} oh ${EN_ONES[low]}`; // 1905
  return `${englishBelowThousand(high)} ${englishBelowThousand(low)}`; // 1984, 2024
}

function englishTime(
  hour: number,
  minute: number,
  second: number | undefined,
  period?: "am" | "pm",
): string {
  const hourWords = englishCardinal(String(period && hour === 0 ? 12 : hour));
  let spoken: string;
  if (minute === 0 && second === undefined) {
    if (period) spoken = hourWords;
    else if (hour >= 1 && hour <= 12) spoken = `${hourWords} o'clock`;
    else spoken = `${hourWords} hundred`;
  } else {
    const minuteWords = minute < 10 ? `oh ${EN_ONES[minute]}` : englishCardinal(String(minute));
    spoken = `${hourWords} ${minuteWords}`;
  }
  if (second !== undefined) {
    spoken += ` and ${englishCardinal(String(second))} second${second === 1 ? "" : "s"}`;
  }
  return period ? `${spoken} ${period.toUpperCase()}` : spoken;
}

const EN_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function englishDate(
  year: number | undefined,
  month: number,
  day: number,
  dayFirst: boolean,
): string {
  const name = EN_MONTHS[month - 1];
  const dayWords = englishOrdinalWords(englishCardinal(String(day)));
  const spoken = dayFirst ? `the ${dayWords} of ${name}` : `${name} ${dayWords}`;
  return year === undefined ? spoken : `${spoken}, ${englishYear(year)}`;
}

/** Rewrites an abbreviation; keeps the period when it also ended the text. */
function abbreviation(pattern: RegExp, expansion: string): TextRule {
  return {
    pattern,
    replacement: (match: string, ...rest: unknown[]) => {
      // The arguments end with (offset, whole string) and, for named groups, a groups object.
      const at = rest.findLastIndex((arg) => typeof arg === "number");
      const offset = rest[at] as number;
      const whole = rest[at + 1] as string;
      const atEnd = /^["'”’)\]]*$/.test(whole.slice(offset + match.length));
      return match.endsWith(".") && atEnd ? `${expansion}.` : expansion;
    },
  };
}

/** English (US spelling of number words, no "and" inside numbers). */
const ENGLISH: LanguageRules = {
  cardinal: englishCardinal,
  ordinal: (digits) => englishOrdinalWords(englishCardinal(digits)),
  year: englishYear,
  plural: (words) =>
    words.replace(
      /[a-z]+$/,
      (last) =>
        last.endsWith("y")
          ? `${last.slice(0, -1)}ies`
          : last.endsWith("x")
          ? `${last}es`
          : `${last}s`,
    ),
  time: englishTime,
  date: englishDate,
  words: {
    point: "point",
    minus: "minus",
    percent: "percent",
    to: "to",
    and: "and",
    at: "at",
    dot: "dot",
    slash: "slash",
    dash: "dash",
    underscore: "underscore",
    plus: "plus",
  },
  months: EN_MONTHS,
  monthAbbreviations: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    sept: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
  yearContext: [
    "in",
    "since",
    "by",
    "from",
    "until",
    "till",
    "to",
    "through",
    "during",
    "year",
    "of",
    "circa",
    "before",
    "after",
    "around",
    "early",
    "late",
    "mid",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
    "copyright",
    "©",
  ],
  eras: {
    "AD": "AD",
    "A.D.": "AD",
    "BC": "BC",
    "B.C.": "BC",
    "BCE": "BCE",
    "B.C.E.": "BCE",
    "CE": "CE",
    "C.E.": "CE",
  },
  currencies: {
    "$": { one: "dollar", many: "dollars", minorOne: "cent", minorMany: "cents" },
    "USD": { one: "dollar", many: "dollars", minorOne: "cent", minorMany: "cents" },
    "€": { one: "euro", many: "euros", minorOne: "cent", minorMany: "cents" },
    "EUR": { one: "euro", many: "euros", minorOne: "cent", minorMany: "cents" },
    "£": { one: "pound", many: "pounds", minorOne: "penny", minorMany: "pence" },
    "GBP": { one: "pound", many: "pounds", minorOne: "penny", minorMany: "pence" },
    "¥": { one: "yen", many: "yen" },
    "JPY": { one: "yen", many: "yen" },
    "₹": { one: "rupee", many: "rupees", minorOne: "paisa", minorMany: "paise" },
    "INR": { one: "rupee", many: "rupees", minorOne: "paisa", minorMany: "paise" },
  },
  magnitudes: {
    k: "thousand",
    K: "thousand",
    thousand: "thousand",
    m: "million",
    M: "million",
    mn: "million",
    million: "million",
    b: "billion",
    B: "billion",
    bn: "billion",
    billion: "billion",
    T: "trillion",
    tn: "trillion",
    trillion: "trillion",
  },
  units: {
    "km": ["kilometer", "kilometers"],
    "m": ["meter", "meters"],
    "cm": ["centimeter", "centimeters"],
    "mm": ["millimeter", "millimeters"],
    "mi": ["mile", "miles"],
    "ft": ["foot", "feet"],
    "yd": ["yard", "yards"],
    "kg": ["kilogram", "kilograms"],
    "g": ["gram", "grams"],
    "mg": ["milligram", "milligrams"],
    "lb": ["pound", "pounds"],
    "lbs": ["pound", "pounds"],
    "oz": ["ounce", "ounces"],
    "mph": ["mile per hour", "miles per hour"],
    "km/h": ["kilometer per hour", "kilometers per hour"],
    "kph": ["kilometer per hour", "kilometers per hour"],
    "m/s": ["meter per second", "meters per second"],
    "°C": ["degree Celsius", "degrees Celsius"],
    "ºC": ["degree Celsius", "degrees Celsius"],
    "℃": ["degree Celsius", "degrees Celsius"],
    "°F": ["degree Fahrenheit", "degrees Fahrenheit"],
    "ºF": ["degree Fahrenheit", "degrees Fahrenheit"],
    "℉": ["degree Fahrenheit", "degrees Fahrenheit"],
    "°": ["degree", "degrees"],
    "ml": ["milliliter", "milliliters"],
    "mL": ["milliliter", "milliliters"],
    "L": ["liter", "liters"],
    "Hz": ["hertz", "hertz"],
    "kHz": ["kilohertz", "kilohertz"],
    "MHz": ["megahertz", "megahertz"],
    "GHz": ["gigahertz", "gigahertz"],
    "KB": ["kilobyte", "kilobytes"],
    "kB": ["kilobyte", "kilobytes"],
    "MB": ["megabyte", "megabytes"],
    "GB": ["gigabyte", "gigabytes"],
    "TB": ["terabyte", "terabytes"],
    "W": ["watt", "watts"],
    "kW": ["kilowatt", "kilowatts"],
    "kWh": ["kilowatt hour", "kilowatt hours"],
    "V": ["volt", "volts"],
    "mAh": ["milliamp hour", "milliamp hours"],
    "ms": ["millisecond", "milliseconds"],
    "sec": ["second", "seconds"],
    "secs": ["second", "seconds"],
    "min": ["minute", "minutes"],
    "mins": ["minute", "minutes"],
    "h": ["hour", "hours"],
    "hr": ["hour", "hours"],
    "hrs": ["hour", "hours"],
  },
  abbreviations: [
    abbreviation(/\bMrs\./g, "Missus"),
    abbreviation(/\bMr\./g, "Mister"),
    abbreviation(/\bMs\./g, "Miz"),
    abbreviation(/\bProf\./g, "Professor"),
    abbreviation(/\bDr\.(?=\s+\p{Lu})/gu, "Doctor"),
    abbreviation(/\bDr\./g, "Drive"),
    // "St. Louis" is a saint, "Main St." and "5th St." are streets.
    abbreviation(/(?<!(?:\p{Lu}[\p{L}'-]*|\d\p{L}*)\s)\bSt\.(?=\s+\p{Lu})/gu, "Saint"),
    abbreviation(/\bSt\./g, "Street"),
    abbreviation(/\bMt\.(?=\s+\p{Lu})/gu, "Mount"),
    abbreviation(/\bJr\./g, "Junior"),
    abbreviation(/\bSr\./g, "Senior"),
    abbreviation(/\be\.\s?g\.(?!\p{L})/giu, "for example"),
    abbreviation(/\bi\.\s?e\.(?!\p{L})/giu, "that is"),
    abbreviation(/\betc\./gi, "et cetera"),
    abbreviation(/\bvs?\.(?=\s)|\bvs\b/g, "versus"),
    abbreviation(/\bapprox\./gi, "approximately"),
    abbreviation(/\bcf\./g, "compare"),
    abbreviation(/\bet al\./g, "et al"),
    abbreviation(/\bNo\.(?=\s*\d)/g, "number"),
    abbreviation(/\bno\.(?=\s*\d)/g, "number"),
    abbreviation(/\bFig\.(?=\s*\d)/g, "figure"),
    abbreviation(/\bU\.S\.A\./g, "U S A"),
    abbreviation(/\bU\.S\./g, "U S"),
    abbreviation(/\bU\.K\./g, "U K"),
    abbreviation(/\bInc\./g, "Incorporated"),
    abbreviation(/\bLtd\./g, "Limited"),
    abbreviation(/\bw\/o(?!\p{L})/gu, "without"),
    abbreviation(/\bw\/(?=\s)/g, "with"),
  ],
  symbols: [
    { pattern: /(\d)\s*½/g, replacement: "$1 and a half" },
    { pattern: /½/g, replacement: " one half " },
    { pattern: /(\d)\s*¼/g, replacement: "$1 and a quarter" },
    { pattern: /¼/g, replacement: " one quarter " },
    { pattern: /(\d)\s*¾/g, replacement: "$1 and three quarters" },
    { pattern: /¾/g, replacement: " three quarters " },
    { pattern: /\s*&\s*/g, replacement: " and " },
    { pattern: /(?<=\d)\s*[×x*]\s*(?=\d)/g, replacement: " times " },
    { pattern: /\s*×\s*/g, replacement: " times " },
    { pattern: /\s*÷\s*/g, replacement: " divided by " },
    { pattern: /\s*±\s*/g, replacement: " plus or minus " },
    { pattern: /\s*≈\s*/g, replacement: " approximately " },
    { pattern: /\s*≠\s*/g, replacement: " is not equal to " },
    { pattern: /\s*≤\s*/g, replacement: " is less than or equal to " },
    { pattern: /\s*≥\s*/g, replacement: " is greater than or equal to " },
    { pattern: /\s+<\s+/g, replacement: " is less than " },
    { pattern: /\s+>\s+/g, replacement: " is greater than " },
    { pattern: /\s*=\s*/g, replacement: " equals " },
    { pattern: /(?<=[\p{L}\p{N}])\s*\+\s*(?=[\p{L}\p{N}])/gu, replacement: " plus " },
    { pattern: /(?<![\p{L}\p{N}])\+(?=\d)/gu, replacement: "plus " },
    { pattern: /(?<=\d)\s+[-−]\s+(?=\d)/g, replacement: " minus " },
    { pattern: /(?<![\p{L}\p{N}])~(?=\s*\d)/gu, replacement: "about " },
    { pattern: /(?<![\p{L}\p{N}])#(?=\d)/gu, replacement: "number " },
    { pattern: /#/g, replacement: "" },
    { pattern: /\s*@\s*/g, replacement: " at " },
    { pattern: /(?<=\p{L})\/(?=\p{L})/gu, replacement: " " },
    { pattern: /\s*©\s*/g, replacement: " copyright " },
    // Dashes between words are pauses.
    { pattern: /\s+(?:-{1,3}|[–—―])\s+|\s*[—―]\s*|(?<=\p{L})--(?=\p{L})/gu, replacement: ", " },
    { pattern: /\s*[•·]\s*/g, replacement: ", " },
    { pattern: /\\/g, replacement: " " },
  ],
};

/** Rules tables by language (the base language of a tag: `en-US` uses `en`). */
const LANGUAGE_RULES: Readonly<Record<string, LanguageRules>> = { en: ENGLISH };

/** The rules table for a language tag (`en`, `en-US`, `en_gb`), or undefined if there is none. */
export function normalizationRules(language: string): LanguageRules | undefined {
  const tag = language.trim().toLowerCase().replace(/_/g, "-");
  return LANGUAGE_RULES[tag] ?? LANGUAGE_RULES[tag.split("-")[0]];
}

// --- Steps driven by a rules table --------------------------------------------------------------

/** A number as written: thousands separators, decimals. */
const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?`;
const NOT_AFTER_WORD = String.raw`(?<![\p{L}\p{N}])`;
const NOT_BEFORE_WORD = String.raw`(?![\p{L}\p{N}])`;

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Alternation of literal strings, longest first. */
function alternation(items: Iterable<string>): string {
  return [...items].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|");
}

/** A number as written (sign, thousands separators, decimals, versions) read as words. */
function speakNumber(rules: LanguageRules, written: string): string {
  let text = written;
  let sign = "";
  if (/^[-−]/.test(text)) {
    sign = `${rules.words.minus} `;
    text = text.slice(1);
  }
  const [integer, ...fractions] = text.replace(/,(?=\d{3})/g, "").split(".");
  let words = integer === ""
    ? ""
    : integer.length > 1 && integer.startsWith("0")
    ? readDigits(rules, integer)
    : rules.cardinal(integer);
  if (fractions.length === 1) {
    words = `${words} ${rules.words.point} ${readDigits(rules, fractions[0])}`;
  } else if (fractions.length > 1) {
    // A version number, 1.10.2: each part whole.
    words = [words, ...fractions.map((part) => rules.cardinal(part))].join(
      ` ${rules.words.point} `,
    );
  }
  return sign + words.trim();
}

function readDigits(rules: LanguageRules, digits: string): string {
  return [...digits].map((digit) => rules.cardinal(digit)).join(" ");
}

/** Regular expressions built once per rules table. */
interface CompiledRules {
  readonly email: RegExp;
  readonly url: RegExp;
  readonly bareDomain: RegExp;
  readonly phone: RegExp;
  readonly isoDate: RegExp;
  readonly monthDayYear: RegExp;
  readonly dayMonthYear: RegExp;
  readonly yearRange: RegExp;
  readonly numberRange: RegExp;
  readonly clock: RegExp;
  readonly hourPeriod: RegExp;
  readonly currencyBefore: RegExp;
  readonly currencyAfter: RegExp;
  readonly percent: RegExp;
  readonly unit: RegExp;
  readonly era: RegExp;
  readonly decade: RegExp;
  readonly yearInContext: RegExp;
  readonly ordinal: RegExp;
  readonly monthIndex: ReadonlyMap<string, number>;
}

const COMPILED = new WeakMap<LanguageRules, CompiledRules>();

const TOP_LEVEL_DOMAINS =
  "com|org|net|io|dev|ai|edu|gov|co|uk|us|de|fr|es|it|nl|eu|app|info|me|tv|ly|gg|xyz|ca|au|jp";

function compile(rules: LanguageRules): CompiledRules {
  const cached = COMPILED.get(rules);
  if (cached) return cached;
  const monthIndex = new Map<string, number>();
  rules.months.forEach((name, i) => monthIndex.set(name.toLowerCase(), i + 1));
  for (const [name, month] of Object.entries(rules.monthAbbreviations)) {
    monthIndex.set(name.toLowerCase(), month);
  }
  // Month names as written, capitalised ("may" is also a verb).
  const months = alternation(
    [...rules.months, ...Object.keys(rules.monthAbbreviations)].map(capitalize),
  );
  const fullMonths = alternation(rules.months.map(capitalize));
  const symbols = alternation(Object.keys(rules.currencies).filter((c) => !/^[A-Z]{3}$/.test(c)));
  const codes = alternation(Object.keys(rules.currencies).filter((c) => /^[A-Z]{3}$/.test(c)));
  const magnitudes = alternation(Object.keys(rules.magnitudes));
  const compiled: CompiledRules = {
    email: new RegExp(
      String
        .raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}${NOT_BEFORE_WORD}`,
      "gu",
    ),
    url: /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>()[\]"'`]+/gi,
    bareDomain: new RegExp(
      String
        .raw`(?<![\p{L}\p{N}@.\/_-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:${TOP_LEVEL_DOMAINS})(?:\/[^\s<>()"'${"`"}]*)?${NOT_BEFORE_WORD}`,
      "giu",
    ),
    phone: /(?<![\d+])(?:\+?1[-.\s]?)?(?:\((\d{3})\)\s?|(\d{3})[-.\s])(\d{3})[-.](\d{4})(?!\d)/g,
    isoDate: /(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])/g,
    monthDayYear: new RegExp(
      String
        .raw`${NOT_AFTER_WORD}(${months})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?${NOT_BEFORE_WORD}`,
      "gu",
    ),
    dayMonthYear: new RegExp(
      String
        .raw`${NOT_AFTER_WORD}(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(${fullMonths})(?:,?\s+(\d{4}))?${NOT_BEFORE_WORD}`,
      "gu",
    ),
    yearRange:
      /(?<![\p{L}\p{N}])(1[1-9]\d{2}|20\d{2})\s?[-–]\s?(1[1-9]\d{2}|20\d{2})(?![\p{L}\p{N}])/gu,
    numberRange: new RegExp(
      String.raw`(?<=\d)(?:-|\s*–\s*)(?=(?:${symbols})?\d)`,
      "gu",
    ),
    clock:
      /(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?![\d:])(?:\s?([ap])\.?m\.?(?![\p{L}\p{N}]))?/giu,
    hourPeriod: /(?<![\d:.,])(1[0-2]|0?[1-9])\s?([ap])\.?m\.?(?![\p{L}\p{N}])/giu,
    currencyBefore: new RegExp(
      String
        .raw`(?<![\p{L}\p{N}])([-−]?)(${symbols})\s?([-−]?)(${NUMBER})(?:\s?(${magnitudes})${NOT_BEFORE_WORD})?`,
      "gu",
    ),
    currencyAfter: new RegExp(
      String
        .raw`(?<![\p{L}\p{N}.,])([-−]?)(${NUMBER})(?:\s?(${magnitudes})${NOT_BEFORE_WORD})?\s?(?:(${symbols})|\s?(${codes})${NOT_BEFORE_WORD})`,
      "gu",
    ),
    percent: new RegExp(String.raw`(?<![\p{L}\p{N}.,])([-−]?)(${NUMBER})\s?%`, "gu"),
    unit: new RegExp(
      String.raw`(?<![\p{L}\p{N}.,])([-−]?)(${NUMBER})\s?(${
        alternation(Object.keys(rules.units))
      })${NOT_BEFORE_WORD}`,
      "gu",
    ),
    era: new RegExp(
      String.raw`${NOT_AFTER_WORD}(\d{1,4})\s?(${
        alternation(Object.keys(rules.eras))
      })(?![\p{L}\p{N}])`,
      "gu",
    ),
    decade: /(?<![\p{L}\p{N}])['’]?(\d{3}0|\d0)['’]?s(?![\p{L}\p{N}])/gu,
    yearInContext: new RegExp(
      String.raw`(?<![\p{L}\p{N}])(${
        alternation(rules.yearContext.flatMap((word) => [word, capitalize(word)]))
      }|${months})(\s+|-)(1[1-9]\d{2}|20\d{2})(?![\p{L}\p{N}]|[.,]\d)`,
      "gu",
    ),
    ordinal: /(?<![\p{L}\p{N}])(\d+)(st|nd|rd|th)(?![\p{L}\p{N}])/giu,
    monthIndex,
  };
  COMPILED.set(rules, compiled);
  return compiled;
}

/** An address part spelled out: letters kept, digits one by one, separators as words. */
function spellAddress(rules: LanguageRules, text: string): string {
  const { words } = rules;
  const separators: Readonly<Record<string, string>> = {
    ".": words.dot,
    "/": words.slash,
    "-": words.dash,
    "_": words.underscore,
    "+": words.plus,
    "@": words.at,
  };
  return text
    .split(/([./\-_+@])/)
    .filter((part) => part !== "")
    .map((part) =>
      separators[part] ?? part.replace(/\d+/g, (digits) => ` ${readDigits(rules, digits)} `)
    )
    .join(" ");
}

function speakUrl(rules: LanguageRules, url: string): string {
  const trailing = /[.,;:!?'"…]+$/.exec(url)?.[0] ?? "";
  let address = url.slice(0, url.length - trailing.length);
  address = address.replace(/^(?:https?|ftp):\/\//i, "").replace(/^www\./i, "");
  address = address.replace(/[?#].*$/, "").replace(/\/+$/, "");
  return ` ${spellAddress(rules, address)}${trailing} `;
}

/** Reads a currency amount. */
function speakCurrency(
  rules: LanguageRules,
  sign: string,
  amount: string,
  magnitude: string | undefined,
  names: CurrencyNames,
): string {
  const minus = sign ? `${rules.words.minus} ` : "";
  const [integer, fraction = ""] = amount.replace(/,(?=\d{3})/g, "").split(".");
  if (magnitude) {
    return `${minus}${speakNumber(rules, amount)} ${rules.magnitudes[magnitude]} ${names.many}`;
  }
  if (fraction.length > 2 || (fraction !== "" && !names.minorMany)) {
    return `${minus}${speakNumber(rules, amount)} ${names.many}`;
  }
  const minor = fraction === "" ? 0 : Number(fraction.padEnd(2, "0"));
  const hasMajor = /[1-9]/.test(integer);
  const parts: string[] = [];
  if (hasMajor || minor === 0) {
    const one = /^0*1$/.test(integer);
    parts.push(`${speakNumber(rules, integer)} ${one ? names.one : names.many}`);
  }
  if (minor > 0) {
    parts.push(
      `${rules.cardinal(String(minor))} ${minor === 1 ? names.minorOne : names.minorMany}`,
    );
  }
  return minus + parts.join(` ${rules.words.and} `);
}

/** Keeps the sentence's final period when an abbreviated suffix (`p.m.`) ended the text. */
function keepFinalPeriod(match: string, offset: number, whole: string): string {
  return match.endsWith(".") && offset + match.length === whole.length ? "." : "";
}

/** Pads words with spaces where they touch letters (`3D` -> `three D`). */
function spaced(words: string, offset: number, length: number, whole: string): string {
  const before = offset > 0 && /\p{L}/u.test(whole[offset - 1]) ? " " : "";
  const after = /\p{L}/u.test(whole[offset + length] ?? "") ? " " : "";
  return before + words + after;
}

function normalizeWithRules(text: string, rules: LanguageRules): string {
  const re = compile(rules);
  const { words } = rules;
  let s = text;
  // Addresses first: their dots, digits and dashes are not numbers or sentence ends.
  s = s.replace(re.email, (email) => ` ${spellAddress(rules, email)} `);
  s = s.replace(re.url, (url) => speakUrl(rules, url));
  s = s.replace(re.bareDomain, (url) => speakUrl(rules, url));
  s = s.replace(
    re.phone,
    (_m, area1?: string, area2?: string, middle?: string, last?: string) =>
      [area1 ?? area2 ?? "", middle ?? "", last ?? ""].map((group) => readDigits(rules, group))
        .join(", "),
  );
  // Dates.
  s = s.replace(re.isoDate, (match, y: string, m: string, d: string) => {
    const month = Number(m);
    const day = Number(d);
    if (month < 1 || month > 12 || day < 1 || day > 31) return match;
    return rules.date(Number(y), month, day, false);
  });
  s = s.replace(re.monthDayYear, (match, name: string, d: string, y?: string) => {
    const day = Number(d);
    const month = re.monthIndex.get(name.toLowerCase());
    if (!month || day < 1 || day > 31) return match;
    return rules.date(y === undefined ? undefined : Number(y), month, day, false);
  });
  s = s.replace(re.dayMonthYear, (match, d: string, name: string, y?: string) => {
    const day = Number(d);
    const month = re.monthIndex.get(name.toLowerCase());
    if (!month || day < 1 || day > 31) return match;
    return rules.date(y === undefined ? undefined : Number(y), month, day, true);
  });
  s = s.replace(
    re.yearRange,
    (_m, from: string, to: string) =>
      `${rules.year(Number(from))} ${words.to} ${rules.year(Number(to))}`,
  );
  s = s.replace(re.numberRange, ` ${words.to} `);
  // Times.
  s = s.replace(
    re.clock,
    (
      match,
      h: string,
      m: string,
      sec: string | undefined,
      p: string | undefined,
      offset,
      whole,
    ) => {
      const period = p ? (p.toLowerCase() === "a" ? "am" : "pm") : undefined;
      const spoken = rules.time(
        Number(h),
        Number(m),
        sec === undefined ? undefined : Number(sec),
        period,
      );
      return spoken + keepFinalPeriod(match, offset, whole);
    },
  );
  s = s.replace(re.hourPeriod, (match, h: string, p: string, offset: number, whole: string) => {
    const period = p.toLowerCase() === "a" ? "am" : "pm";
    return rules.time(Number(h), 0, undefined, period) + keepFinalPeriod(match, offset, whole);
  });
  // Money, percentages, units.
  s = s.replace(
    re.currencyBefore,
    (_m, sign1: string, symbol: string, sign2: string, amount: string, magnitude?: string) =>
      speakCurrency(rules, sign1 || sign2, amount, magnitude, rules.currencies[symbol]),
  );
  s = s.replace(
    re.currencyAfter,
    (_m, sign: string, amount: string, magnitude?: string, symbol?: string, code?: string) =>
      speakCurrency(rules, sign, amount, magnitude, rules.currencies[symbol ?? code ?? ""]),
  );
  s = s.replace(
    re.percent,
    (_m, sign: string, amount: string) => `${speakNumber(rules, sign + amount)} ${words.percent}`,
  );
  s = s.replace(re.unit, (_m, sign: string, amount: string, unit: string) => {
    const [one, many] = rules.units[unit];
    return `${speakNumber(rules, sign + amount)} ${amount === "1" ? one : many}`;
  });
  // Years.
  s = s.replace(
    re.era,
    (match, y: string, era: string, offset: number, whole: string) =>
      `${rules.year(Number(y))} ${rules.eras[era]}${keepFinalPeriod(match, offset, whole)}`,
  );
  s = s.replace(
    re.decade,
    (_m, digits: string) =>
      rules.plural(digits.length === 4 ? rules.year(Number(digits)) : rules.cardinal(digits)),
  );
  s = s.replace(
    re.yearInContext,
    (_m, context: string, gap: string, y: string) =>
      `${context}${gap === "-" ? " " : gap}${rules.year(Number(y))}`,
  );
  s = s.replace(re.ordinal, (_m, digits: string) => rules.ordinal(digits));
  // Words and symbols.
  s = applyRules(s, rules.abbreviations);
  s = applyRules(s, rules.symbols);
  // Remaining numbers.
  s = s.replace(/(?<![\p{L}\p{N}.)\]])[-−](?=\.?\d)/gu, `${words.minus} `);
  s = s.replace(
    /(?<![\p{N}.])\.(\d+)/gu,
    (_m, digits: string) => ` ${words.point} ${readDigits(rules, digits)}`,
  );
  s = s.replace(
    /(?<!\d)(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)*/g,
    (match: string, offset: number, whole: string) =>
      spaced(speakNumber(rules, match), offset, match.length, whole),
  );
  return s;
}

/**
 * Normalises a text segment for speech in `language` (a tag such as `en`, `en-US`; unknown
 * languages get the language-independent clean-up only). Returns `""` when nothing speakable is
 * left (only punctuation, emoji or markdown).
 */
export function normalizeText(text: string, language = "en"): string {
  let s = text.normalize("NFC").replace(CONTROL, "").replace(/\r\n?/g, "\n");
  s = applyRules(s, MARKDOWN_RULES);
  s = applyRules(s, PICTOGRAPH_WORDS);
  s = s.replace(EMOJI, " ");
  const rules = normalizationRules(language);
  if (rules) s = normalizeWithRules(s, rules);
  s = tidy(s);
  return SPEAKABLE.test(s) ? s : "";
}

/** {@linkcode normalizeText} as a stream of segments; drops segments that normalise to nothing. */
export class TextNormalizerStream extends TransformStream<string, string> {
  /** Normalises for `language` (default `en`). */
  constructor(language = "en") {
    super({
      transform(segment, controller) {
        const normalized = normalizeText(segment, language);
        if (normalized !== "") controller.enqueue(normalized);
      },
    });
  }
}
