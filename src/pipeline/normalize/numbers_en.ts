/**
 * English number words (US usage: no "and" inside numbers): cardinals, ordinals, years, clock
 * times, dates, fractions and the plurals of decades.
 *
 * Written here rather than taken from an npm package: the packages read cardinals only, while
 * years, times, digit-by-digit reading and ordinals of the same words are needed too.
 *
 * @module
 */

const ONES = [
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
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const SCALES = [
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
/** Ordinals that are not the cardinal plus `th`. */
const IRREGULAR_ORDINALS: Readonly<Record<string, string>> = {
  one: "first",
  two: "second",
  three: "third",
  five: "fifth",
  eight: "eighth",
  nine: "ninth",
  twelve: "twelfth",
};

/** English month names, January first. */
export const ENGLISH_MONTHS: readonly string[] = [
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

/** Words for 0-999. */
function belowThousand(n: number): string {
  const words: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) words.push(`${ONES[hundreds]} hundred`);
  if (rest > 0 || hundreds === 0) {
    if (rest < 20) words.push(ONES[rest]);
    else {
      const ones = rest % 10;
      words.push(TENS[Math.floor(rest / 10)] + (ones > 0 ? `-${ONES[ones]}` : ""));
    }
  }
  return words.join(" ");
}

/** Each digit as a word: `"007"` -> `zero zero seven`. */
export function englishDigits(digits: string): string {
  return [...digits].map((digit) => ONES[Number(digit)]).join(" ");
}

/**
 * Cardinal words for a string of decimal digits: `"1234"` -> `one thousand two hundred
 * thirty-four`. Leading zeros are ignored; numbers beyond the decillions are read digit by digit.
 */
export function englishCardinal(digits: string): string {
  const trimmed = digits.replace(/^0+(?=\d)/, "");
  if (trimmed.length > SCALES.length * 3) return englishDigits(trimmed);
  if (/^0+$/.test(trimmed)) return "zero";
  const words: string[] = [];
  for (let end = trimmed.length, scale = 0; end > 0; end -= 3, scale++) {
    const group = Number(trimmed.slice(Math.max(0, end - 3), end));
    if (group > 0) words.unshift(belowThousand(group) + SCALES[scale]);
  }
  return words.join(" ");
}

/** Cardinal words made ordinal; only the last word changes (`twenty-two` -> `twenty-second`). */
function ordinalOfWords(cardinal: string): string {
  return cardinal.replace(
    /[a-z]+$/,
    (last) =>
      IRREGULAR_ORDINALS[last] ?? (last.endsWith("y") ? `${last.slice(0, -1)}ieth` : `${last}th`),
  );
}

/** Ordinal words for a string of decimal digits: `"23"` -> `twenty-third`. */
export function englishOrdinal(digits: string): string {
  return ordinalOfWords(englishCardinal(digits));
}

/** The plural of number words (`nineteen ninety` -> `nineteen nineties`, `six` -> `sixes`). */
export function englishPlural(words: string): string {
  return words.replace(
    /[a-z]+$/,
    (last) =>
      last.endsWith("y")
        ? `${last.slice(0, -1)}ies`
        : last.endsWith("x")
        ? `${last}es`
        : `${last}s`,
  );
}

/**
 * A year: `1984` -> `nineteen eighty-four`, `1905` -> `nineteen oh five`, `1900` -> `nineteen
 * hundred`, `2005` -> `two thousand five`. Numbers outside 1000-9999 are read as cardinals.
 */
export function englishYear(year: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    return englishCardinal(String(Math.abs(Math.trunc(year))));
  }
  const high = Math.floor(year / 100);
  const low = year % 100;
  if (high % 10 === 0 && low < 10) return englishCardinal(String(year)); // 2000, 2005, 1001
  if (low === 0) return `${belowThousand(high)} hundred`; // 1900
  if (low < 10) return `${belowThousand(high)} oh ${ONES[low]}`; // 1905
  return `${belowThousand(high)} ${belowThousand(low)}`; // 1984, 2024
}

/** A year written with two digits (`'24`, `FY05`): `twenty-four`, `oh five`. */
export function englishShortYear(year: number): string {
  const twoDigits = Math.abs(Math.trunc(year)) % 100;
  if (twoDigits === 0) return "oh oh";
  return twoDigits < 10 ? `oh ${ONES[twoDigits]}` : belowThousand(twoDigits);
}

/**
 * A clock time: `3:45 pm` -> `three forty-five PM`, `9:05` -> `nine oh five`, `7:00` -> `seven
 * o'clock`, `18:00` -> `eighteen hundred`; `period` is set for 12-hour times.
 */
export function englishTime(
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
    const minuteWords = minute < 10 ? `oh ${ONES[minute]}` : englishCardinal(String(minute));
    spoken = `${hourWords} ${minuteWords}`;
  }
  if (second !== undefined) {
    spoken += ` and ${englishCardinal(String(second))} second${second === 1 ? "" : "s"}`;
  }
  return period ? `${spoken} ${period.toUpperCase()}` : spoken;
}

/**
 * A date: `March first, twenty twenty-four`, or with `dayFirst` `the first of March, twenty
 * twenty-four` (`month` 1-12).
 */
export function englishDate(
  year: number | undefined,
  month: number,
  day: number,
  dayFirst: boolean,
): string {
  const name = ENGLISH_MONTHS[month - 1];
  const dayWords = englishOrdinal(String(day));
  const spoken = dayFirst ? `the ${dayWords} of ${name}` : `${name} ${dayWords}`;
  return year === undefined ? spoken : `${spoken}, ${englishYear(year)}`;
}

/**
 * A proper fraction with a denominator from 2 to 10: `1/2` -> `one half`, `3/4` -> `three
 * quarters`, `2/3` -> `two thirds`; `undefined` for any other.
 */
export function englishFraction(numerator: number, denominator: number): string | undefined {
  if (denominator < 2 || denominator > 10 || numerator < 1 || numerator >= denominator) {
    return undefined;
  }
  const singular = denominator === 2
    ? "half"
    : denominator === 4
    ? "quarter"
    : englishOrdinal(String(denominator));
  const name = numerator === 1 ? singular : `${singular}s`;
  return `${englishCardinal(String(numerator))} ${name}`;
}
