/**
 * The steps driven by a {@linkcode LanguageRules} table: addresses and phone numbers,
 * abbreviations, signs before a number, reporting periods and their years, days of the week,
 * ranges of money, dates, times, money, dimensions, percentages, units, years, ordinals, symbols
 * and the remaining numbers of a text segment spelled out as words, in that order (addresses first,
 * since their dots, digits and dashes are not numbers or sentence ends; signs before any number is
 * spelled out, since they are recognised by the digits after them; ranges of money before other
 * ranges, so that the currency is named once).
 *
 * @module
 */
import { keptPeriod } from "./abbreviation.ts";
import { speakUrl, spellAddress } from "./addresses.ts";
import { spellPhoneNumbers } from "./phones.ts";
import {
  alternation,
  applyRules,
  capitalize,
  escapeRegExp,
  type LanguageRules,
  monthAlternations,
  nameIndex,
  perRules,
} from "./rules.ts";
import { readDigits, speakCurrency, speakCurrencyRange, speakNumber } from "./spoken_numbers.ts";
import { spellWeekdays } from "./weekdays.ts";

/** A number as written: thousands separators, decimals. */
const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+`;
const NOT_AFTER_WORD = String.raw`(?<![\p{L}\p{N}])`;
const NOT_BEFORE_WORD = String.raw`(?![\p{L}\p{N}])`;
/** Not inside a longer number (`1.5`, `1,000`, `1/2/3`). */
const NOT_AFTER_NUMBER = String.raw`(?<![\p{L}\p{N}.,/])`;
const NOT_BEFORE_NUMBER = String.raw`(?![\p{L}\p{N}/]|[.,]\d)`;

/** A four-digit number that may be a year (1100-2099). */
const YEAR = String.raw`1[1-9]\d{2}|20\d{2}`;

/** Units of length: `x` before an amount of them is a dimension (`3 x 4 m`, read `by`). */
const LENGTH_UNITS = ["km", "m", "cm", "mm", "mi", "ft", "yd"];

/** Resolutions and other dimensions without units: `1920x1080`. */
const RESOLUTION = /(?<=(?<![\p{L}\p{N}.,])\d{3,})[x×](?=\d{3,}(?![\p{L}\p{N}]))/gu;

const TOP_LEVEL_DOMAINS =
  "com|org|net|io|dev|ai|edu|gov|co|uk|us|de|fr|es|it|nl|eu|app|info|me|tv|ly|gg|xyz|ca|au|jp";

/** Regular expressions built once per rules table. */
interface CompiledRules {
  readonly email: RegExp;
  readonly url: RegExp;
  readonly bareDomain: RegExp;
  readonly numberPhrase: RegExp;
  readonly isoDate: RegExp;
  readonly numericDate: RegExp;
  readonly monthDayYear: RegExp;
  readonly dayMonthYear: RegExp;
  readonly yearRange: RegExp;
  readonly numberChain: RegExp;
  readonly numberRange: RegExp;
  readonly mixedFraction: RegExp;
  readonly fraction: RegExp;
  readonly clock: RegExp;
  readonly hourPeriod: RegExp;
  readonly timeRange: RegExp;
  readonly moneyRange: RegExp;
  readonly currencyBefore: RegExp;
  readonly currencyAfter: RegExp;
  readonly rate: RegExp;
  readonly dimension: RegExp;
  readonly percent: RegExp;
  readonly unit: RegExp;
  readonly yearPeriod: RegExp;
  readonly era: RegExp;
  readonly decade: RegExp;
  readonly yearInContext: RegExp;
  readonly ordinal: RegExp;
  readonly monthIndex: ReadonlyMap<string, number>;
}

const compile = perRules((rules): CompiledRules => {
  const monthIndex = nameIndex(rules.months, rules.monthAbbreviations);
  const { written: months, full: fullMonths } = monthAlternations(rules);
  const currencyKeys = Object.keys(rules.currencies);
  const symbols = alternation(currencyKeys.filter((c) => !/^[A-Z]{3}$/.test(c)));
  const codes = alternation(currencyKeys.filter((c) => /^[A-Z]{3}$/.test(c)));
  const magnitudes = alternation(Object.keys(rules.magnitudes));
  const magnitude = String.raw`(?:\s?(${magnitudes})${NOT_BEFORE_WORD})?`;
  const units = alternation(Object.keys(rules.units));
  const unitAfter = String.raw`(?:\s?(?:${units}))`;
  const rateUnit = String.raw`(?:${alternation(Object.keys(rules.rates))}|\p{Ll}{3,})`;
  const per = escapeRegExp(rules.words.per);
  const periods = alternation(Object.keys(rules.yearPeriods));
  // A reporting period and its year: `Q3 2024`, `Q3-2024`, `FY2024`, `FY24`, `Q3 '24`, `FY2024-25`.
  const periodWithYear = (name: string) =>
    String
      .raw`(?<${name}>${periods})(?:(?:\s|[-/]|(?<=\p{L}))(?<${name}Year>${YEAR})|(?:(?<=\p{L})\s?|\s?['’])(?<${name}Short>\d{2}))?(?:(?<=\d)\s?[-–/]\s?(?<${name}End>${YEAR}|\d{2}))?`;
  // The rates after an amount: `/mo`, ` / month`, ` per kg`, `/user/month`.
  const rates = String.raw`(?:(?:\s?\/\s?|\s+${per}\s+)${rateUnit}${NOT_BEFORE_WORD})*`;
  const amount = (name: string) =>
    String.raw`(?<${name}>${NUMBER})(?:\s?(?<${name}Magnitude>${magnitudes})${NOT_BEFORE_WORD})?`;
  return {
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
    numberPhrase: new RegExp(
      String.raw`${NOT_AFTER_NUMBER}(?:${
        alternation(Object.keys(rules.numberPhrases))
      })${NOT_BEFORE_NUMBER}`,
      "gu",
    ),
    isoDate: /(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])/g,
    numericDate: new RegExp(
      String.raw`${NOT_AFTER_NUMBER}(\d{1,2})\/(\d{1,2})\/(\d{4})${NOT_BEFORE_NUMBER}`,
      "gu",
    ),
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
    numberChain: /(?<![\p{L}\p{N}.,-])\d+(?:-\d+){2,}(?![\p{L}\p{N}-]|[.,]\d)/gu,
    numberRange: new RegExp(
      String.raw`(?<=\d)(?:-|\s*–\s*)(?=(?:${symbols})?\d)`,
      "gu",
    ),
    mixedFraction: new RegExp(
      String.raw`${NOT_AFTER_NUMBER}(\d+)\s+(\d{1,2})\/(\d{1,2})${NOT_BEFORE_NUMBER}`,
      "gu",
    ),
    fraction: new RegExp(
      String.raw`${NOT_AFTER_NUMBER}(\d{1,2})\/(\d{1,2})${NOT_BEFORE_NUMBER}`,
      "gu",
    ),
    clock:
      /(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?![\d:])(?:\s?([ap])\.?m\.?(?![\p{L}\p{N}]))?/giu,
    // The dash between a 12-hour time and another time: `9am-5pm`, `9 a.m. – 5 p.m.`, `10am-4`.
    timeRange:
      /(?<=(?<![\d:.])(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\s?[ap]\.?m\.?)\s?[-–]\s?(?=(?:[01]?\d|2[0-3])(?::[0-5]\d)?(?:\s?[ap]\.?m\.?)?(?![\p{L}\p{N}:]))/giu,
    hourPeriod: /(?<![\d:.,])(1[0-2]|0?[1-9])\s?([ap])\.?m\.?(?![\p{L}\p{N}])/giu,
    // `$5-10 million`, `$5 - $10`: one currency, named after the second amount or before both.
    moneyRange: new RegExp(
      String.raw`${NOT_AFTER_WORD}(?<sign>[-−]?)(?:(?<symbol>${symbols})|(?<code>${codes})\s?)\s?${
        amount("from")
      }(?<separator>\s?[-–]\s?)(?:(?<symbol2>${symbols})|(?<code2>${codes})\s?)?${
        amount("to")
      }(?![\p{L}\p{N}-]|[.,]\d)(?<rates>${rates})`,
      "gu",
    ),
    currencyBefore: new RegExp(
      String
        .raw`${NOT_AFTER_WORD}([-−]?)(?:(${symbols})|(${codes})\s?)\s?([-−]?)(${NUMBER})${magnitude}(${rates})`,
      "gu",
    ),
    currencyAfter: new RegExp(
      String
        .raw`(?<![\p{L}\p{N}.,])([-−]?)(${NUMBER})${magnitude}\s?(?:(${symbols})|\s?(${codes})${NOT_BEFORE_WORD})(${rates})`,
      "gu",
    ),
    rate: new RegExp(String.raw`(?:\s?(\/)\s?|\s+${per}\s+)(${rateUnit})`, "gu"),
    // The `x` of `3 x 4 m`, `3m x 4m`, `2 x 400 g`, with the unit after the last number.
    dimension: new RegExp(
      String
        .raw`(?<=\d${unitAfter}?)\s?[x×]\s?(?=(?:${NUMBER})${unitAfter}?(?:\s?[x×]\s?(?:${NUMBER})${unitAfter}?)*\s?(${units})${NOT_BEFORE_WORD})`,
      "gu",
    ),
    percent: new RegExp(String.raw`(?<![\p{L}\p{N}.,])([-−]?)(${NUMBER})\s?%`, "gu"),
    // An alphabetic unit may carry an abbreviation's period (`6 ft. tall`).
    unit: new RegExp(
      String
        .raw`(?<![\p{L}\p{N}.,])([-−]?)(${NUMBER})\s?(${units})${NOT_BEFORE_WORD}(?:(?<=\p{L})\.)?`,
      "gu",
    ),
    yearPeriod: new RegExp(
      String.raw`${NOT_AFTER_WORD}${periodWithYear("first")}(?:\s?[-–]\s?${
        periodWithYear("last")
      })?(?!\p{L}|(?<=\p{N})\p{N}|[-–/.,]\d)`,
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
    // The whole number, thousands separators included (`1,000th`), not its last digit group.
    ordinal: /(?<![\p{L}\p{N}])(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)(?![\p{L}\p{N}])/giu,
    monthIndex,
  };
});

/** Whether `day` exists in `month` (1-12) of `year` (any leap year when the year is unknown). */
function isCalendarDay(year: number | undefined, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year ?? 2000, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/** Pads words with spaces where they touch letters (`3D` -> `three D`). */
function spaced(words: string, offset: number, length: number, whole: string): string {
  const before = offset > 0 && /\p{L}/u.test(whole[offset - 1]) ? " " : "";
  const after = /\p{L}/u.test(whole[offset + length] ?? "") ? " " : "";
  return before + words + after;
}

/** The addresses in `text` read aloud (e-mail, URLs, bare domains). */
function spellAddresses(s: string, rules: LanguageRules, re: CompiledRules): string {
  return s
    .replace(re.email, (email) => ` ${spellAddress(rules, email)} `)
    .replace(re.url, (url) => speakUrl(rules, url))
    .replace(re.bareDomain, (url) => speakUrl(rules, url));
}

/**
 * Set phrases of numbers (`24/7`), dates, year ranges, number ranges and fractions in `text`
 * spelled out.
 */
function spellDatesAndRanges(s: string, rules: LanguageRules, re: CompiledRules): string {
  const { words } = rules;
  return s
    .replace(re.numberPhrase, (phrase) => rules.numberPhrases[phrase])
    .replace(re.isoDate, (match, y: string, m: string, d: string) => {
      const [year, month, day] = [Number(y), Number(m), Number(d)];
      return isCalendarDay(year, month, day) ? rules.date(year, month, day, false) : match;
    })
    .replace(re.numericDate, (match, first: string, second: string, y: string) => {
      const [a, b, year] = [Number(first), Number(second), Number(y)];
      const monthFirst = a > 12 ? false : b > 12 ? true : rules.monthFirst;
      const [month, day] = monthFirst ? [a, b] : [b, a];
      return isCalendarDay(year, month, day) ? rules.date(year, month, day, !monthFirst) : match;
    })
    .replace(re.monthDayYear, (match, name: string, d: string, y?: string) => {
      const month = re.monthIndex.get(name.toLowerCase()) ?? 0;
      const year = y === undefined ? undefined : Number(y);
      const day = Number(d);
      return isCalendarDay(year, month, day) ? rules.date(year, month, day, false) : match;
    })
    .replace(re.dayMonthYear, (match, d: string, name: string, y?: string) => {
      const month = re.monthIndex.get(name.toLowerCase()) ?? 0;
      const year = y === undefined ? undefined : Number(y);
      const day = Number(d);
      return isCalendarDay(year, month, day) ? rules.date(year, month, day, true) : match;
    })
    .replace(
      re.yearRange,
      (_m, from: string, to: string) =>
        `${rules.year(Number(from))} ${words.to} ${rules.year(Number(to))}`,
    )
    // Three or more numbers joined by hyphens (a code, a serial number) are not a range.
    .replace(
      re.numberChain,
      (chain) => chain.split("-").map((group) => readDigits(rules, group)).join(", "),
    )
    .replace(re.numberRange, ` ${words.to} `)
    .replace(re.mixedFraction, (match, whole: string, n: string, d: string) => {
      const fraction = rules.fraction(Number(n), Number(d));
      return fraction === undefined
        ? match
        : `${speakNumber(rules, whole)} ${words.and} ${fraction}`;
    })
    .replace(
      re.fraction,
      (match, n: string, d: string) => rules.fraction(Number(n), Number(d)) ?? match,
    )
    .replace(/(?<=\d)\/(?=\d)/g, ` ${words.slash} `);
}

/** Ranges of clock times and clock times in `text` spelled out. */
function spellTimes(s: string, rules: LanguageRules, re: CompiledRules): string {
  return s
    .replace(re.timeRange, ` ${rules.words.to} `)
    .replace(
      re.clock,
      (
        match,
        h: string,
        m: string,
        sec: string | undefined,
        p: string | undefined,
        offset,
        all,
      ) => {
        const period = p ? (p.toLowerCase() === "a" ? "am" : "pm") : undefined;
        const second = sec === undefined ? undefined : Number(sec);
        return rules.time(Number(h), Number(m), second, period) + keptPeriod(match, offset, all);
      },
    )
    .replace(re.hourPeriod, (match, h: string, p: string, offset: number, all: string) => {
      const period = p.toLowerCase() === "a" ? "am" : "pm";
      return rules.time(Number(h), 0, undefined, period) + keptPeriod(match, offset, all);
    });
}

/**
 * The rates written after an amount read aloud, each after a space: `/mo` -> ` a month`,
 * ` per kg` -> ` per kilogram`, `/user/month` -> ` per user per month` (only the first rate takes
 * its own word for the slash).
 */
function speakRates(written: string, rules: LanguageRules, re: CompiledRules): string {
  return [...written.matchAll(re.rate)]
    .map(([, slash, unit], i) => {
      const known = rules.rates[unit];
      if (known === undefined) return ` ${rules.words.per} ${unit}`;
      const [word, name] = known;
      return ` ${slash !== undefined && i === 0 ? word : rules.words.per} ${name}`;
    })
    .join("");
}

/** The named groups of a {@linkcode CompiledRules.moneyRange} match. */
interface MoneyRangeGroups {
  readonly sign: string;
  readonly symbol?: string;
  readonly code?: string;
  readonly from: string;
  readonly fromMagnitude?: string;
  readonly separator: string;
  readonly symbol2?: string;
  readonly code2?: string;
  readonly to: string;
  readonly toMagnitude?: string;
  readonly rates: string;
}

/**
 * Ranges of money in `text` spelled out (`$5-10 million` -> `five to ten million dollars`), before
 * number ranges are (which would read `five dollars to ten million`). A spaced hyphen is a range
 * only with the currency written on both sides (`$5 - $10`); two currencies are no range.
 */
function spellMoneyRanges(s: string, rules: LanguageRules, re: CompiledRules): string {
  return s.replace(re.moneyRange, (match: string, ...rest: unknown[]) => {
    const g = rest.at(-1) as MoneyRangeGroups;
    const names = rules.currencies[g.symbol ?? g.code ?? ""];
    const second = g.symbol2 ?? g.code2;
    if (
      second === undefined
        ? /\s-|-\s/.test(g.separator)
        : rules.currencies[second]?.many !== names.many
    ) {
      return match;
    }
    const range = speakCurrencyRange(
      rules,
      g.sign !== "",
      { amount: g.from, magnitude: magnitudeWord(rules, g.fromMagnitude) },
      { amount: g.to, magnitude: magnitudeWord(rules, g.toMagnitude) },
      names,
    );
    return range + speakRates(g.rates, rules, re);
  });
}

/** The word of a magnitude suffix as written (`M` -> `million`). */
function magnitudeWord(rules: LanguageRules, key: string | undefined): string | undefined {
  return key === undefined ? undefined : rules.magnitudes[key];
}

/** Money, dimensions, percentages and measurements in `text` spelled out. */
function spellQuantities(s: string, rules: LanguageRules, re: CompiledRules): string {
  return s
    .replace(
      re.currencyBefore,
      (
        _m,
        sign1: string,
        symbol: string | undefined,
        code: string | undefined,
        sign2: string,
        amount: string,
        magnitude: string | undefined,
        rates: string,
      ) =>
        speakCurrency(
          rules,
          (sign1 || sign2) !== "",
          amount,
          magnitudeWord(rules, magnitude),
          rules.currencies[symbol ?? code ?? ""],
        ) + speakRates(rates, rules, re),
    )
    .replace(
      re.currencyAfter,
      (
        _m,
        sign: string,
        amount: string,
        magnitude: string | undefined,
        symbol: string | undefined,
        code: string | undefined,
        rates: string,
      ) =>
        speakCurrency(
          rules,
          sign !== "",
          amount,
          magnitudeWord(rules, magnitude),
          rules.currencies[symbol ?? code ?? ""],
        ) + speakRates(rates, rules, re),
    )
    // Dimensions are read `by`: `3 x 4 m`, `1920x1080`; other quantities `times`: `2 x 400 g`.
    .replace(
      re.dimension,
      (_m, unit: string) => ` ${LENGTH_UNITS.includes(unit) ? rules.words.by : rules.words.times} `,
    )
    .replace(RESOLUTION, ` ${rules.words.by} `)
    .replace(
      re.percent,
      (_m, sign: string, amount: string) =>
        `${speakNumber(rules, sign + amount)} ${rules.words.percent}`,
    )
    .replace(
      re.unit,
      (match, sign: string, amount: string, unit: string, offset: number, all: string) => {
        const [one, many] = rules.units[unit];
        const name = amount === "1" ? one : many;
        return `${speakNumber(rules, sign + amount)} ${name}${keptPeriod(match, offset, all)}`;
      },
    );
}

/** The named groups of a {@linkcode CompiledRules.yearPeriod} match. */
interface YearPeriodGroups {
  readonly first: string;
  readonly firstYear?: string;
  readonly firstShort?: string;
  readonly firstEnd?: string;
  readonly last?: string;
  readonly lastYear?: string;
  readonly lastShort?: string;
  readonly lastEnd?: string;
}

/**
 * Reporting periods (`Q3`, `FY`) in `text` read from the table, and the years after them read as
 * years (`Q3 2024` -> `Q three twenty twenty-four`, `FY24` -> `F Y twenty-four`, `FY2024-25` -> `F
 * Y twenty twenty-four to twenty-five`), before dates and ranges are, which would read the year
 * as a number or a range from the quarter (`Q3-2024`).
 */
function spellReportingPeriods(s: string, rules: LanguageRules, re: CompiledRules): string {
  const { words } = rules;
  const read = (digits: string) =>
    digits.length === 4 ? rules.year(Number(digits)) : rules.shortYear(Number(digits));
  // A period, its year if any, and the end of a span of years (`FY2024-25`) if any.
  const period = (name: string, year: string | undefined, end: string | undefined) =>
    [rules.yearPeriods[name], year && read(year), end && `${words.to} ${read(end)}`]
      .filter((part) => part)
      .join(" ");
  return s.replace(re.yearPeriod, (_m: string, ...rest: unknown[]) => {
    const g = rest.at(-1) as YearPeriodGroups;
    const first = period(g.first, g.firstYear ?? g.firstShort, g.firstEnd);
    if (g.last === undefined) return first;
    return `${first} ${words.to} ${period(g.last, g.lastYear ?? g.lastShort, g.lastEnd)}`;
  });
}

/** Eras, decades, years after a context word, and ordinals in `text` spelled out. */
function spellYearsAndOrdinals(s: string, rules: LanguageRules, re: CompiledRules): string {
  return s
    .replace(
      re.era,
      (match, y: string, era: string, offset: number, all: string) =>
        `${rules.year(Number(y))} ${rules.eras[era]}${keptPeriod(match, offset, all)}`,
    )
    .replace(
      re.decade,
      (_m, digits: string) =>
        rules.plural(digits.length === 4 ? rules.year(Number(digits)) : rules.cardinal(digits)),
    )
    .replace(
      re.yearInContext,
      (_m, context: string, gap: string, y: string) =>
        `${context}${gap === "-" ? " " : gap}${rules.year(Number(y))}`,
    )
    .replace(re.ordinal, (_m, digits: string) => rules.ordinal(digits.replaceAll(",", "")));
}

/** Capital initials with periods (`U.S.`, `F.B.I.`) read as letters. */
const INITIALISM = /(?<![\p{L}\p{N}.])(?:\p{Lu}\.){2,}(?![\p{L}\p{N}])/gu;

/** The numbers left in `text` (signs, decimals, thousands separators) spelled out. */
function spellNumbers(s: string, rules: LanguageRules): string {
  const { words } = rules;
  return s
    .replace(/(?<![\p{L}\p{N}.)\]])[-−](?=\.?\d)/gu, `${words.minus} `)
    .replace(
      /(?<![\p{N}.])\.(\d+)/gu,
      (_m, digits: string) => ` ${words.point} ${readDigits(rules, digits)}`,
    )
    .replace(
      /(?<!\d)(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)*/g,
      (match: string, offset: number, all: string) =>
        spaced(speakNumber(rules, match), offset, match.length, all),
    );
}

/** Spells out, with `rules`, everything in a text segment that a voice should read as words. */
export function spellOut(text: string, rules: LanguageRules): string {
  const re = compile(rules);
  let s = spellAddresses(text, rules, re);
  s = spellPhoneNumbers(s, rules);
  s = applyRules(s, rules.abbreviations);
  s = applyRules(s, rules.signs);
  s = spellReportingPeriods(s, rules, re);
  s = spellWeekdays(s, rules);
  s = spellMoneyRanges(s, rules, re);
  s = spellDatesAndRanges(s, rules, re);
  s = spellTimes(s, rules, re);
  s = spellQuantities(s, rules, re);
  s = spellYearsAndOrdinals(s, rules, re);
  s = applyRules(s, rules.symbols);
  s = s.replace(
    INITIALISM,
    (match, offset: number, all: string) =>
      match.replaceAll(".", " ").trim() + keptPeriod(match, offset, all, false),
  );
  return spellNumbers(s, rules);
}
