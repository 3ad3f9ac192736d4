import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { type Catalog, DEFAULT_CATALOG_PATH, loadCatalog, parseCatalog } from "./catalog.ts";
import {
  BUILTIN_ESPEAK_MODELS,
  DEFAULT_MODEL_ID,
  type ModelDescriptor,
  ModelStore,
  ModelVerificationError,
  usableLanguages,
  validateModelId,
} from "./model_store.ts";
import { parsePiperConfig } from "../engines/piper/piper_config.ts";
import { createTempDir } from "../../tests/support/temp_dir.ts";

/** A Piper voice config with the fields the store reads (real layout, trimmed map). */
function piperConfig(sampleRate: number, speakers = 1, languageCode = "en_US"): string {
  return JSON.stringify({
    audio: { sample_rate: sampleRate, quality: sampleRate === 16000 ? "low" : "medium" },
    espeak: { voice: languageCode.toLowerCase().replace("_", "-") },
    inference: { noise_scale: 0.667, length_scale: 1, noise_w: 0.8 },
    phoneme_type: "espeak",
    phoneme_id_map: { "_": [0], "^": [1], "$": [2], " ": [3] },
    num_symbols: 256,
    num_speakers: speakers,
    speaker_id_map: speakers > 1 ? { a: 0, b: 1 } : {},
    language: { code: languageCode },
  });
}

function fakeWeights(seed: number, length = 4096): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function write(root: string, rel: string, data: string | Uint8Array): Promise<void> {
  const path = join(root, rel);
  await Deno.mkdir(dirname(path), { recursive: true });
  if (typeof data === "string") await Deno.writeTextFile(path, data);
  else await Deno.writeFile(path, data);
}

function catalogWith(
  voices: {
    id: string;
    size: number;
    sha256: string | null;
    rate?: number;
    config?: { size: number; sha256: string | null };
  }[],
): Catalog {
  return parseCatalog({
    schema_version: 1,
    source: { repository: "test/voices", base_url: "http://127.0.0.1:1/resolve" },
    voices: voices.map((v) => ({
      id: v.id,
      family: "piper",
      languages: ["en-us"],
      quality: "low",
      sample_rate: v.rate ?? 16000,
      speakers: 1,
      license: "CC0-1.0",
      revision: "main",
      model: { path: `x/${v.id}.onnx`, size_bytes: v.size, sha256: v.sha256 },
      config: {
        path: `x/${v.id}.onnx.json`,
        size_bytes: v.config?.size ?? 100,
        sha256: v.config?.sha256 ?? null,
      },
    })),
  });
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  await using dir = await createTempDir("model_store_test_");
  await fn(dir.path);
}

function byId(models: readonly ModelDescriptor[], id: string): ModelDescriptor | undefined {
  return models.find((m) => m.id === id);
}

Deno.test("scan finds valid pairs, also in subfolders, and reports malformed voices", async () => {
  await withTempDir(async (root) => {
    const models = join(root, "models");
    const good = fakeWeights(1);
    await write(models, "en_US-good-low.onnx", good);
    await write(models, "en_US-good-low.onnx.json", piperConfig(16000));
    await write(models, "nested/deeper/en_GB-multi-medium.onnx", fakeWeights(2));
    await write(
      models,
      "nested/deeper/en_GB-multi-medium.onnx.json",
      piperConfig(22050, 2, "en_GB"),
    );
    await write(models, "en_US-noconf-low.onnx", fakeWeights(3));
    await write(models, "en_US-broken-low.onnx", fakeWeights(4));
    await write(models, "en_US-broken-low.onnx.json", '{"audio": {"sample_rate": 22050,');
    await write(models, "en_US-norate-low.onnx", fakeWeights(5));
    await write(models, "en_US-norate-low.onnx.json", '{"audio": {}}');
    await write(models, "orphan-low.onnx.json", piperConfig(16000));
    await write(models, "bad id!.onnx", fakeWeights(6));
    await write(models, "bad id!.onnx.json", piperConfig(16000));
    await write(models, "espeak-fake.onnx", fakeWeights(7));
    await write(models, "espeak-fake.onnx.json", piperConfig(16000));
    await write(models, "other/en_US-good-low.onnx", fakeWeights(8));
    await write(models, "other/en_US-good-low.onnx.json", piperConfig(16000));
    await write(models, "en_US-half-low.onnx.partial", fakeWeights(9));
    await write(models, "README.md", "not a voice");

    const store = new ModelStore({ modelsDir: models, catalog: null });
    const { models: found, problems } = await store.scan();

    const goodModel = byId(found, "en_US-good-low");
    assert.ok(goodModel);
    assert.equal(goodModel.family, "piper");
    assert.equal(goodModel.downloaded, true);
    assert.equal(goodModel.sampleRate, 16000);
    assert.equal(goodModel.quality, "low");
    assert.deepEqual(goodModel.languages, ["en-us"]);
    assert.equal(goodModel.voiceName, "en-us");
    assert.equal(goodModel.modelPath, join(models, "en_US-good-low.onnx"));
    assert.equal(goodModel.configPath, join(models, "en_US-good-low.onnx.json"));
    const configBytes = (await Deno.stat(join(models, "en_US-good-low.onnx.json"))).size;
    assert.equal(goodModel.sizeBytes, good.length + configBytes);
    assert.equal(goodModel.license, "unknown");
    assert.equal(goodModel.sha256, null);

    assert.equal(goodModel.numSpeakers, 1);
    assert.deepEqual(goodModel.speakers, []);

    const multi = byId(found, "en_GB-multi-medium");
    assert.ok(multi);
    assert.equal(multi.numSpeakers, 2);
    assert.deepEqual(multi.speakers, ["a", "b"]);
    assert.equal(multi.sampleRate, 22050);
    assert.deepEqual(multi.languages, ["en-gb"]);

    for (const id of ["en_US-noconf-low", "en_US-broken-low", "en_US-norate-low", "orphan-low"]) {
      assert.equal(byId(found, id), undefined, `${id} should not be listed`);
    }
    assert.equal(byId(found, "en_US-half-low"), undefined);
    assert.equal(byId(found, "espeak-fake"), undefined);

    const reasons = new Map(problems.map((p) => [p.path, p.reason]));
    assert.match(reasons.get("en_US-noconf-low.onnx")!, /missing config/);
    assert.match(reasons.get("en_US-broken-low.onnx.json")!, /not valid JSON/);
    assert.match(reasons.get("en_US-norate-low.onnx.json")!, /sample_rate/);
    assert.match(reasons.get("orphan-low.onnx.json")!, /config without model/);
    assert.match(reasons.get("bad id!.onnx")!, /may only contain/);
    assert.match(reasons.get("espeak-fake.onnx")!, /built in/);
    assert.match(reasons.get(join("other", "en_US-good-low.onnx"))!, /duplicate id/);
    assert.equal(problems.length, 7, JSON.stringify(problems));
  });
});

/** `piperConfig(22050)` with `edit` applied to its parsed JSON. */
function editedConfig(edit: (config: Record<string, unknown>) => void): string {
  const config = JSON.parse(piperConfig(22050));
  edit(config);
  return JSON.stringify(config);
}

/** What the Piper engine's config parser says about a config, or `null` when it takes it. */
function parserVerdict(text: string, source: string): string | null {
  try {
    parsePiperConfig(JSON.parse(text), source);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

Deno.test("scan leaves out a voice whose config the Piper engine rejects, with the parser's reason", async () => {
  await withTempDir(async (models) => {
    // Each config is valid JSON with a sample rate and speaker count, but can never load.
    const cases: Record<string, { config: string; reason: RegExp }> = {
      "en_US-noidmap-low": {
        config: editedConfig((c) => delete c.phoneme_id_map),
        reason: /field "phoneme_id_map" must be an object, got nothing \(missing\)/,
      },
      "en_US-noeos-low": {
        config: editedConfig((c) => c.phoneme_id_map = { "_": [0], "^": [1] }),
        reason: /field "phoneme_id_map" lacks the required symbol "\$"/,
      },
      "en_US-slow-low": {
        config: editedConfig((c) => (c.inference as Record<string, unknown>).length_scale = 11),
        reason: /field "inference\.length_scale" must be a number > 0 and <= 10, got 11/,
      },
      "en_US-noisy-low": {
        config: editedConfig((c) => (c.inference as Record<string, unknown>).noise_w = 2.5),
        reason: /field "inference\.noise_w" must be a number from 0 to 2, got 2\.5/,
      },
      "en_US-novoice-low": {
        config: editedConfig((c) => delete c.espeak),
        reason: /field "espeak\.voice" must be a non-empty string/,
      },
      "en_US-badspeaker-low": {
        config: editedConfig((c) => c.speaker_id_map = { a: 0, b: 1 }),
        reason: /field "speaker_id_map\["b"\]" is 1, not below num_speakers 1/,
      },
    };
    for (const [id, { config }] of Object.entries(cases)) {
      await write(models, `${id}.onnx`, fakeWeights(71));
      await write(models, `${id}.onnx.json`, config);
    }
    await write(models, "en_US-fine-low.onnx", fakeWeights(72));
    await write(models, "en_US-fine-low.onnx.json", piperConfig(22050));

    const store = new ModelStore({ modelsDir: models, catalog: null });
    const { models: found, problems } = await store.scan();
    assert.equal(byId(found, "en_US-fine-low")?.downloaded, true);
    for (const [id, { config, reason }] of Object.entries(cases)) {
      assert.equal(byId(found, id), undefined, `${id} should not be listed`);
      assert.equal(await store.resolve(id), undefined, `${id} should not resolve`);
      const problem = problems.find((p) => p.id === id);
      assert.ok(problem, `${id}: no problem reported in ${JSON.stringify(problems)}`);
      assert.equal(problem.path, `${id}.onnx.json`);
      assert.match(problem.reason, reason);
      // Word for word what the engine's parser says, so ListModels and LoadModel agree.
      assert.equal(problem.reason, parserVerdict(config, problem.path));
    }
    assert.equal(problems.length, Object.keys(cases).length, JSON.stringify(problems));
  });
});

Deno.test("a catalogue voice whose local config the parser rejects is listed as not downloaded", async () => {
  await withTempDir(async (models) => {
    const weights = fakeWeights(81);
    await write(models, "en_US-cat-low.onnx", weights);
    const config = editedConfig((c) => (c.inference as Record<string, unknown>).noise_scale = -1);
    await write(models, "en_US-cat-low.onnx.json", config);
    const catalog = catalogWith([
      { id: "en_US-cat-low", size: weights.length, sha256: await sha256Hex(weights), rate: 16000 },
    ]);
    const store = new ModelStore({ modelsDir: models, catalog });
    const { models: found, problems } = await store.scan();
    // As for a config that is not JSON: the catalogue's entry, as if the files were not there.
    const listed = byId(found, "en_US-cat-low");
    assert.ok(listed);
    assert.equal(listed.downloaded, false);
    assert.equal(listed.modelPath, undefined);
    assert.equal(listed.configPath, undefined);
    assert.equal(listed.sampleRate, 16000, "the catalogue's rate, not the local config's");
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0].id, "en_US-cat-low");
    assert.equal(problems[0].path, "en_US-cat-low.onnx.json");
    assert.match(problems[0].reason, /field "inference\.noise_scale" must be a number from 0 to 2/);
    const resolved = (await store.resolve("en_US-cat-low"))!;
    assert.equal((await store.check(resolved)).status, "missing");
    await assert.rejects(() => store.verify(resolved), ModelVerificationError);
  });
});

Deno.test("scan takes a voice's details from the parsed config", async () => {
  await withTempDir(async (models) => {
    // No language code: the languages come from the espeak voice.
    await write(models, "xx_XX-nocode-low.onnx", fakeWeights(91));
    await write(models, "xx_XX-nocode-low.onnx.json", editedConfig((c) => delete c.language));
    // Phonemes from text: no espeak voice needed, none named.
    await write(models, "xx_XX-text-low.onnx", fakeWeights(92));
    await write(
      models,
      "xx_XX-text-low.onnx.json",
      editedConfig((c) => {
        c.phoneme_type = "text";
        delete c.espeak;
        delete c.language;
        delete c.num_speakers;
        c.audio = { sample_rate: 16000 };
      }),
    );
    const { models: found, problems } = await new ModelStore({ modelsDir: models, catalog: null })
      .scan();
    assert.deepEqual(problems, []);
    const noCode = byId(found, "xx_XX-nocode-low")!;
    assert.deepEqual(noCode.languages, ["en-us"]);
    assert.equal(noCode.voiceName, "en-us");
    assert.equal(noCode.quality, "medium");
    const text = byId(found, "xx_XX-text-low")!;
    assert.deepEqual(text.languages, []);
    assert.equal(text.voiceName, undefined);
    assert.equal(text.quality, "");
    assert.equal(text.sampleRate, 16000);
    assert.equal(text.numSpeakers, 1);
    assert.deepEqual(text.speakers, []);
  });
});

Deno.test("scan lists the built-in espeak voices first, and a missing models dir is empty", async () => {
  await withTempDir(async (root) => {
    const store = new ModelStore({ modelsDir: join(root, "does-not-exist"), catalog: null });
    const { models, problems } = await store.scan();
    assert.deepEqual(problems, []);
    assert.deepEqual(models.map((m) => m.id), [
      "espeak-en-us",
      "espeak-en-gb",
      "espeak-de",
      "espeak-fr",
      "espeak-es",
    ]);
    for (const m of models) {
      assert.equal(m.family, "espeak");
      assert.equal(m.sampleRate, 22050);
      assert.equal(m.license, "GPL-3.0-or-later");
      assert.equal(m.quality, "low");
      assert.equal(m.downloaded, true);
      assert.equal(m.modelPath, undefined);
      assert.equal(m.id, `espeak-${m.voiceName}`);
    }
    assert.equal(DEFAULT_MODEL_ID, BUILTIN_ESPEAK_MODELS[0].id);
  });
});

Deno.test("scan merges the catalogue: downloaded entries get local paths, others do not", async () => {
  await withTempDir(async (models) => {
    const weights = fakeWeights(11);
    await write(models, "en_US-here-low.onnx", weights);
    await write(models, "en_US-here-low.onnx.json", piperConfig(16000));
    const sha = await sha256Hex(weights);
    const catalog = catalogWith([
      { id: "en_US-here-low", size: weights.length, sha256: sha },
      { id: "en_US-away-medium", size: 63201294, sha256: "0".repeat(64), rate: 22050 },
    ]);
    const { models: found } = await new ModelStore({ modelsDir: models, catalog }).scan();
    const here = byId(found, "en_US-here-low")!;
    assert.equal(here.downloaded, true);
    assert.equal(here.sha256, sha);
    assert.equal(here.license, "CC0-1.0");
    assert.equal(here.modelPath, join(models, "en_US-here-low.onnx"));
    const away = byId(found, "en_US-away-medium")!;
    assert.equal(away.downloaded, false);
    assert.equal(away.modelPath, undefined);
    assert.equal(away.configPath, undefined);
    assert.equal(away.sizeBytes, 63201294 + 100);
    assert.equal(away.sampleRate, 22050);
  });
});

Deno.test("resolve finds voices and never leaves the models directory", async () => {
  await withTempDir(async (root) => {
    const models = join(root, "models");
    await write(models, "en_US-in-low.onnx", fakeWeights(21));
    await write(models, "en_US-in-low.onnx.json", piperConfig(16000));
    // A complete voice just outside the models directory.
    await write(root, "outside.onnx", fakeWeights(22));
    await write(root, "outside.onnx.json", piperConfig(16000));
    const store = new ModelStore({ modelsDir: models, catalog: null });
    assert.equal((await store.resolve("espeak-en-us"))?.family, "espeak");
    assert.equal((await store.resolve("en_US-in-low"))?.downloaded, true);
    assert.equal(await store.resolve("en_US-nothere-low"), undefined);
    for (const id of ["../outside", "..", "../../etc/passwd", "/etc/passwd", `${root}/outside`]) {
      assert.notEqual(validateModelId(id), null, id);
      assert.equal(await store.resolve(id), undefined, id);
    }
  });
});

Deno.test("verify checks the model file against the catalogue digest", async () => {
  await withTempDir(async (models) => {
    const weights = fakeWeights(31, 70000);
    const sha = await sha256Hex(weights);
    await write(models, "en_US-v-low.onnx", weights);
    await write(models, "en_US-v-low.onnx.json", piperConfig(16000));
    await write(models, "en_US-local-low.onnx", fakeWeights(32));
    await write(models, "en_US-local-low.onnx.json", piperConfig(16000));
    const catalog = catalogWith([
      { id: "en_US-v-low", size: weights.length, sha256: sha },
      { id: "en_US-gone-low", size: 10, sha256: "1".repeat(64) },
    ]);
    const store = new ModelStore({ modelsDir: models, catalog });

    const ok = await store.verify((await store.resolve("en_US-v-low"))!);
    assert.equal(ok.status, "verified");
    assert.equal(ok.actual, sha);
    assert.deepEqual(await store.check((await store.resolve("en_US-v-low"))!), ok);

    // Same size, one byte changed: only the digest can tell.
    const tampered = weights.slice();
    tampered[12345] ^= 0x01;
    await Deno.writeFile(join(models, "en_US-v-low.onnx"), tampered);
    const bad = await store.check((await store.resolve("en_US-v-low"))!);
    assert.equal(bad.status, "mismatch");
    assert.equal(bad.expected, sha);
    assert.equal(bad.actual, await sha256Hex(tampered));
    assert.match(bad.message, new RegExp(sha));
    await assert.rejects(
      async () => await store.verify((await store.resolve("en_US-v-low"))!),
      (error: unknown) => {
        assert.ok(error instanceof ModelVerificationError);
        assert.equal(error.result.status, "mismatch");
        assert.match(error.message, /pull it again/);
        return true;
      },
    );

    await Deno.writeFile(join(models, "en_US-v-low.onnx"), weights.subarray(0, 1000));
    const short = await store.check((await store.resolve("en_US-v-low"))!);
    assert.equal(short.status, "mismatch");
    assert.match(short.message, /1000 bytes/);

    const local = await store.verify((await store.resolve("en_US-local-low"))!);
    assert.equal(local.status, "unverifiable");
    assert.match(local.actual ?? "", /^[0-9a-f]{64}$/);

    const gone = (await store.resolve("en_US-gone-low"))!;
    assert.equal((await store.check(gone)).status, "missing");
    await assert.rejects(() => store.verify(gone), ModelVerificationError);
    assert.equal((await store.verify(BUILTIN_ESPEAK_MODELS[0])).status, "unverifiable");
  });
});

Deno.test("verify does not read a descriptor's file outside the models directory", async () => {
  await withTempDir(async (root) => {
    const models = join(root, "models");
    await Deno.mkdir(models);
    await write(root, "secret.onnx", "top secret");
    const store = new ModelStore({ modelsDir: models, catalog: null });
    const forged: ModelDescriptor = {
      id: "forged",
      family: "piper",
      languages: ["en-us"],
      sampleRate: 22050,
      quality: "low",
      sizeBytes: 10,
      license: "unknown",
      sha256: null,
      modelPath: join(models, "..", "secret.onnx"),
      downloaded: true,
      numSpeakers: 1,
      speakers: [],
    };
    const result = await store.check(forged);
    assert.equal(result.status, "missing");
    assert.equal(result.actual, null);
    assert.match(result.message, /outside the models directory/);
  });
});

Deno.test("a store made from a directory path uses the shipped catalogue", async () => {
  await withTempDir(async (models) => {
    const store = new ModelStore(models);
    const shipped = await loadCatalog(DEFAULT_CATALOG_PATH);
    assert.deepEqual(await store.catalog(), shipped);
    const listed = await store.list();
    for (const entry of shipped.voices) {
      const d = byId(listed, entry.id);
      assert.ok(d, entry.id);
      assert.equal(d.downloaded, false);
      assert.equal(d.sha256, entry.model.sha256);
      assert.equal(d.numSpeakers, entry.speakers);
    }
    assert.equal(listed.length, BUILTIN_ESPEAK_MODELS.length + shipped.voices.length);
  });
});

Deno.test("a broken catalogue is reported as a problem; the directory is still scanned", async () => {
  await withTempDir(async (root) => {
    const catalogPath = join(root, "catalog.json");
    await Deno.writeTextFile(catalogPath, "{ not json");
    await write(root, "models/en_US-ok-low.onnx", fakeWeights(41));
    await write(root, "models/en_US-ok-low.onnx.json", piperConfig(16000));
    const store = new ModelStore({ modelsDir: join(root, "models"), catalog: catalogPath });
    const { models, problems } = await store.scan();
    assert.equal(byId(models, "en_US-ok-low")?.downloaded, true);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].path, catalogPath);
    assert.match(problems[0].reason, /catalogue not used: .*not valid JSON/);
    assert.equal(await store.catalog(), null);
  });
});

Deno.test("check sees a file replaced by another of the same size with its mtime restored", async () => {
  await withTempDir(async (models) => {
    const weights = fakeWeights(51, 70000);
    const path = join(models, "en_US-r-low.onnx");
    await write(models, "en_US-r-low.onnx", weights);
    await write(models, "en_US-r-low.onnx.json", piperConfig(16000));
    const old = new Date(Date.now() - 60_000);
    await Deno.utime(path, old, old);
    const catalog = catalogWith([
      { id: "en_US-r-low", size: weights.length, sha256: await sha256Hex(weights) },
    ]);
    const store = new ModelStore({ modelsDir: models, catalog });
    const voice = (await store.resolve("en_US-r-low"))!;
    assert.equal((await store.check(voice)).status, "verified");

    // Another file (a new inode) of the same size, given the old modification time back, as
    // `cp -p`, `rsync -t` or a backup restore do.
    const corrupt = weights.slice();
    corrupt.fill(0, 100, 2000);
    await Deno.writeFile(`${path}.tmp`, corrupt);
    await Deno.rename(`${path}.tmp`, path);
    await Deno.utime(path, old, old);
    const after = await store.check(voice);
    assert.equal(after.status, "mismatch");
    assert.equal(after.actual, await sha256Hex(corrupt));
  });
});

Deno.test("check verifies the config against the catalogue's config digest", async () => {
  await withTempDir(async (models) => {
    const weights = fakeWeights(61, 5000);
    const configText = piperConfig(16000);
    const configBytes = new TextEncoder().encode(configText);
    const configSha = await sha256Hex(configBytes);
    const configPath = join(models, "en_US-c-low.onnx.json");
    await write(models, "en_US-c-low.onnx", weights);
    await write(models, "en_US-c-low.onnx.json", configText);
    await write(models, "en_US-nosha-low.onnx", weights);
    await write(models, "en_US-nosha-low.onnx.json", configText);
    const config = { size: configBytes.length, sha256: configSha };
    const catalog = catalogWith([
      { id: "en_US-c-low", size: weights.length, sha256: await sha256Hex(weights), config },
      { id: "en_US-nosha-low", size: weights.length, sha256: null, config },
    ]);
    const store = new ModelStore({ modelsDir: models, catalog });
    const voice = (await store.resolve("en_US-c-low"))!;
    const ok = await store.verify(voice);
    assert.equal(ok.status, "verified");
    assert.match(ok.message, /config sha256 OK/);

    // Same size, another length scale: only the config's digest can tell.
    const edited = configText.replace('"length_scale":1', '"length_scale":9');
    assert.equal(edited.length, configText.length);
    await Deno.writeTextFile(configPath, edited);
    const bad = await store.check(voice);
    assert.equal(bad.status, "mismatch");
    assert.equal(bad.expected, configSha);
    assert.equal(bad.actual, await sha256Hex(new TextEncoder().encode(edited)));
    assert.ok(bad.message.includes(configPath), bad.message);
    assert.match(bad.message, /pull it again/);
    await assert.rejects(() => store.verify(voice), ModelVerificationError);
    // A model without a catalogue digest is unverifiable, but its config is still checked.
    await Deno.writeTextFile(join(models, "en_US-nosha-low.onnx.json"), edited);
    const noSha = await store.check((await store.resolve("en_US-nosha-low"))!);
    assert.equal(noSha.status, "mismatch");

    await Deno.writeTextFile(configPath, `${configText}\n`);
    const longer = await store.check(voice);
    assert.equal(longer.status, "mismatch");
    assert.ok(longer.message.includes(configPath), longer.message);
    assert.match(longer.message, /bytes; the catalogue says/);

    await Deno.remove(configPath);
    assert.equal((await store.check(voice)).status, "missing");
  });
});

Deno.test("usableLanguages: built-in and downloaded voices' languages, once each, sorted", async () => {
  await using dir = await createTempDir("model_store_langs_");
  await Deno.writeTextFile(join(dir.path, "nl_NL-x-low.onnx"), "weights");
  await Deno.writeTextFile(join(dir.path, "nl_NL-x-low.onnx.json"), piperConfig(16000, 1, "nl_NL"));
  await Deno.writeTextFile(join(dir.path, "en_GB-x-low.onnx"), "weights");
  await Deno.writeTextFile(join(dir.path, "en_GB-x-low.onnx.json"), piperConfig(16000, 1, "en_GB"));
  const models = await new ModelStore(dir.path).list();
  assert.ok(models.some((m) => !m.downloaded && m.languages.includes("de-de")), "catalogue voice");
  assert.deepEqual(usableLanguages(models), ["de", "en-gb", "en-us", "es", "fr", "nl-nl"]);
  assert.deepEqual(usableLanguages([]), []);
});
