import assert from "node:assert/strict";
import {
  ClauseTerminator,
  clauseTypeOf,
  endsSentence,
  languageUsesOrdinalDot,
  splitClauses,
} from "./clause_splitter.ts";
import { withEspeak } from "./espeak_wasm.ts";

function texts(text: string, ordinalDot = false): string[] {
  return splitClauses(text, { ordinalDot }).map((clause) => clause.text);
}

Deno.test("splitClauses: ends clauses at punctuation followed by space", () => {
  const clauses = splitClauses("Hello, world. How are you? Fine! Then: go; now");
  assert.deepEqual(clauses, [
    { text: "Hello,", terminator: ClauseTerminator.COMMA },
    { text: "world.", terminator: ClauseTerminator.PERIOD },
    { text: "How are you?", terminator: ClauseTerminator.QUESTION },
    { text: "Fine!", terminator: ClauseTerminator.EXCLAMATION },
    { text: "Then:", terminator: ClauseTerminator.COLON },
    { text: "go;", terminator: ClauseTerminator.SEMICOLON },
    { text: "now", terminator: ClauseTerminator.EOF },
  ]);
});

Deno.test("splitClauses: clause texts and the space between them give back the input", () => {
  const input = '  One, two.\nThree?!  "Four." Five... six\n\n seven — eight  ';
  const clauses = splitClauses(input);
  let rest = input;
  for (const clause of clauses) {
    const at = rest.indexOf(clause.text);
    assert.equal(rest.slice(0, at).trim(), "", `only space before ${JSON.stringify(clause.text)}`);
    rest = rest.slice(at + clause.text.length);
  }
  assert.equal(rest.trim(), "");
});

Deno.test("splitClauses: punctuation without a following space does not end a clause", () => {
  assert.deepEqual(texts("Pi is 3.14, e is 2.72"), ["Pi is 3.14,", "e is 2.72"]);
  assert.deepEqual(texts("see example.com:8080 now"), ["see example.com:8080 now"]);
});

Deno.test("splitClauses: a run of marks counts as its first mark", () => {
  const clauses = splitClauses("Really?! No way!!! Yes.,");
  assert.deepEqual(clauses.map((clause) => clause.text), ["Really?!", "No way!!!", "Yes.,"]);
  assert.deepEqual(clauses.map((clause) => clause.terminator), [
    ClauseTerminator.QUESTION,
    ClauseTerminator.EXCLAMATION,
    ClauseTerminator.PERIOD,
  ]);
});

Deno.test("splitClauses: three dots are an ellipsis, which ends the clause but not the sentence", () => {
  const [first, second] = splitClauses("Wait... what");
  assert.equal(first.text, "Wait...");
  assert.equal(first.terminator, clauseTypeOf("\u2026"));
  assert.equal(endsSentence(first.terminator), false);
  assert.equal(second.terminator, ClauseTerminator.EOF);
});

Deno.test("splitClauses: a full stop before a lower-case word is an abbreviation", () => {
  assert.deepEqual(texts("I met Dr. Who at 5 p.m. today. Then left."), [
    "I met Dr.",
    "Who at 5 p.m. today.",
    "Then left.",
  ]);
  assert.deepEqual(texts("The U.S.A.'s economy grew."), ["The U.S.A.'s economy grew."]);
});

Deno.test("splitClauses: marks before any letter or digit end nothing", () => {
  assert.deepEqual(texts(". , Hello there"), [". , Hello there"]);
});

Deno.test("splitClauses: a quote or bracket after the mark still ends the clause", () => {
  assert.deepEqual(texts('He said "yes." Then (really!) left.'), [
    'He said "yes.',
    '" Then (really!',
    ") left.",
  ]);
});

Deno.test("splitClauses: blank lines end a paragraph, single newlines do not", () => {
  const clauses = splitClauses("Line one\nline two\n\nNext one.\n\nLast?");
  assert.deepEqual(clauses.map((clause) => clause.text), [
    "Line one\nline two",
    "Next one.",
    "Last?",
  ]);
  assert.equal(clauses[0].terminator, ClauseTerminator.PARAGRAPH);
  // A full stop before a blank line is reported as a paragraph, not as a full stop.
  assert.equal(clauses[1].terminator, ClauseTerminator.PARAGRAPH);
  assert.ok(clauses.every((clause) => endsSentence(clause.terminator)));
});

Deno.test("splitClauses: dashes are semicolons, full-width marks need no space", () => {
  const dashed = splitClauses("One – two — three");
  assert.deepEqual(dashed.map((clause) => clause.terminator), [
    ClauseTerminator.SEMICOLON,
    ClauseTerminator.SEMICOLON,
    ClauseTerminator.EOF,
  ]);
  const chinese = splitClauses("你好，世界。今天很好！");
  assert.deepEqual(chinese.map((clause) => clause.text), ["你好，", "世界。", "今天很好！"]);
  assert.equal(
    chinese[1].terminator,
    ClauseTerminator.PERIOD | ClauseTerminator.OPTIONAL_SPACE_AFTER,
  );
});

Deno.test("splitClauses: ordinal-dot languages keep Roman and digit ordinals inside the clause", () => {
  const text = "Ludwig XIV. Er kam vom 3. - 5. Mai. Dann ging er.";
  assert.deepEqual(texts(text, true), ["Ludwig XIV. Er kam vom 3. - 5.", "Mai.", "Dann ging er."]);
  assert.deepEqual(texts(text, false), [
    "Ludwig XIV.",
    "Er kam vom 3.",
    "- 5.",
    "Mai.",
    "Dann ging er.",
  ]);
  assert.equal(languageUsesOrdinalDot("de"), true);
  assert.equal(languageUsesOrdinalDot("nl-BE"), true);
  assert.equal(languageUsesOrdinalDot("en-us"), false);
});

Deno.test("splitClauses: agrees with espeak-ng's own clause reader", async () => {
  // espeak-ng phonemises a whole text clause by clause; phonemising our clauses one at a time
  // must give the same clauses with the same phonemes, and espeak-ng must find nothing more
  // to split in any of ours.
  const cases: [string, string][] = [
    ["Hello, world. How are you? I'm fine!", "en-us"],
    ["Mr. Smith went to Washington; he said: no.", "en-us"],
    ["Wait... what? Really?! No way!!", "en-us"],
    ["e.g. this is it, i.e. that.", "en-us"],
    ['I said "yes." Then (really!) left.', "en-us"],
    ["Line one\nline two\n\nPara two.\n\nThree?", "en-us"],
    ["The U.S.A.'s economy. It costs $5.50, ok?", "en-us"],
    ["Dr. Who lives at 221B Baker St. in London.", "en-us"],
    ["One – two — three. A..B.. C", "en-us"],
    [". Leading dot, then text. x,y ,z , w", "en-us"],
    ["Ludwig XIV. Er kam vom 3. - 5. Oktober. Der 3. mann kam.", "de"],
    ["Karel IV. Přišel 3. - 5. května.", "cs"],
    ["Bonjour, le weekend. Ça va?", "fr"],
    ["¿Qué tal? ¡Muy bien! Gracias.", "es"],
    ["你好，世界。今天很好！", "cmn"],
  ];
  await withEspeak((espeak) => {
    for (const [text, voice] of cases) {
      const language = espeak.selectVoice(voice);
      const whole = espeak.textToPhonemes(text);
      const clauses = splitClauses(text, { ordinalDot: languageUsesOrdinalDot(language) });
      const pieces = clauses.map((clause) => espeak.textToPhonemes(clause.text));
      assert.deepEqual(pieces.flat(), whole, `${voice}: ${JSON.stringify(text)}`);
      for (const [i, piece] of pieces.entries()) {
        const spoken = piece.filter((phonemes) => phonemes.trim() !== "");
        assert.ok(spoken.length <= 1, `espeak-ng splits ${JSON.stringify(clauses[i].text)}`);
      }
    }
  });
});
