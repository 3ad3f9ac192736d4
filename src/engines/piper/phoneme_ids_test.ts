import assert from "node:assert/strict";
import { applyPhonemeMap, countMissing, phonemesToIds } from "./phoneme_ids.ts";
import { loadPiperConfig, type PiperVoiceConfig } from "./piper_config.ts";

const LESSAC_LOW = new URL(
  "../../../tests/fixtures/piper-configs/en_US-lessac-low.onnx.json",
  import.meta.url,
).pathname;

const config: PiperVoiceConfig = await loadPiperConfig(LESSAC_LOW);

Deno.test("maps 'həlˈoʊ' to the ids read by hand from the real lessac map", () => {
  // From en_US-lessac-low.onnx.json: ^=1 _=0 $=2 h=20 ə=59 l=24 ˈ=120 o=27 ʊ=100.
  const expected = [1, 0, 20, 0, 59, 0, 24, 0, 120, 0, 27, 0, 100, 0, 2];
  assert.deepEqual(phonemesToIds("həlˈoʊ", config.phonemeIdMap), expected);
});

Deno.test("puts BOS, pad, each phoneme's ids followed by pad, then EOS", () => {
  const phonemes = "hˈaʊ ɑːɹ juː?";
  const map = config.phonemeIdMap;
  const one = (symbol: string) => map.get(symbol)!;
  const expected = [...one("^"), ...one("_")];
  for (const phoneme of phonemes) expected.push(...one(phoneme), ...one("_"));
  expected.push(...one("$"));
  const ids = phonemesToIds(phonemes, map);
  assert.deepEqual(ids, expected);
  // 13 codepoints: BOS + pad + 2 per phoneme + EOS.
  assert.equal(ids.length, 3 + 2 * [...phonemes].length);
});

Deno.test("walks by Unicode codepoint: combining marks count as phonemes of their own", () => {
  // "ɑ̃" is U+0251 then the combining tilde U+0303; both are in the map.
  const ids = phonemesToIds("ɑ̃", config.phonemeIdMap);
  assert.deepEqual(ids, [
    1,
    0,
    ...config.phonemeIdMap.get("ɑ")!,
    0,
    ...config.phonemeIdMap.get("\u0303")!,
    0,
    2,
  ]);
});

Deno.test("skips and reports phonemes missing from the map, astral ones as one codepoint", () => {
  const missing: string[] = [];
  // U+200D (zero-width joiner, which espeak-ng emits in some IPA modes) and an astral emoji.
  const ids = phonemesToIds("o\u200Dʊ😀o", config.phonemeIdMap, (p) => missing.push(p));
  assert.deepEqual(ids, [1, 0, 27, 0, 100, 0, 27, 0, 2]);
  assert.deepEqual(missing, ["\u200D", "😀"]);
});

Deno.test("countMissing tallies each missing phoneme", () => {
  const { counts, onMissing } = countMissing();
  phonemesToIds("x\u200D\u200Dy€", config.phonemeIdMap, onMissing);
  assert.deepEqual(Object.fromEntries(counts), { "\u200D": 2, "€": 1 });
});

Deno.test("uses every id of a multi-id phoneme", () => {
  const map = new Map([["^", [1]], ["_", [0]], ["$", [2]], ["a", [7, 8]]]);
  assert.deepEqual(phonemesToIds("aa", map), [1, 0, 7, 8, 0, 7, 8, 0, 2]);
});

Deno.test("an empty phoneme string gives BOS, pad, EOS", () => {
  assert.deepEqual(phonemesToIds("", config.phonemeIdMap), [1, 0, 2]);
});

Deno.test("rejects a map without the pad, BOS or EOS symbol", () => {
  assert.throws(() => phonemesToIds("a", new Map([["^", [1]], ["$", [2]]])), /"_"/);
});

Deno.test("applyPhonemeMap replaces mapped codepoints and keeps the rest", () => {
  const map = new Map([["ɚ", ["ə", "ɹ"]], ["g", ["ɡ"]]]);
  assert.equal(applyPhonemeMap("gɚl", map), "ɡəɹl");
  assert.equal(applyPhonemeMap("gɚl", new Map()), "gɚl");
});
