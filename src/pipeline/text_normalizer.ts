/**
 * Pipeline stage: text normalisation for speech, which turns a text segment into words a voice
 * can read.
 *
 * Every language gets the language-independent clean-up: broken UTF-16, control and invisible
 * characters, the markdown that LLMs emit (kept as its plain text) and emoji (removed, not named).
 * Languages with a rules table (`normalize/languages.ts`; English is filled in) also get numbers,
 * currency, percentages, times, dates, days of the week, years, ordinals, units, abbreviations,
 * symbols, phone numbers, URLs and e-mail addresses spelled out as words. Other languages keep
 * their digits, which espeak-ng reads in the language itself.
 *
 * Segmentation runs before normalisation, so each segment is normalised on its own: every rule
 * decides from the segment's own text. The result is deterministic, and text that needs no change
 * comes out as it went in (apart from whitespace collapsed to single spaces).
 *
 * @module
 */
import { removeUnspeakableCharacters } from "./normalize/characters.ts";
import { removeEmoji } from "./normalize/emoji.ts";
import { normalizationRules } from "./normalize/languages.ts";
import { stripMarkdown } from "./normalize/markdown.ts";
import { spellOut } from "./normalize/spell_out.ts";
import { tidy } from "./normalize/tidy.ts";

export { normalizationRules } from "./normalize/languages.ts";
export type {
  CurrencyNames,
  LanguageRules,
  NormalizerWords,
  ServiceNumberWords,
  TextRule,
} from "./normalize/rules.ts";

const SPEAKABLE = /[\p{L}\p{N}]/u;

/**
 * Normalises a text segment for speech in `language` (a tag such as `en`, `en-US`; languages
 * without a rules table get the language-independent clean-up only). Returns `""` when nothing
 * speakable is left (only punctuation, emoji or markdown).
 */
export function normalizeText(text: string, language = "en"): string {
  let s = removeUnspeakableCharacters(text);
  s = stripMarkdown(s);
  s = removeEmoji(s);
  const rules = normalizationRules(language);
  if (rules) s = spellOut(s, rules);
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
