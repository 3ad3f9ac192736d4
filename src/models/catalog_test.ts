import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CATALOG_SCHEMA_VERSION,
  CatalogError,
  catalogFileUrl,
  DEFAULT_CATALOG_PATH,
  findCatalogEntry,
  isSha256Hex,
  loadCatalog,
  parseCatalog,
  validateModelId,
} from "./catalog.ts";
import { createTempDir } from "../../tests/support/temp_dir.ts";

/** The team's shared folder beside the repository (optional: the medium config lives only there). */
const SHARED_CONFIGS = new URL("../../../shared/models/piper-configs", import.meta.url).pathname;
const FIXTURE_LESSAC_LOW = new URL(
  "../../tests/fixtures/piper-configs/en_US-lessac-low.onnx.json",
  import.meta.url,
);
const hasSharedConfigs = (() => {
  try {
    return Deno.statSync(SHARED_CONFIGS).isDirectory;
  } catch {
    return false;
  }
})();

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function rawCatalog(): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(DEFAULT_CATALOG_PATH));
}

/** The real catalogue with one voice changed by `edit`. */
async function withEditedVoice(
  edit: (voice: Record<string, unknown>, voices: unknown[]) => void,
): Promise<Record<string, unknown>> {
  const raw = await rawCatalog();
  const voices = raw.voices as Record<string, unknown>[];
  edit(voices[0], voices);
  return raw;
}

Deno.test("the shipped catalogue loads and lists the required voices", async () => {
  const catalog = await loadCatalog();
  assert.equal(catalog.schemaVersion, CATALOG_SCHEMA_VERSION);
  assert.equal(catalog.source.repository, "rhasspy/piper-voices");
  for (
    const id of [
      "en_US-lessac-low",
      "en_US-lessac-medium",
      "en_US-amy-low",
      "en_US-amy-medium",
      "en_GB-alan-low",
      "en_US-libritts_r-medium",
    ]
  ) {
    assert.ok(findCatalogEntry(catalog, id), `${id} missing from the catalogue`);
  }
  const multi = catalog.voices.filter((v) => v.speakers > 1).map((v) => v.id);
  assert.ok(multi.includes("en_US-libritts_r-medium"), `multi-speaker voices: ${multi}`);
  for (const v of catalog.voices) {
    assert.ok(v.model.path.endsWith(`/${v.id}.onnx`), v.model.path);
    assert.equal(v.config.path, `${v.model.path}.json`);
    assert.ok([16000, 22050].includes(v.sampleRate), `${v.id}: ${v.sampleRate}`);
    // Piper ids are `<lang>-<name>-<quality>`; x_low and low voices run at 16 kHz.
    assert.equal(v.quality, v.id.split("-").at(-1));
    assert.equal(v.sampleRate, v.quality.endsWith("low") ? 16000 : 22050);
  }
});

Deno.test("the committed lessac-low config fixture is upstream's file, by the catalogue's digest", async () => {
  const bytes = await Deno.readFile(FIXTURE_LESSAC_LOW);
  const entry = findCatalogEntry(await loadCatalog(), "en_US-lessac-low")!;
  assert.equal(await sha256Hex(bytes), entry.config.sha256);
  assert.equal(bytes.byteLength, entry.config.sizeBytes);
});

Deno.test("catalogue digests agree with the real configs in shared/", {
  ignore: !hasSharedConfigs,
}, async () => {
  const catalog = await loadCatalog();
  // en_US-lessac-low.onnx.json in shared/ is byte-identical to upstream.
  const low = await Deno.readFile(join(SHARED_CONFIGS, "en_US-lessac-low.onnx.json"));
  const lowEntry = findCatalogEntry(catalog, "en_US-lessac-low")!;
  assert.equal(await sha256Hex(low), lowEntry.config.sha256);
  assert.equal(low.byteLength, lowEntry.config.sizeBytes);
  // The medium one differs from upstream only by length_scale 1.2 (upstream: 1); undoing that
  // one edit must give back the upstream digest and size.
  const medium = await Deno.readTextFile(join(SHARED_CONFIGS, "en_US-lessac-medium.onnx.json"));
  assert.equal(medium.split('"length_scale": 1.2,').length, 2);
  const upstream = new TextEncoder().encode(
    medium.replace('"length_scale": 1.2,', '"length_scale": 1,'),
  );
  const mediumEntry = findCatalogEntry(catalog, "en_US-lessac-medium")!;
  assert.equal(await sha256Hex(upstream), mediumEntry.config.sha256);
  assert.equal(upstream.byteLength, mediumEntry.config.sizeBytes);
});

Deno.test("catalogFileUrl builds Hugging Face URLs, or mirror URLs from a base URL", async () => {
  const catalog = await loadCatalog();
  const entry = findCatalogEntry(catalog, "en_US-lessac-medium")!;
  assert.equal(
    catalogFileUrl(entry, entry.model),
    `https://huggingface.co/rhasspy/piper-voices/resolve/${entry.revision}` +
      "/en/en_US/lessac/medium/en_US-lessac-medium.onnx",
  );
  assert.equal(
    catalogFileUrl(entry, entry.config, "http://127.0.0.1:8080/voices/"),
    "http://127.0.0.1:8080/voices/en/en_US/lessac/medium/en_US-lessac-medium.onnx.json",
  );
});

Deno.test("validateModelId accepts plain ids and rejects path tricks", () => {
  for (const ok of ["en_US-lessac-medium", "espeak-en-us", "a", "v1.2_x-y", "x".repeat(128)]) {
    assert.equal(validateModelId(ok), null, ok);
  }
  for (
    const bad of [
      "",
      "../../etc/passwd",
      "..",
      "a..b",
      ".hidden",
      "a/b",
      "a\\b",
      "/etc/passwd",
      "C:evil",
      "a b",
      "a\0b",
      "voix-é",
      "x".repeat(129),
    ]
  ) {
    const message = validateModelId(bad);
    assert.equal(typeof message, "string", `${JSON.stringify(bad)} accepted`);
  }
  assert.match(validateModelId(42)!, /string/);
});

Deno.test("isSha256Hex wants exactly 64 lower-case hex digits", () => {
  assert.ok(isSha256Hex("a".repeat(64)));
  assert.ok(!isSha256Hex("A".repeat(64)));
  assert.ok(!isSha256Hex("a".repeat(63)));
  assert.ok(!isSha256Hex("g".repeat(64)));
  assert.ok(!isSha256Hex(null));
});

Deno.test("parseCatalog rejects broken catalogues with a message naming the fault", async () => {
  const cases: [string, (v: Record<string, unknown>, all: unknown[]) => void, RegExp][] = [
    ["bad sha256", (v) => (v.model as Record<string, unknown>).sha256 = "abc", /sha256/],
    ["upper-case sha256", (v) => {
      const m = v.model as Record<string, string>;
      m.sha256 = m.sha256.toUpperCase();
    }, /sha256/],
    ["missing size", (v) => delete (v.config as Record<string, unknown>).size_bytes, /size_bytes/],
    ["negative size", (v) => (v.model as Record<string, unknown>).size_bytes = -1, /size_bytes/],
    ["traversal id", (v) => v.id = "../../etc/passwd", /may only contain/],
    ["dot-dot id", (v) => v.id = "a..b", /'\.\.'/],
    ["reserved id", (v) => v.id = "espeak-en-us", /built in/],
    ["traversal path", (v) => {
      (v.model as Record<string, unknown>).path = "en/../../../etc/x.onnx";
    }, /path/],
    ["absolute path", (v) => (v.model as Record<string, unknown>).path = "/etc/x.onnx", /path/],
    [
      "wrong suffix",
      (v) => (v.config as Record<string, unknown>).path = "a/b.json",
      /\.onnx\.json/,
    ],
    ["wrong family", (v) => v.family = "vits", /family/],
    ["no languages", (v) => v.languages = [], /languages/],
    ["fractional rate", (v) => v.sample_rate = 22050.5, /sample_rate/],
    ["bad revision", (v) => v.revision = "../main", /revision/],
    ["no model", (v) => delete v.model, /model/],
    ["duplicate id", (v, all) => all.push(structuredClone(v)), /duplicate id/],
    ["entry not an object", (_v, all) => all.push("en_US-x"), /must be an object/],
  ];
  for (const [name, edit, pattern] of cases) {
    const data = await withEditedVoice(edit);
    assert.throws(() => parseCatalog(data, "test.json"), (error: unknown) => {
      assert.ok(error instanceof CatalogError, `${name}: ${error}`);
      assert.match(error.message, pattern, name);
      assert.match(error.message, /^test\.json/, name);
      return true;
    }, name);
  }
});

Deno.test("parseCatalog checks the top level and schema version", async () => {
  const raw = await rawCatalog();
  assert.throws(() => parseCatalog([], "c"), /top level/);
  assert.throws(() => parseCatalog({ ...raw, schema_version: 2 }, "c"), /schema_version.*got 2/);
  assert.throws(() => parseCatalog({ ...raw, schema_version: undefined }, "c"), /schema_version/);
  assert.throws(() => parseCatalog({ ...raw, voices: {} }, "c"), /voices/);
  assert.throws(
    () => parseCatalog({ ...raw, source: { repository: "x", base_url: "ftp://x" } }, "c"),
    /base_url/,
  );
});

Deno.test("a null sha256 is accepted (a digest that could not be found)", async () => {
  const data = await withEditedVoice((v) => {
    (v.model as Record<string, unknown>).sha256 = null;
    v.note = "no published digest";
  });
  const catalog = parseCatalog(data);
  assert.equal(catalog.voices[0].model.sha256, null);
  assert.equal(catalog.voices[0].note, "no published digest");
});

Deno.test("loadCatalog reports missing files and invalid JSON with the path", async () => {
  await using dir = await createTempDir("catalog_test_");
  const missing = join(dir.path, "nope.json");
  await assert.rejects(() => loadCatalog(missing), (e: unknown) => {
    assert.ok(e instanceof CatalogError);
    assert.match(e.message, /nope\.json: file not found/);
    return true;
  });
  const broken = join(dir.path, "broken.json");
  await Deno.writeTextFile(broken, '{"schema_version": 1, "voices": [');
  await assert.rejects(() => loadCatalog(broken), /broken\.json is not valid JSON/);
});
