/**
 * URLs and e-mail addresses read aloud: `https://example.com/a` -> `example dot com slash a`,
 * `a.b@c.org` -> `a dot b at c dot org`.
 *
 * @module
 */
import type { LanguageRules } from "./rules.ts";
import { readDigits } from "./spoken_numbers.ts";

/** An address spelled out: words kept, digits one by one, separators as words. */
export function spellAddress(rules: LanguageRules, address: string): string {
  const { words } = rules;
  const separators: Readonly<Record<string, string>> = {
    ".": words.dot,
    "/": words.slash,
    "-": words.dash,
    "_": words.underscore,
    "+": words.plus,
    "@": words.at,
  };
  return address
    .split(/([./\-_+@])/)
    .filter((part) => part !== "")
    .map((part) =>
      separators[part] ?? part.replace(/\d+/g, (digits) => ` ${readDigits(rules, digits)} `)
    )
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * A URL read aloud: the scheme, `www.`, the query, the fragment and a final slash are left out;
 * punctuation that ended the sentence after the URL is kept.
 */
export function speakUrl(rules: LanguageRules, url: string): string {
  const trailing = /[.,;:!?'"…]+$/.exec(url)?.[0] ?? "";
  let address = url.slice(0, url.length - trailing.length);
  address = address.replace(/^(?:https?|ftp):\/\//i, "").replace(/^www\./i, "");
  address = address.replace(/[?#].*$/, "").replace(/\/+$/, "");
  return ` ${spellAddress(rules, address)}${trailing} `;
}
