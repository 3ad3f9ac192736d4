/**
 * Phone numbers read aloud, digit by digit in their groups: `+1 555-123-4567` -> `plus one, five
 * five five, one two three, four five six seven`, `ext. 12` -> `extension one two`.
 *
 * Recognised: North American numbers (`(555) 123-4567`, `1-800-555-1234`, `+1 555.123.4567`),
 * international numbers (`+44 20 7946 0958`: a `+`, a country code and groups separated by single
 * spaces, dots or dashes, 7 to 15 digits in all), vanity toll-free numbers (`1-800-FLOWERS` ->
 * `one, eight zero zero, flowers`: the digits as in `1-800-555-1234`, the letters as words), and
 * seven-digit local numbers (`555-1234`) and numbers in groups apart with spaces (`555 0199`,
 * `020 7946 0018`) when a phone word of the language comes a few words before them in the same
 * sentence, since without one they are as likely a range (`pages 555-1234`) or numbers.
 *
 * @module
 */
import { alternation, escapeRegExp, type LanguageRules, perRules } from "./rules.ts";
import { readDigits } from "./spoken_numbers.ts";

/** An extension after a phone number: `ext. 123`, `, ext 123`, `x123`. */
const EXTENSION = String.raw`(?:,?\s?(?:ext\.?|extension|x)\s?(\d{1,6})(?![\p{L}\p{N}]))?`;

/**
 * North American numbers: an optional `+1` or `1`, an area code (in brackets or not), then three
 * and four digits.
 */
const NORTH_AMERICAN = new RegExp(
  String
    .raw`(?<![\d+])(?:(\+?1)[-.\s]?)?(?:\((\d{3})\)\s?|(\d{3})[-.\s])(\d{3})[-.](\d{4})(?!\d)${EXTENSION}`,
  "giu",
);

/**
 * `+`, a country code and at least one more group of digits, each after one space, dot or dash;
 * not a prefix of a longer run of groups.
 */
const INTERNATIONAL = new RegExp(
  String
    .raw`(?<![\p{L}\p{N}+])\+([1-9]\d{0,2})((?:[-. ]\d+)+)(?![\p{L}\p{N}]|[-., ]\d)${EXTENSION}`,
  "giu",
);

/** Digits in an international number (country code included). */
const INTERNATIONAL_DIGITS = { min: 7, max: 15 };

/** North American toll-free area codes (800, 833, 844, ..., 888). */
const TOLL_FREE = "8(?:00|33|44|55|66|77|88)";

/**
 * Vanity toll-free numbers: an optional `+1` or `1`, a toll-free area code (in brackets or not), an
 * optional three-digit exchange, then letters (and digits) in groups joined by dashes or dots:
 * `1-800-FLOWERS`, `1-800-GOT-JUNK`, `1-800-555-HELP`. Captures everything before the letters,
 * the country code, the area code (bracketed or not), the exchange, the letters and the extension.
 */
const VANITY = new RegExp(
  String
    .raw`(?<![\p{L}\p{N}+.,-])((?:(\+?1)[-.\s]?)?(?:\((${TOLL_FREE})\)\s?|(${TOLL_FREE})[-.\s])(?:(\d{3})[-.\s])?)([\p{L}\d]+(?:[-.][\p{L}\d]+)*)(?![\p{L}\p{N}]|[-.][\p{L}\p{N}])${EXTENSION}`,
  "giu",
);

/**
 * Letters and digits after a vanity number's area code: it spells a seven-digit number, and may
 * have a few letters more (`1-800-CONTACTS`).
 */
const VANITY_CHARACTERS = { min: 7, max: 12 };

/** Letters a vanity number needs, so that a code such as `1-800-555-12AB` is not one. */
const VANITY_MIN_LETTERS = 3;

/**
 * Three digits, a dash, four digits: a local phone number or a range. A North American exchange
 * code starts with 2 to 9, so `100-1999` is always a range.
 */
const LOCAL = new RegExp(
  String.raw`(?<![\p{L}\p{N}+.,-])([2-9]\d{2})-(\d{4})(?![\p{L}\p{N}-]|[.,]\d)${EXTENSION}`,
  "giu",
);

/**
 * Groups of digits apart with single spaces (`555 0199`, `020 7946 0018`, `(020) 7946 0018`): a
 * phone number only after a phone word, and only in the shapes that {@linkcode isSpacedPhoneNumber}
 * accepts. Captures the first group (bracketed or not), the others with the space before each,
 * and the extension.
 */
const SPACED = new RegExp(
  String
    .raw`(?<![\p{L}\p{N}+.,-])(\(\d{2,5}\)|\d{1,5})((?: \d{2,8}){1,5})(?![\p{L}\p{N}]|[.,-]\d)${EXTENSION}`,
  "giu",
);

/** Digits in a phone number written in groups apart with spaces. */
const SPACED_DIGITS = { min: 7, max: 15 };

/**
 * Three-digit service and emergency numbers (911, 112, 999, 988, 211 to 811), read digit by digit
 * after a phone word (`call 911`, `dial 112`) or before a noun that names the service (`the 911
 * call`, see {@linkcode LanguageRules.serviceNumberWords}); elsewhere they stay numbers (`911
 * people`, `Porsche 911`).
 */
const SERVICE = /(?<![\p{L}\p{N}.,-])(112|911|999|988|[2-8]11)(?![\p{L}\p{N}]|[.,-]\d)/gu;

/** An extension without a phone number before it: `ext. 123`. */
const LONE_EXTENSION = /(?<![\p{L}\p{N}])ext\.?\s?(\d{1,6})(?![\p{L}\p{N}]|[.,]\d)/giu;

/** Words that may stand between a phone word and the number (`call me at`, `number is`). */
const MAX_WORDS_BETWEEN = 3;

/**
 * Matches text that ends with a phone word of `rules` and at most a few more words of the same
 * sentence (`Call me at `).
 */
const phoneContext = perRules((rules): RegExp => {
  // A phrase matches with any white space between its words.
  const cue = alternation(
    rules.phoneContext,
    (phrase) => phrase.split(/\s+/).map(escapeRegExp).join(String.raw`\s+`),
  );
  return new RegExp(
    String
      .raw`(?<![\p{L}\p{N}])(?:${cue})(?![\p{L}\p{N}])[.:]?\s*(?:[^\s.!?]+\s+){0,${MAX_WORDS_BETWEEN}}$`,
    "iu",
  );
});

/**
 * Groups of a phone number read aloud: each group digit by digit (a leading `+` as the word for
 * plus), groups apart with commas.
 */
function speakGroups(rules: LanguageRules, groups: readonly string[]): string {
  return groups
    .map((group) =>
      group.startsWith("+")
        ? `${rules.words.plus} ${readDigits(rules, group.slice(1))}`
        : readDigits(rules, group)
    )
    .join(", ");
}

/** A phone number read aloud (`spoken`), then its extension if there is one. */
function withExtension(
  rules: LanguageRules,
  spoken: string,
  extension: string | undefined,
): string {
  return extension === undefined
    ? spoken
    : `${spoken}, ${rules.words.extension} ${readDigits(rules, extension)}`;
}

/** What makes a service number the service's name, without a phone word before it. */
interface ServiceContext {
  /** Matches the text after the number when a singular service noun starts it. */
  readonly noun: RegExp;
  /** Matches the text after the number when a plural service noun starts it. */
  readonly pluralNoun: RegExp;
  /** Matches the text before the number when it ends with a determiner. */
  readonly determiner: RegExp;
}

/** The {@linkcode ServiceContext} of `rules`, built once. */
const serviceContext = perRules((rules): ServiceContext => {
  const { nouns, pluralNouns, determiners } = rules.serviceNumberWords;
  // A noun right after the number (a space or a dash between), not the start of a longer word.
  const after = (words: readonly string[]) =>
    new RegExp(String.raw`^(?:\s+|-)(?:${alternation(words)})(?![\p{L}\p{N}]|-\p{L})`, "iu");
  return {
    noun: after(nouns),
    pluralNoun: after(pluralNouns),
    determiner: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${alternation(determiners)})\s+$`, "iu"),
  };
});

/**
 * Whether a service number between `before` and `after` names the service by the noun after it:
 * a singular service noun, or a plural one after a determiner.
 */
function namesService(rules: LanguageRules, before: string, after: string): boolean {
  const context = serviceContext(rules);
  return context.noun.test(after) ||
    (context.pluralNoun.test(after) && context.determiner.test(before));
}

/**
 * A phone number read aloud: each group digit by digit (a leading `+` as the word for plus),
 * groups apart with commas, then the extension if there is one.
 */
function speakPhoneNumber(
  rules: LanguageRules,
  groups: readonly string[],
  extension: string | undefined,
): string {
  return withExtension(rules, speakGroups(rules, groups), extension);
}

/**
 * The letters of a vanity number as words, in lower case so that they are read as words rather
 * than spelled out, and any digits among them digit by digit: `GOT-JUNK` -> `got junk`,
 * `KARS4KIDS` -> `kars four kids`.
 */
function speakVanityLetters(rules: LanguageRules, letters: string): string {
  return letters
    .split(/[-.]|(\d+)/)
    .filter((part) => part !== undefined && part !== "")
    .map((part) => /\d/.test(part) ? readDigits(rules, part) : part.toLowerCase())
    .join(" ");
}

/**
 * Whether the letters after a vanity number's area code (`letters`, after `head` as written, with
 * the `exchange` if there is one) make a vanity number: seven characters or a few more, enough of
 * them letters, and, when a space is all that separates the groups, letters in upper case
 * (`1 800 CONTACTS`; `1 800 flowers` may be an amount).
 */
function isVanity(head: string, exchange: string | undefined, letters: string): boolean {
  const characters = (exchange?.length ?? 0) + letters.replace(/[-.]/g, "").length;
  return characters >= VANITY_CHARACTERS.min && characters <= VANITY_CHARACTERS.max &&
    (letters.match(/\p{L}/gu)?.length ?? 0) >= VANITY_MIN_LETTERS &&
    !(/\s/.test(head) && /\p{Ll}/u.test(letters));
}

/** Whether both numbers of `555-1234` are round (`500-1000`), as in a range. */
function bothRound(first: string, second: string): boolean {
  return first.endsWith("0") && second.endsWith("0");
}

/**
 * Whether digit `groups` written apart with spaces, after a phone word, make a phone number: 7 to
 * 15 digits in all, and a first group with a trunk `0` (`020 7946 0018`), or three groups or more
 * that are not a number with its thousands apart (`1 000 000`), or a North American local number
 * as {@linkcode LOCAL} reads it (`555 1234`, not the round `500 1000`).
 */
function isSpacedPhoneNumber(groups: readonly string[]): boolean {
  const digits = groups.join("").length;
  if (digits < SPACED_DIGITS.min || digits > SPACED_DIGITS.max) return false;
  const [first, ...rest] = groups;
  if (first.startsWith("0")) return true;
  if (rest.length === 1) {
    return /^[2-9]\d{2}$/.test(first) && rest[0].length === 4 && !bothRound(first, rest[0]);
  }
  return first.length > 3 || rest.some((group) => group.length !== 3);
}

/** The phone numbers (and extensions) in `text` read aloud with `rules`. */
export function spellPhoneNumbers(text: string, rules: LanguageRules): string {
  const context = phoneContext(rules);
  return text
    .replace(INTERNATIONAL, (match, country: string, rest: string, extension?: string) => {
      const groups = [`+${country}`, ...rest.slice(1).split(/[-. ]/)];
      const digits = groups.join("").length - 1;
      return digits < INTERNATIONAL_DIGITS.min || digits > INTERNATIONAL_DIGITS.max
        ? match
        : speakPhoneNumber(rules, groups, extension);
    })
    .replace(
      NORTH_AMERICAN,
      (
        _m,
        country: string | undefined,
        bracketed: string | undefined,
        area: string | undefined,
        exchange: string,
        line: string,
        extension?: string,
      ) => {
        const groups = [country, bracketed ?? area, exchange, line].filter((g) => g !== undefined);
        return speakPhoneNumber(rules, groups, extension);
      },
    )
    .replace(
      VANITY,
      (
        match,
        head: string,
        country: string | undefined,
        bracketed: string | undefined,
        area: string | undefined,
        exchange: string | undefined,
        letters: string,
        extension: string | undefined,
        offset: number,
        whole: string,
      ) => {
        // `800-FLOWERS` without a `1` or brackets only after a phone word (`an 800-pound gorilla`).
        const marked = country !== undefined || bracketed !== undefined ||
          context.test(whole.slice(0, offset));
        if (!marked || !isVanity(head, exchange, letters)) return match;
        const groups = [country, bracketed ?? area, exchange].filter((g) => g !== undefined);
        const spoken = `${speakGroups(rules, groups)}, ${speakVanityLetters(rules, letters)}`;
        return withExtension(rules, spoken, extension);
      },
    )
    .replace(
      LOCAL,
      (
        match,
        exchange: string,
        line: string,
        extension: string | undefined,
        offset: number,
        whole: string,
      ) =>
        context.test(whole.slice(0, offset)) && !bothRound(exchange, line)
          ? speakPhoneNumber(rules, [exchange, line], extension)
          : match,
    )
    .replace(
      SPACED,
      (
        match,
        first: string,
        others: string,
        extension: string | undefined,
        offset: number,
        whole: string,
      ) => {
        const groups = [first.replace(/[()]/g, ""), ...others.slice(1).split(" ")];
        return context.test(whole.slice(0, offset)) && isSpacedPhoneNumber(groups)
          ? speakPhoneNumber(rules, groups, extension)
          : match;
      },
    )
    .replace(SERVICE, (match, digits: string, offset: number, whole: string) => {
      const before = whole.slice(0, offset);
      const after = whole.slice(offset + match.length);
      return context.test(before) || namesService(rules, before, after)
        ? readDigits(rules, digits)
        : match;
    })
    .replace(
      LONE_EXTENSION,
      (_m, digits: string) => `${rules.words.extension} ${readDigits(rules, digits)}`,
    );
}
