/**
 * Numbers as written (signs, thousands separators, decimals, versions, currency amounts) read
 * with a language's number words.
 *
 * @module
 */
import type { CurrencyNames, LanguageRules } from "./rules.ts";

/** Each digit as a word: `"42"` -> `four two`. */
export function readDigits(rules: LanguageRules, digits: string): string {
  return [...digits].map((digit) => rules.cardinal(digit)).join(" ");
}

/**
 * A number as written read as words: `-1,234.5` -> `minus one thousand two hundred thirty-four
 * point five`; a leading zero (`007`) reads digit by digit; more than one point is a version
 * (`1.10.2` -> `one point ten point two`).
 */
export function speakNumber(rules: LanguageRules, written: string): string {
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
    words = [words, ...fractions.map((part) => rules.cardinal(part))].join(
      ` ${rules.words.point} `,
    );
  }
  return sign + words.trim();
}

/**
 * A currency amount read as words: `3.50` dollars -> `three dollars and fifty cents`; with a
 * `magnitude` word (`million`), or more than two decimals, or a currency without a minor unit,
 * the amount is read as a decimal number before the plural name.
 */
export function speakCurrency(
  rules: LanguageRules,
  negative: boolean,
  amount: string,
  magnitude: string | undefined,
  names: CurrencyNames,
): string {
  const minus = negative ? `${rules.words.minus} ` : "";
  const [integer, fraction = ""] = amount.replace(/,(?=\d{3})/g, "").split(".");
  if (magnitude) return `${minus}${speakNumber(rules, amount)} ${magnitude} ${names.many}`;
  if (fraction.length > 2 || (fraction !== "" && !names.minorMany)) {
    return `${minus}${speakNumber(rules, amount)} ${names.many}`;
  }
  const minor = fraction === "" ? 0 : Number(fraction.padEnd(2, "0"));
  const parts: string[] = [];
  if (/[1-9]/.test(integer) || minor === 0) {
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

/** One side of a range of money: an amount as written and its magnitude word, if any. */
export interface MoneyAmount {
  /** The amount as written (`5`, `1,000`, `3.50`). */
  readonly amount: string;
  /** Magnitude word after it (`million`). */
  readonly magnitude?: string | undefined;
}

/**
 * A range of currency amounts read as words, the currency named once at the end: `5`-`10 million`
 * dollars -> `five to ten million dollars`. Amounts with a minor unit (`$1.50-$2`) are read each in
 * full: `one dollar and fifty cents to two dollars`.
 */
export function speakCurrencyRange(
  rules: LanguageRules,
  negative: boolean,
  from: MoneyAmount,
  to: MoneyAmount,
  names: CurrencyNames,
): string {
  const { words } = rules;
  const withMinor = (side: MoneyAmount) =>
    side.magnitude === undefined && names.minorMany !== undefined && side.amount.includes(".");
  if (withMinor(from) || withMinor(to)) {
    const first = speakCurrency(rules, negative, from.amount, from.magnitude, names);
    return `${first} ${words.to} ${speakCurrency(rules, false, to.amount, to.magnitude, names)}`;
  }
  const side = ({ amount, magnitude }: MoneyAmount) =>
    magnitude === undefined
      ? speakNumber(rules, amount)
      : `${speakNumber(rules, amount)} ${magnitude}`;
  const minus = negative ? `${words.minus} ` : "";
  return `${minus}${side(from)} ${words.to} ${side(to)} ${names.many}`;
}
