/**
 * Text to espeak-ng IPA, sentence by sentence, in the form Piper voices were trained on.
 *
 * @module
 */

import {
  type Clause,
  ClauseTerminator,
  endsSentence,
  languageUsesOrdinalDot,
  splitClauses,
} from "./clause_splitter.ts";
import { withEspeak } from "./espeak_wasm.ts";

/** Phonemes of espeak-ng's language switches, e.g. `(en)` ... `(fr)` around an English word. */
const LANGUAGE_FLAG = /\([^)]*\)/g;

/**
 * Phonemises `text` with the espeak-ng voice `voice` (e.g. `en-us`, `de`, `en-gb-x-rp`) the
 * way Piper's phonemiser does, returning one string per sentence.
 *
 * What it does, step by step:
 *
 * 1. Splits the text into clauses where espeak-ng's clause reader would and learns each
 *    clause's terminator (see `clause_splitter.ts`: `.`, `?`, `!`, `,`, `:`, `;`, dashes,
 *    ellipses, blank lines, their full-width and non-Latin forms).
 * 2. Translates each clause with `espeak_TextToPhonemes` in IPA mode. The phonemes of a word
 *    are written together, as Unicode code points, stress marks (`ˈ`, `ˌ`) and length marks
 *    kept; words are separated by one space. Language-switch flags such as `(en)` are
 *    removed, and the result is put in Unicode NFD, as Piper does.
 * 3. Appends the clause's punctuation as Piper does, by the exact terminator value: `.` for
 *    a full stop, `?`, `!`, and `, ` / `: ` / `; ` (with a space) for comma, colon and
 *    semicolon (espeak-ng reports em and en dashes as semicolons). Other terminators
 *    (ellipsis, full-width marks, a mark before a blank line, the end of the text) add
 *    nothing.
 * 4. Ends the sentence after terminators of sentence type (`.`, `?`, `!`, blank line, end of
 *    text, and their variants).
 *
 * Deliberate differences from Piper: where Piper would glue two clauses together with no
 * punctuation and no space between (after an ellipsis, or where espeak-ng cuts a clause that
 * is too long), a space is put; clauses that produce no phonemes add no punctuation;
 * sentences are trimmed and empty ones are dropped; runs of white space are collapsed.
 *
 * @example
 * ```ts
 * await phonemize("Hello, world. How are you?", "en-us");
 * // ["həlˈoʊ, wˈɜːld.", "hˈaʊ ɑːɹ juː?"]
 * ```
 *
 * @throws {EspeakVoiceError} when `voice` matches no espeak-ng voice.
 */
export function phonemize(text: string, voice: string): Promise<string[]> {
  return withEspeak((espeak) => {
    const language = espeak.selectVoice(voice);
    const clauses = splitClauses(text, { ordinalDot: languageUsesOrdinalDot(language) });
    const sentences: string[] = [];
    let sentence = "";
    for (const clause of clauses) {
      const phonemes = espeak.textToPhonemes(clause.text)
        .map(cleanPhonemes)
        .filter((part) => part !== "")
        .join(" ");
      if (phonemes !== "") {
        if (sentence !== "" && !sentence.endsWith(" ")) sentence += " ";
        sentence += phonemes + punctuationAfter(clause);
      }
      if (endsSentence(clause.terminator)) {
        pushSentence(sentences, sentence);
        sentence = "";
      }
    }
    pushSentence(sentences, sentence);
    return sentences;
  });
}

/** What Piper appends after a clause, decided by the exact terminator value as Piper does. */
function punctuationAfter(clause: Clause): string {
  switch (clause.terminator & 0x000fffff) {
    case ClauseTerminator.PERIOD:
      return ".";
    case ClauseTerminator.QUESTION:
      return "?";
    case ClauseTerminator.EXCLAMATION:
      return "!";
    case ClauseTerminator.COMMA:
      return ", ";
    case ClauseTerminator.COLON:
      return ": ";
    case ClauseTerminator.SEMICOLON:
      return "; ";
    default:
      return "";
  }
}

function cleanPhonemes(phonemes: string): string {
  return phonemes.replace(LANGUAGE_FLAG, "").normalize("NFD").replace(/\s+/g, " ").trim();
}

function pushSentence(sentences: string[], sentence: string): void {
  const trimmed = sentence.trim();
  if (trimmed !== "") sentences.push(trimmed);
}
