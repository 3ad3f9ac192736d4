/**
 * Markdown, as LLMs emit it, rewritten to the plain text it displays: emphasis markers, headings,
 * bullets, quotes, code spans and fences, links and images, tables and HTML tags go; their text
 * stays. A segment may hold half of a markdown construct (segmentation runs first), so unpaired
 * emphasis markers at word edges go too.
 *
 * @module
 */
import { applyRules, type TextRule } from "./rules.ts";

/** Markdown rewrites, in order. */
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
  // A list number is read with a colon: espeak-ng pauses after it whatever the case of the next
  // word (a period before a lowercase word is no pause), and no sentence ends after the number.
  { pattern: /^[ \t]*(\d{1,3})[.)][ \t]+(?=\S)/gm, replacement: "$1: " },
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

/** Rewrites the markdown in `text` to its plain text (line structure kept). */
export function stripMarkdown(text: string): string {
  return applyRules(text, MARKDOWN_RULES);
}
