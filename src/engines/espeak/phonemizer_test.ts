import assert from "node:assert/strict";
import { EspeakVoiceError, withEspeak } from "./espeak_wasm.ts";
import { phonemize } from "./phonemizer.ts";

Deno.test("phonemize: known words in espeak-ng IPA, one string per sentence", async () => {
  assert.deepEqual(await phonemize("Hello, world. How are you?", "en-us"), [
    "həlˈoʊ, wˈɜːld.",
    "hˈaʊ ɑːɹ juː?",
  ]);
  assert.deepEqual(await phonemize("The quick brown fox jumps over the lazy dog.", "en-us"), [
    "ðə kwˈɪk bɹˈaʊn fˈɑːks dʒˈʌmps ˌoʊvɚ ðə lˈeɪzi dˈɑːɡ.",
  ]);
});

Deno.test("phonemize: numbers and abbreviations are read out", async () => {
  assert.deepEqual(await phonemize("I have 12 apples", "en-us"), [
    "aɪ hæv twˈɛlv ˈæpəlz",
  ]);
  // espeak-ng ends a clause after "Dr." before a capital, and so does Piper.
  assert.deepEqual(await phonemize("Dr. Smith", "en-us"), ["dˈɑːktɚ.", "smˈɪθ"]);
});

Deno.test("phonemize: clause punctuation is kept as Piper writes it", async () => {
  assert.deepEqual(await phonemize("Yes: no; maybe! Really?", "en-us"), [
    "jˈɛs: nˈoʊ; mˈeɪbiː!",
    "ɹˈiəli?",
  ]);
  // A run of marks counts as its first; an em dash is a semicolon.
  assert.deepEqual(await phonemize("Fine?! Read it — then go.", "en-us"), [
    "fˈaɪn?",
    "ɹˈiːd ɪt; ðˈɛn ɡˈoʊ.",
  ]);
});

Deno.test("phonemize: an ellipsis ends a clause but adds no punctuation", async () => {
  assert.deepEqual(await phonemize("Wait... what?", "en-us"), ["wˈeɪt wˌʌt?"]);
});

Deno.test("phonemize: punctuation inside a word or number ends nothing", async () => {
  assert.deepEqual(await phonemize("It costs 3.50, ok", "en-us"), [
    "ɪt kˈɔsts θɹˈiː pɔɪnt fˈaɪv zˈiəɹoʊ, ˌoʊkˈeɪ",
  ]);
});

Deno.test("phonemize: a blank line ends a sentence without punctuation", async () => {
  assert.deepEqual(await phonemize("One\n\nTwo three. Four", "en-us"), [
    "wˌʌn",
    "tˈuː θɹˈiː.",
    "fˈɔːɹ",
  ]);
});

Deno.test("phonemize: empty, blank, punctuation-only and control text give no sentences", async () => {
  for (const text of ["", "  \n\t ", "...", "?!", "\u0000\u0007\u001b"]) {
    assert.deepEqual(await phonemize(text, "en-us"), [], JSON.stringify(text));
  }
});

Deno.test("phonemize: control characters inside text are read as spaces", async () => {
  assert.deepEqual(await phonemize("Hello\u0007 world\u0000", "en-us"), ["həlˈoʊ wˈɜːld"]);
  assert.deepEqual(await phonemize("Hello\u0000world.", "en-us"), ["həlˈoʊ wˈɜːld."]);
});

Deno.test("phonemize: the voice decides the accent", async () => {
  assert.deepEqual(await phonemize("tomato water", "en-us"), ["təmˈeɪɾoʊ wˈɔːɾɚ"]);
  assert.deepEqual(await phonemize("tomato water", "en-gb"), ["təmˈɑːtəʊ wˈɔːtə"]);
  assert.deepEqual(await phonemize("Hello world", "gmw/en-US"), ["həlˈoʊ wˈɜːld"]);
});

Deno.test("phonemize: an unknown voice is refused", async () => {
  await assert.rejects(phonemize("hello", "en-zz"), EspeakVoiceError);
  await assert.rejects(phonemize("hello", ""), EspeakVoiceError);
  // The failure leaves the voice usable afterwards.
  assert.deepEqual(await phonemize("hello", "en-us"), ["həlˈoʊ"]);
});

Deno.test("phonemize: espeak-ng's language-switch flags are removed", async () => {
  const raw = await withEspeak((espeak) => {
    espeak.selectVoice("fr");
    return espeak.textToPhonemes("le weekend à Paris");
  });
  assert.match(raw.join(" "), /\(en\)/, "espeak-ng flags the English word");
  assert.deepEqual(await phonemize("le weekend à Paris", "fr"), ["lə- wiːkˈɛnd a paʁˈi"]);
});

Deno.test("phonemize: in German a Roman numeral's dot is an ordinal, not a full stop", async () => {
  // As espeak-ng reads it: "Ludwig der Vierzehnte" in German, "Ludwig fourteen." in English.
  const german = await phonemize("Ludwig XIV. Der König kam.", "de");
  assert.equal(german.length, 1, JSON.stringify(german));
  assert.ok(german[0].includes("fˈɪɾtseːntə dɛɾ kˈøːnɪç".normalize("NFD")), german[0]);
  const english = await phonemize("Ludwig XIV. The king came.", "en-us");
  assert.equal(english.length, 2, JSON.stringify(english));
});

Deno.test("phonemize: output is in Unicode NFD with single spaces", async () => {
  // espeak-ng writes "ç" as U+00E7; Piper's phoneme tables expect "c" + U+0327.
  assert.deepEqual(await phonemize("ich", "de"), ["ɪc\u0327"]);
  const texts = [
    ["Ça coûte trente-deux euros, n'est-ce pas?", "fr"],
    ["São Paulo é uma cidade grande.", "pt"],
    ["  Hello,   world!  ", "en-us"],
  ];
  for (const [text, voice] of texts) {
    const sentences = await phonemize(text, voice);
    assert.ok(sentences.length > 0, text);
    for (const sentence of sentences) {
      assert.equal(sentence, sentence.normalize("NFD"), sentence);
      assert.equal(sentence, sentence.trim());
      assert.doesNotMatch(sentence, /\s{2,}|[\n\t]/, sentence);
    }
  }
});

Deno.test("phonemize: concurrent calls with different voices do not mix", async () => {
  const runs = await Promise.all(
    Array.from({ length: 6 }, (_, i) => phonemize("tomato", i % 2 === 0 ? "en-us" : "en-gb")),
  );
  runs.forEach((run, i) => assert.deepEqual(run, [i % 2 === 0 ? "təmˈeɪɾoʊ" : "təmˈɑːtəʊ"]));
});
