import assert from "node:assert/strict";
import { ESPEAK_MAX_RATE, ESPEAK_MIN_RATE, EspeakVoiceError, withEspeak } from "./espeak_wasm.ts";

function peak(samples: Int16Array): number {
  let max = 0;
  for (const sample of samples) max = Math.max(max, Math.abs(sample));
  return max;
}

function assertClose(actual: number, expected: number, message: string): void {
  assert.ok(Math.abs(actual - expected) <= expected * 0.05, `${message}: ${actual} vs ${expected}`);
}

Deno.test("withEspeak: the module loads with 22050 Hz output and lists English voices", async () => {
  const { sampleRate, voices } = await withEspeak((espeak) => ({
    sampleRate: espeak.sampleRate,
    voices: espeak.voices,
  }));
  assert.equal(sampleRate, 22050);
  const american = voices.find((voice) => voice.languages.includes("en-us"));
  assert.ok(american, "a voice speaks en-us");
  assert.match(american.identifier, /en-US$/i);
  assert.ok(voices.some((voice) => voice.languages.includes("en-gb")));
  assert.ok(voices.length > 50, `many voices, got ${voices.length}`);
});

Deno.test("selectVoice: accepts voice file names and language codes, any case", async () => {
  const selected = await withEspeak((espeak) => [
    espeak.selectVoice("en-us"),
    espeak.selectVoice("EN-GB"),
    espeak.selectVoice("gmw/en-US"),
    espeak.selectVoice("en-us+f3"),
    espeak.selectVoice(" de "),
  ]);
  assert.deepEqual(selected, ["en-us", "en-gb", "en-us", "en-us", "de"]);
});

Deno.test("selectVoice: refuses unknown, empty and control-character names", async () => {
  for (const name of ["en-zz", "xx-nowhere", "", "   ", "en-us\u0000", "en\u0007us"]) {
    await assert.rejects(
      withEspeak((espeak) => espeak.selectVoice(name)),
      (error: unknown) => error instanceof EspeakVoiceError && error.message.includes("en-us"),
      `voice ${JSON.stringify(name)} is refused`,
    );
  }
  // A refused name leaves the queue usable.
  assert.equal(await withEspeak((espeak) => espeak.selectVoice("en-us")), "en-us");
});

Deno.test("textToPhonemes: IPA per clause, stress marks kept, no separators or punctuation", async () => {
  const clauses = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    return espeak.textToPhonemes("Hello, world. How are you?");
  });
  assert.deepEqual(clauses, ["həlˈoʊ", "wˈɜːld", "hˈaʊ ɑːɹ juː"]);
});

Deno.test("textToPhonemes: follows the selected voice", async () => {
  const [american, british] = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    const us = espeak.textToPhonemes("tomato water");
    espeak.selectVoice("en-gb");
    return [us, espeak.textToPhonemes("tomato water")];
  });
  assert.deepEqual(american, ["təmˈeɪɾoʊ wˈɔːɾɚ"]);
  assert.deepEqual(british, ["təmˈɑːtəʊ wˈɔːtə"]);
});

Deno.test("textToPhonemes: empty and control-only text give no clauses", async () => {
  const results = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    return ["", "   ", "\u0000\u0007\u001b", "..."].map((text) => espeak.textToPhonemes(text));
  });
  assert.deepEqual(results, [[], [], [], []]);
});

Deno.test("textToPhonemes: a NUL or control character does not cut the text", async () => {
  const clauses = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    return espeak.textToPhonemes("hello\u0000 \u0001world");
  });
  assert.deepEqual(clauses, ["həlˈoʊ wˈɜːld"]);
});

Deno.test("textToPhonemes: no reader state leaks from synthesis or a trailing '..'", async () => {
  const [afterSynthesis, afterDots] = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    espeak.synthesize("hello", 175);
    // `[[...]]` is phoneme input only while synthesising; here it is text.
    const afterSynthesis = espeak.textToPhonemes("x [[h@l'oU]] y");
    espeak.textToPhonemes("Wait..");
    return [afterSynthesis, espeak.textToPhonemes("yes")];
  });
  assert.deepEqual(afterSynthesis, ["ˈɛks ˈeɪtʃ æt ˈɛlˈoʊ jˈuː wˈaɪ"]);
  assert.deepEqual(afterDots, ["jˈɛs"]);
});

Deno.test("synthesize: non-silent 16-bit speech whose length follows the rate", async () => {
  const text = "The quick brown fox jumps over the lazy dog.";
  const [normal, fast] = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    return [espeak.synthesize(text, 175), espeak.synthesize(text, 350)];
  });
  const seconds = normal.length / 22050;
  assert.ok(seconds > 1.5 && seconds < 4.5, `9 words at 175 wpm took ${seconds} s`);
  assert.ok(peak(normal) > 8000, `peak ${peak(normal)}`);
  const ratio = fast.length / normal.length;
  assert.ok(ratio > 0.4 && ratio < 0.65, `350 wpm / 175 wpm length ratio ${ratio}`);
});

Deno.test("synthesize: rates outside espeak-ng's range are clamped", async () => {
  const lengths = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    return [1, ESPEAK_MIN_RATE, ESPEAK_MAX_RATE, 2000, NaN, 175].map((rate) =>
      espeak.synthesize("one two three", rate).length
    );
  });
  const [tooSlow, slowest, fastest, tooFast, notANumber, normal] = lengths;
  // espeak-ng's output length varies by a few samples from call to call at the same rate.
  assertClose(tooSlow, slowest, "rate 1 acts as the slowest rate");
  assertClose(tooFast, fastest, "rate 2000 acts as the fastest rate");
  assertClose(notANumber, normal, "NaN acts as the default rate");
  assert.ok(slowest > normal && normal > fastest, `lengths ${lengths}`);
});

Deno.test("synthesize: markup characters are spoken as text", async () => {
  const [bracketed, asText, asPhonemes] = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    return [
      espeak.synthesize("x [[h@l'oU]] y", 175).length,
      espeak.synthesize("x aitch at ell oh you y", 175).length,
      espeak.synthesize("x hello y", 175).length,
    ];
  });
  // Read as phoneme input, the brackets would say "x hello y" (about half as long).
  assert.ok(bracketed > asPhonemes * 1.5, `bracketed ${bracketed}, "x hello y" ${asPhonemes}`);
  assert.ok(bracketed > asText * 0.8, `bracketed ${bracketed}, spelt out ${asText}`);
  const tags = await withEspeak((espeak) => espeak.synthesize("<b>hello</b> & <i>", 175));
  assert.ok(peak(tags) > 8000, "text with tags still speaks");
});

Deno.test("synthesize: empty and control-only text give (near) silence, not an error", async () => {
  const outputs = await withEspeak((espeak) => {
    espeak.selectVoice("en-us");
    return ["", "\u0000", "\u0007\u001b "].map((text) => espeak.synthesize(text, 175));
  });
  for (const pcm of outputs) {
    assert.ok(pcm.length < 22050 / 10, `at most 100 ms, got ${pcm.length} samples`);
    assert.equal(peak(pcm), 0);
  }
});
