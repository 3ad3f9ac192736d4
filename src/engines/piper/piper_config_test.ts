import assert from "node:assert/strict";
import {
  loadPiperConfig,
  parsePiperConfig,
  PIPER_DEFAULT_SCALES,
  PIPER_MAX_LENGTH_SCALE,
  PIPER_MAX_NOISE,
} from "./piper_config.ts";

const LESSAC_LOW = new URL(
  "../../../tests/fixtures/piper-configs/en_US-lessac-low.onnx.json",
  import.meta.url,
).pathname;
/** The medium config lives only in the team's shared folder beside the repository. */
const LESSAC_MEDIUM = new URL(
  "../../../../shared/models/piper-configs/en_US-lessac-medium.onnx.json",
  import.meta.url,
).pathname;
const hasMedium = (() => {
  try {
    return Deno.statSync(LESSAC_MEDIUM).isFile;
  } catch {
    return false;
  }
})();
const TINY_MULTI = new URL(
  "../../../tests/fixtures/voices/en_US-tinymulti-low.onnx.json",
  import.meta.url,
).pathname;

type Json = Record<string, unknown>;

async function readJson(path: string): Promise<Json> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("parses the real lessac-low config", async () => {
  const raw = await readJson(LESSAC_LOW);
  const config = await loadPiperConfig(LESSAC_LOW);
  const audio = raw.audio as Json;
  const inference = raw.inference as Json;
  assert.equal(config.source, LESSAC_LOW);
  assert.equal(config.sampleRate, audio.sample_rate);
  assert.equal(config.sampleRate, 16000);
  assert.equal(config.quality, "low");
  assert.equal(config.phonemeType, "espeak");
  assert.equal(config.espeakVoice, "en-us");
  assert.equal(config.noiseScale, inference.noise_scale);
  assert.equal(config.lengthScale, inference.length_scale);
  assert.equal(config.noiseW, inference.noise_w);
  assert.equal(config.numSymbols, raw.num_symbols);
  assert.equal(config.numSpeakers, 1);
  assert.equal(config.speakerIdMap.size, 0);
  assert.equal(config.phonemeMap.size, 0);
  assert.equal(config.languageCode, "en_US");
  assert.equal(config.dataset, "lessac");
  const rawMap = raw.phoneme_id_map as Record<string, number[]>;
  assert.equal(config.phonemeIdMap.size, Object.keys(rawMap).length);
  for (const [phoneme, ids] of Object.entries(rawMap)) {
    assert.deepEqual(config.phonemeIdMap.get(phoneme), ids, `ids of ${phoneme}`);
  }
});

Deno.test({
  name: "parses the real lessac-medium config with its own rate and length scale",
  ignore: !hasMedium,
}, async () => {
  const low = await loadPiperConfig(LESSAC_LOW);
  const medium = await loadPiperConfig(LESSAC_MEDIUM);
  const raw = await readJson(LESSAC_MEDIUM);
  assert.equal(medium.sampleRate, (raw.audio as Json).sample_rate);
  assert.notEqual(medium.sampleRate, low.sampleRate);
  assert.equal(medium.lengthScale, (raw.inference as Json).length_scale);
  assert.equal(medium.quality, "medium");
  assert.deepEqual([...medium.phonemeIdMap], [...low.phonemeIdMap]);
});

Deno.test("parses a multi-speaker config's speakers", async () => {
  const raw = await readJson(TINY_MULTI);
  const config = await loadPiperConfig(TINY_MULTI);
  assert.equal(config.numSpeakers, raw.num_speakers);
  assert.ok(config.numSpeakers > 1);
  assert.deepEqual(Object.fromEntries(config.speakerIdMap), raw.speaker_id_map);
});

Deno.test("fills Piper's default scales when a config has no inference section", async () => {
  const raw = await readJson(LESSAC_LOW);
  delete raw.inference;
  delete raw.phoneme_type;
  const config = parsePiperConfig(raw, "mem.onnx.json");
  assert.equal(config.noiseScale, PIPER_DEFAULT_SCALES.noiseScale);
  assert.equal(config.lengthScale, PIPER_DEFAULT_SCALES.lengthScale);
  assert.equal(config.noiseW, PIPER_DEFAULT_SCALES.noiseW);
  assert.equal(config.phonemeType, "espeak");
});

Deno.test("bounds the inference scales, naming the field and the allowed range", async () => {
  const raw = await readJson(LESSAC_LOW);
  const inference = raw.inference as Json;
  const parse = () => parsePiperConfig(raw, "mem.onnx.json");
  for (const lengthScale of [10.01, 100, 1e30]) {
    inference.length_scale = lengthScale;
    assert.throws(parse, (e: Error) => {
      assert.match(e.message, /field "inference\.length_scale" must be a number > 0 and <= 10/);
      assert.match(e.message, /mem\.onnx\.json/);
      return true;
    });
  }
  inference.length_scale = PIPER_MAX_LENGTH_SCALE;
  assert.equal(parse().lengthScale, 10);
  inference.length_scale = 1.2;
  for (const field of ["noise_scale", "noise_w"]) {
    inference[field] = 2.01;
    assert.throws(parse, new RegExp(`field "inference\\.${field}" must be a number from 0 to 2`));
    for (const ok of [0, PIPER_MAX_NOISE]) {
      inference[field] = ok;
      parse();
    }
    inference[field] = 0.8;
  }
});

/** Each case breaks one field of the real config; the error must name that field and the file. */
const BROKEN: { name: string; field: string; breakIt: (raw: Json) => void }[] = [
  { name: "missing audio", field: "audio", breakIt: (raw) => delete raw.audio },
  {
    name: "missing sample rate",
    field: "audio.sample_rate",
    breakIt: (raw) => delete (raw.audio as Json).sample_rate,
  },
  {
    name: "sample rate as a string",
    field: "audio.sample_rate",
    breakIt: (raw) => (raw.audio as Json).sample_rate = "16000",
  },
  {
    name: "missing espeak voice",
    field: "espeak.voice",
    breakIt: (raw) => delete raw.espeak,
  },
  {
    name: "negative noise scale",
    field: "inference.noise_scale",
    breakIt: (raw) => (raw.inference as Json).noise_scale = -0.1,
  },
  {
    name: "zero length scale",
    field: "inference.length_scale",
    breakIt: (raw) => (raw.inference as Json).length_scale = 0,
  },
  {
    name: "length scale above 10",
    field: "inference.length_scale",
    breakIt: (raw) => (raw.inference as Json).length_scale = 100,
  },
  {
    name: "noise scale above 2",
    field: "inference.noise_scale",
    breakIt: (raw) => (raw.inference as Json).noise_scale = 2.5,
  },
  {
    name: "noise w above 2",
    field: "inference.noise_w",
    breakIt: (raw) => (raw.inference as Json).noise_w = 3,
  },
  {
    name: "negative noise w",
    field: "inference.noise_w",
    breakIt: (raw) => (raw.inference as Json).noise_w = -0.5,
  },
  {
    name: "missing phoneme id map",
    field: "phoneme_id_map",
    breakIt: (raw) => delete raw.phoneme_id_map,
  },
  {
    name: "id map without BOS",
    field: "phoneme_id_map",
    breakIt: (raw) => delete (raw.phoneme_id_map as Json)["^"],
  },
  {
    name: "id not below num_symbols",
    field: 'phoneme_id_map["a"]',
    breakIt: (raw) => (raw.phoneme_id_map as Json)["a"] = [256],
  },
  {
    name: "ids not an array",
    field: 'phoneme_id_map["a"]',
    breakIt: (raw) => (raw.phoneme_id_map as Json)["a"] = 14,
  },
  {
    name: "two-codepoint phoneme key",
    field: 'phoneme_id_map["ab"]',
    breakIt: (raw) => (raw.phoneme_id_map as Json)["ab"] = [14],
  },
  {
    name: "zero speakers",
    field: "num_speakers",
    breakIt: (raw) => raw.num_speakers = 0,
  },
  {
    name: "speaker id out of range",
    field: 'speaker_id_map["bob"]',
    breakIt: (raw) => raw.speaker_id_map = { bob: 1 },
  },
  {
    name: "phoneme map value not an array",
    field: 'phoneme_map["a"]',
    breakIt: (raw) => raw.phoneme_map = { a: "b" },
  },
];

for (const { name, field, breakIt } of BROKEN) {
  Deno.test(`rejects a config with ${name}, naming "${field}" and the file`, async () => {
    const raw = await readJson(LESSAC_LOW);
    breakIt(raw);
    const path = await Deno.makeTempFile({ suffix: ".onnx.json" });
    try {
      await Deno.writeTextFile(path, JSON.stringify(raw));
      const error = await loadPiperConfig(path).then(() => undefined, (e: Error) => e);
      assert.ok(error instanceof Error, "expected an error");
      assert.ok(error.message.includes(`"${field}"`), error.message);
      assert.ok(error.message.includes(path), error.message);
    } finally {
      await Deno.remove(path);
    }
  });
}

Deno.test("rejects a file that is not JSON, naming the file", async () => {
  const path = await Deno.makeTempFile({ suffix: ".onnx.json" });
  try {
    await Deno.writeTextFile(path, "{ not json");
    await assert.rejects(loadPiperConfig(path), (e: Error) => {
      assert.match(e.message, /not JSON/);
      assert.ok(e.message.includes(path));
      return true;
    });
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("rejects a missing file, naming it", async () => {
  const path = `${await Deno.makeTempDir()}/absent.onnx.json`;
  await assert.rejects(loadPiperConfig(path), (e: Error) => e.message.includes(path));
});
