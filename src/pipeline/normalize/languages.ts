/**
 * The rules tables by language. To add a language, write its table (see `en.ts`) and list it
 * here under its base language subtag.
 *
 * @module
 */
import { ENGLISH_RULES } from "./en.ts";
import type { LanguageRules } from "./rules.ts";

/** Rules tables by base language subtag (`en-US` uses `en`). */
const LANGUAGE_RULES: ReadonlyMap<string, LanguageRules> = new Map([["en", ENGLISH_RULES]]);

/**
 * The rules table for a language tag (`en`, `en-US`, `en_gb`, or an espeak-ng voice name such as
 * `gmw/en-US` or `en-us+f3`), or `undefined` when the language has none.
 */
export function normalizationRules(language: string): LanguageRules | undefined {
  const tag = language.trim().toLowerCase().replace(/_/g, "-").replace(/^.*\//, "").replace(
    /\+.*$/,
    "",
  );
  return LANGUAGE_RULES.get(tag) ?? LANGUAGE_RULES.get(tag.split("-")[0]);
}
