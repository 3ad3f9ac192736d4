/**
 * Compares our phonemiser (espeak-ng's WebAssembly build, clause by clause, Piper's
 * punctuation added) with Debian's native `espeak-ng -q --ipa -v en-us` over varied English.
 *
 * What is normalised before comparing, and why:
 *
 * - Ours: the punctuation Piper appends after clauses (`.`, `?`, `!`, `,`, `:`, `;`) is
 *   removed, because the command line prints none; sentences are joined with a space.
 * - Native: its output has one line per clause; the lines are joined with a space and
 *   language-switch flags such as `(fr)` are removed, as our phonemiser (and Piper) removes them.
 * - Both: Unicode NFD (ours is NFD as Piper wants it; the command line writes NFC) and runs of
 *   white space collapsed to one space.
 *
 * Nothing else is touched: stress marks, length marks and every phoneme must agree.
 *
 * Known legitimate differences, measured with espeak-ng 1.51 (Debian) against the WASM build
 * in `@echogarden/espeak-ng-emscripten` 0.3.5 (a newer espeak-ng whose version string is not
 * compiled in):
 *
 * - data version: "four" (also in "forty", "twenty-four") is `fˈɔːɹ` in the WASM data and
 *   `fˈoːɹ` in 1.51;
 * - API: the command line phonemises while synthesising, which stresses a clause whose only
 *   word is unstressed ("Hmm;" gives `hˈəm`); `espeak_TextToPhonemes`, which both we and Piper
 *   use, gives `həm` in both versions (checked against Debian's libespeak-ng by hand).
 *
 * The sentence-level bar is set just below the measured 16 of 22; clause counts must agree
 * on every sentence, since a difference there means a dropped or invented clause.
 *
 * @module
 */

import assert from "node:assert/strict";
import { phonemize } from "../src/engines/espeak/phonemizer.ts";

const SENTENCES = [
  "Hello, world. How are you today?",
  "The quick brown fox jumps over the lazy dog.",
  "Dr. Smith paid $3.50 for 12 apples on Jan. 5th, 2021.",
  "Is it 3:45 p.m. already? I thought it was noon!",
  "Mr. and Mrs. Johnson live at 221B Baker Street, London.",
  "She said: \"I'll be there at 7 o'clock; don't wait up.\"",
  "The U.S.A. has 50 states, and the U.K. has four countries.",
  "Please call 555-1234 or email info@example.com for details.",
  "In 1969, Neil Armstrong walked on the Moon.",
  "Wait... are you serious?! That's incredible.",
  "About 42% of the 1,250 participants voted yes.",
  "Tchaikovsky, Beethoven and Mozart wrote symphonies.",
  "The meeting is on Monday, the 3rd of March.",
  "NASA launched the James Webb Space Telescope in December.",
  "Why would anyone read the book that I read yesterday?",
  "He lives in St. Louis, Missouri, near the Mississippi River.",
  "The temperature dropped to -5 degrees Celsius overnight.",
  "Our CEO, Ms. García, approved the $2.5 million budget.",
  "Read the instructions carefully — then begin.",
  "What time is it? It's half past ten.",
  "I can't believe it's already 2024!",
  "Hmm; the café's crêpes cost €4.99 (tax included).",
];

/** Sentences that must agree exactly, out of {@linkcode SENTENCES} (16 measured). */
const MIN_EXACT_SENTENCES = 15;
/** Share of native words that must appear unchanged in ours (220 of 227, 96.9 %, measured). */
const MIN_WORD_AGREEMENT = 0.95;

const PIPER_PUNCTUATION = /[.?!,:;]/g;
const LANGUAGE_FLAG = /\([^)]*\)/g;

interface Comparison {
  readonly text: string;
  readonly ours: string;
  readonly native: string;
  readonly ourClauses: number;
  readonly nativeClauses: number;
  /** Words only in the native output (`-`) or only in ours (`+`), in order. */
  readonly diff: readonly string[];
  readonly nativeWords: number;
  readonly sameWords: number;
}

function nativeVersion(): string {
  let output: Deno.CommandOutput;
  try {
    output = new Deno.Command("espeak-ng", { args: ["--version"] }).outputSync();
  } catch (error) {
    throw new Error(
      `espeak-ng is not installed (scripts/setup_test_env.sh installs it): ${error}`,
    );
  }
  return new TextDecoder().decode(output.stdout).trim();
}

function nativeClauses(text: string): string[] {
  const output = new Deno.Command("espeak-ng", {
    args: ["-q", "--ipa", "-v", "en-us", "--", text],
  }).outputSync();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  return new TextDecoder().decode(output.stdout)
    .split("\n")
    .map((line) => normalize(line.replace(LANGUAGE_FLAG, "")))
    .filter((line) => line !== "");
}

function normalize(phonemes: string): string {
  return phonemes.normalize("NFD").replace(/\s+/g, " ").trim();
}

/** Our clauses: a sentence ends a clause, and so does each punctuation mark Piper appends. */
function countOurClauses(sentences: readonly string[]): number {
  return sentences
    .flatMap((sentence) => sentence.split(PIPER_PUNCTUATION))
    .filter((clause) => clause.trim() !== "").length;
}

/** espeak-ng ends a clause at an ellipsis, where Piper (and we) append nothing. */
function countEllipses(text: string): number {
  return text.match(/\.{3,}|\u2026/g)?.length ?? 0;
}

/** Word-level diff (longest common subsequence) of `before` and `after`. */
function diffWords(
  before: readonly string[],
  after: readonly string[],
): { diff: string[]; same: number } {
  const table = Array.from(
    { length: before.length + 1 },
    () => new Array<number>(after.length + 1).fill(0),
  );
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      table[i][j] = before[i] === after[j]
        ? table[i + 1][j + 1] + 1
        : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const diff: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      i++;
      j++;
    } else if (j >= after.length || (i < before.length && table[i + 1][j] >= table[i][j + 1])) {
      diff.push(`-${before[i++]}`);
    } else {
      diff.push(`+${after[j++]}`);
    }
  }
  return { diff, same: table[0][0] };
}

async function compare(text: string): Promise<Comparison> {
  const sentences = await phonemize(text, "en-us");
  const ours = normalize(sentences.join(" ").replace(PIPER_PUNCTUATION, " "));
  const clauses = nativeClauses(text);
  const native = normalize(clauses.join(" "));
  const nativeWords = native === "" ? [] : native.split(" ");
  const { diff, same } = diffWords(nativeWords, ours === "" ? [] : ours.split(" "));
  return {
    text,
    ours,
    native,
    ourClauses: countOurClauses(sentences) + countEllipses(text),
    nativeClauses: clauses.length,
    diff,
    nativeWords: nativeWords.length,
    sameWords: same,
  };
}

function report(comparisons: readonly Comparison[]): string {
  return comparisons
    .filter((c) => c.ours !== c.native || c.ourClauses !== c.nativeClauses)
    .map((c) =>
      [
        `  ${JSON.stringify(c.text)}`,
        `    native (${c.nativeClauses} clauses): ${c.native}`,
        `    ours   (${c.ourClauses} clauses): ${c.ours}`,
        `    diff: ${c.diff.join(" ") || "(clauses only)"}`,
      ].join("\n")
    )
    .join("\n");
}

Deno.test("phonemize agrees with native espeak-ng on English text", async () => {
  const version = nativeVersion();
  assert.match(version, /eSpeak NG/, "the native reference is espeak-ng");
  const imports = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)))
    .imports as Record<string, string>;

  const comparisons: Comparison[] = [];
  for (const text of SENTENCES) comparisons.push(await compare(text));

  const exact = comparisons.filter((c) => c.ours === c.native).length;
  const nativeWords = comparisons.reduce((sum, c) => sum + c.nativeWords, 0);
  const sameWords = comparisons.reduce((sum, c) => sum + c.sameWords, 0);
  const clauseMismatches = comparisons.filter((c) => c.ourClauses !== c.nativeClauses);
  console.log(JSON.stringify({
    native: version,
    wasm: imports["@echogarden/espeak-ng-emscripten"],
    exactSentences: `${exact}/${comparisons.length}`,
    words: `${sameWords}/${nativeWords}`,
    wordAgreement: Number((sameWords / nativeWords).toFixed(4)),
    clauseMismatches: clauseMismatches.length,
    differences: comparisons.filter((c) => c.diff.length > 0).map((c) => c.diff.join(" ")),
  }));

  const details = `\nsentences that differ:\n${report(comparisons)}`;
  assert.equal(clauseMismatches.length, 0, `clause counts differ${details}`);
  assert.ok(
    exact >= MIN_EXACT_SENTENCES,
    `only ${exact}/${comparisons.length} sentences agree exactly${details}`,
  );
  assert.ok(
    sameWords / nativeWords >= MIN_WORD_AGREEMENT,
    `only ${sameWords}/${nativeWords} words agree${details}`,
  );
});
