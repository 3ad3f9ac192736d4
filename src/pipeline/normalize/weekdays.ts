/**
 * Days of the week: a range of days read with the language's word for a range (`Mon–Fri` ->
 * `Monday to Friday`), and abbreviated days written out where they are clearly days.
 *
 * Several abbreviations are words too (`Sun`, `Sat`, `Wed`), so an abbreviated day is written out
 * only in a day context: linked to another day (`Mon–Fri`, `Mon/Wed/Fri`, `Sat & Sun`, `Tue to
 * Thu`; there also in capitals, `MON–FRI`), or, written with a capital and lowercase letters,
 * after a word of {@linkcode LanguageRules.weekdayContext} (`on Fri`, `open Sun`) or before a time
 * or a date (`Sat 10am`, `Fri, Mar 5`). It runs before times and dates are spelled out, since it
 * recognises them by their digits.
 *
 * @module
 */
import { keptPeriod } from "./abbreviation.ts";
import {
  alternation,
  type LanguageRules,
  monthAlternations,
  nameIndex,
  perRules,
} from "./rules.ts";

/** Regular expressions and look-ups built once per rules table. */
interface CompiledWeekdays {
  /** Days linked by dashes, slashes, commas, `&` or link words; or a single day. */
  readonly run: RegExp;
  /** One day of a run and the link before it (none for the first). */
  readonly part: RegExp;
  /** The text before a single day ends with a context word (`on `). */
  readonly contextBefore: RegExp;
  /** The text after a single day starts with a time or a date (` 10am`, `, Mar 5`). */
  readonly timeOrDateAfter: RegExp;
  /** Day names and abbreviations, lowercase -> day number 1-7. */
  readonly days: ReadonlyMap<string, number>;
}

const compile = perRules((rules): CompiledWeekdays => {
  const days = nameIndex(rules.weekdays, rules.weekdayAbbreviations);
  const names = alternation(rules.weekdays.flatMap((name) => [name, name.toUpperCase()]));
  const abbreviations = alternation(
    Object.keys(rules.weekdayAbbreviations).flatMap((written) => [written, written.toUpperCase()]),
  );
  const day = String
    .raw`(?:${names})(?![\p{L}\p{N}])|(?:${abbreviations})(?![\p{L}\p{N}])\.?(?![\p{L}\p{N}])`;
  const links = alternation(rules.weekdayLinks);
  const link = String.raw`\s*,?\s+(?:${links})\s+|\s*[-–—/,&]\s*`;
  const { written: months, full: fullMonths } = monthAlternations(rules);
  const time = String
    .raw`\d{1,2}(?::[0-5]\d)?\s?[aApP]\.?[mM]\.?(?![\p{L}\p{N}])|\d{1,2}:[0-5]\d(?!\d)`;
  const date = String
    .raw`(?:${months})\.?\s+\d{1,2}(?!\d)|\d{1,2}(?:st|nd|rd|th)(?![\p{L}\p{N}])|\d{1,2}\s+(?:of\s+)?(?:${fullMonths})(?![\p{L}\p{N}])|\d{4}-\d{2}-\d{2}(?!\d)`;
  const context = alternation(rules.weekdayContext);
  return {
    run: new RegExp(
      String.raw`(?<![\p{L}\p{N}])(?:${day})(?:(?:${link})(?:${day}))*`,
      "gu",
    ),
    part: new RegExp(String.raw`(?<link>${link})?(?<day>${day})`, "gu"),
    contextBefore: new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${context})\s+$`, "iu"),
    timeOrDateAfter: new RegExp(String.raw`^[,:]?\s+(?:${time}|${date})`, "u"),
    days,
  };
});

const DASH = /^\s*[-–—]\s*$/;
const SLASH = /^\s*\/\s*$/;

/**
 * A link between two days read aloud: a dash is a range (`to`) when it is the only one of its run
 * (`Mon–Fri`), else a list (`Mon-Wed-Fri`), read like a slash, with a comma.
 */
function speakLink(rules: LanguageRules, link: string, oneDash: boolean): string {
  if (DASH.test(link)) return oneDash ? ` ${rules.words.to} ` : ", ";
  return SLASH.test(link) ? ", " : link;
}

/** Whether a single abbreviated day (`Sat`, `Fri.`) at `offset` in `whole` is clearly a day. */
function inDayContext(
  re: CompiledWeekdays,
  written: string,
  offset: number,
  whole: string,
): boolean {
  // Capitals alone (`SAT`) are an acronym; a capital and lowercase letters, a day.
  if (!/^\p{Lu}\p{Ll}/u.test(written)) return false;
  const after = whole.slice(offset + written.length);
  if (re.timeOrDateAfter.test(after)) return true;
  if (!re.contextBefore.test(whole.slice(Math.max(0, offset - 20), offset))) return false;
  // `on Sun Microsystems hardware`: a capitalised word after it makes it part of a name, unless
  // the abbreviation's period shows that a sentence ends there.
  return written.endsWith(".") || !/^\s+\p{Lu}\p{Ll}/u.test(after);
}

/** The day that a name or abbreviation stands for, as written (`Fri.`, `FRI`) -> `Friday`. */
function dayName(rules: LanguageRules, re: CompiledWeekdays, written: string): string {
  const day = re.days.get(written.replace(/\.$/, "").toLowerCase());
  return day === undefined ? written : rules.weekdays[day - 1];
}

/**
 * The days of the week in `text` read aloud: ranges with the language's range word, abbreviated
 * days written out where they are clearly days (see the module documentation).
 */
export function spellWeekdays(text: string, rules: LanguageRules): string {
  const re = compile(rules);
  return text.replace(re.run, (match: string, offset: number, whole: string) => {
    const parts = [...match.matchAll(re.part)];
    if (parts.length === 1) {
      // One day alone: a name is left as it is, an abbreviation written out in a day context.
      const abbreviated = Object.hasOwn(rules.weekdayAbbreviations, match.replace(/\.$/, ""));
      if (!abbreviated || !inDayContext(re, match, offset, whole)) return match;
    }
    const oneDash = parts.filter((part) => DASH.test(part.groups?.link ?? "")).length === 1;
    return parts.map((part, i) => {
      const { link, day } = part.groups as { link?: string; day: string };
      const spokenLink = link === undefined ? "" : speakLink(rules, link, oneDash);
      // The last day's period may also end the sentence (`Open Mon–Fri. Closed Sun.`).
      const dayOffset = offset + (part.index ?? 0) + (link?.length ?? 0);
      const period = i === parts.length - 1 ? keptPeriod(day, dayOffset, whole) : "";
      return spokenLink + dayName(rules, re, day) + period;
    }).join("");
  });
}
