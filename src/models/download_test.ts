import assert from "node:assert/strict";
import { join } from "node:path";
import { type CatalogEntry, parseCatalog } from "./catalog.ts";
import {
  DownloadError,
  type DownloadProgress,
  IntegrityError,
  PARTIAL_SUFFIX,
  pullModel,
} from "./download.ts";
import { ModelStore } from "./model_store.ts";
import { createTempDir } from "../../tests/support/temp_dir.ts";

const CHUNK = 64 * 1024;

/** Deterministic pseudo-random bytes (a stand-in for voice weights). */
function weights(length: number, seed: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface TestServer {
  readonly baseUrl: string;
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 serving `files` (path -> bytes) in 64 KiB chunks, with
 * Content-Length unless `omitLength` is set. Unknown paths get 404.
 */
function serveFiles(files: Map<string, Uint8Array>, omitLength = false): TestServer {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requests.push(path);
    const body = files.get(path);
    if (!body) return new Response("not found", { status: 404 });
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= body.length) return controller.close();
        controller.enqueue(body.slice(offset, offset + CHUNK));
        offset += CHUNK;
      },
    });
    const headers: Record<string, string> = omitLength
      ? {}
      : { "content-length": String(body.length) };
    return new Response(stream, { headers });
  });
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}/mirror`,
    requests,
    close: () => server.shutdown(),
  };
}

interface Fixture {
  readonly entry: CatalogEntry;
  readonly model: Uint8Array<ArrayBuffer>;
  readonly config: Uint8Array<ArrayBuffer>;
  readonly files: Map<string, Uint8Array>;
}

async function fixture(
  overrides: { modelSha?: string; modelSize?: number } = {},
): Promise<Fixture> {
  const model = weights(300_000, 7);
  const config = new TextEncoder().encode(
    JSON.stringify({ audio: { sample_rate: 22050, quality: "medium" }, num_speakers: 1 }),
  );
  const catalog = parseCatalog({
    schema_version: 1,
    source: { repository: "test/voices", base_url: "http://127.0.0.1:9/unused" },
    voices: [{
      id: "xx_XX-test-medium",
      family: "piper",
      languages: ["xx-xx"],
      quality: "medium",
      sample_rate: 22050,
      speakers: 1,
      license: "CC0-1.0",
      revision: "main",
      model: {
        path: "xx/xx_XX/test/medium/xx_XX-test-medium.onnx",
        size_bytes: overrides.modelSize ?? model.length,
        sha256: overrides.modelSha ?? await sha256Hex(model),
      },
      config: {
        path: "xx/xx_XX/test/medium/xx_XX-test-medium.onnx.json",
        size_bytes: config.length,
        sha256: await sha256Hex(config),
      },
    }],
  });
  const files = new Map<string, Uint8Array>([
    ["/mirror/xx/xx_XX/test/medium/xx_XX-test-medium.onnx", model],
    ["/mirror/xx/xx_XX/test/medium/xx_XX-test-medium.onnx.json", config],
  ]);
  return { entry: catalog.voices[0], model, config, files };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  await using dir = await createTempDir("download_test_");
  await fn(dir.path);
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

Deno.test("pullModel downloads, verifies and stores both files, reporting progress", async () => {
  const fx = await fixture();
  const server = serveFiles(fx.files);
  try {
    await withTempDir(async (dir) => {
      const modelsDir = join(dir, "models");
      const progress: DownloadProgress[] = [];
      const result = await pullModel(fx.entry, modelsDir, {
        baseUrl: server.baseUrl,
        onProgress: (p) => progress.push(p),
      });
      assert.equal(result.skipped, false);
      assert.equal(result.verified, true);
      assert.equal(result.sha256, await sha256Hex(fx.model));
      assert.deepEqual(await Deno.readFile(result.modelPath), fx.model);
      assert.deepEqual(await Deno.readFile(result.configPath), fx.config);
      assert.deepEqual(await listDir(modelsDir), [
        "xx_XX-test-medium.onnx",
        "xx_XX-test-medium.onnx.json",
      ]);
      assert.deepEqual(server.requests, [
        "/mirror/xx/xx_XX/test/medium/xx_XX-test-medium.onnx.json",
        "/mirror/xx/xx_XX/test/medium/xx_XX-test-medium.onnx",
      ]);

      // Progress: config then model, never decreasing, ending at the total.
      const total = fx.model.length + fx.config.length;
      assert.ok(progress.length > 5, `only ${progress.length} progress reports`);
      for (let i = 1; i < progress.length; i++) {
        assert.ok(progress[i].overallReceivedBytes >= progress[i - 1].overallReceivedBytes);
        if (progress[i].file === progress[i - 1].file) {
          assert.ok(progress[i].receivedBytes >= progress[i - 1].receivedBytes);
        }
      }
      assert.deepEqual([...new Set(progress.map((p) => p.file))], ["config", "model"]);
      const last = progress.at(-1)!;
      assert.equal(last.overallReceivedBytes, total);
      assert.equal(last.overallTotalBytes, total);
      assert.equal(last.receivedBytes, fx.model.length);
      assert.equal(last.fileName, "xx_XX-test-medium.onnx");

      // The store now sees the voice as downloaded and intact.
      const store = new ModelStore({ modelsDir });
      const found = await store.resolve("xx_XX-test-medium");
      assert.equal(found?.downloaded, true);
      assert.equal(found?.sampleRate, 22050);

      // Pulling again finds intact files and downloads nothing.
      const again = await pullModel(fx.entry, modelsDir, { baseUrl: server.baseUrl });
      assert.equal(again.skipped, true);
      assert.equal(server.requests.length, 2);
      // ... unless forced.
      await pullModel(fx.entry, modelsDir, { baseUrl: server.baseUrl, force: true });
      assert.equal(server.requests.length, 4);
    });
  } finally {
    await server.close();
  }
});

Deno.test("pullModel works without Content-Length and with an injected fetch", async () => {
  const fx = await fixture();
  const server = serveFiles(fx.files, true);
  try {
    await withTempDir(async (dir) => {
      const seen: string[] = [];
      const countingFetch: typeof fetch = (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      };
      const result = await pullModel(fx.entry, dir, {
        baseUrl: server.baseUrl,
        fetch: countingFetch,
      });
      assert.deepEqual(await Deno.readFile(result.modelPath), fx.model);
      assert.equal(seen.length, 2);
      assert.ok(seen.every((u) => u.startsWith(server.baseUrl)));
    });
  } finally {
    await server.close();
  }
});

Deno.test("pullModel rejects a hash mismatch and leaves no file behind", async () => {
  const wrong = "ab".repeat(32);
  const fx = await fixture({ modelSha: wrong });
  const server = serveFiles(fx.files);
  try {
    await withTempDir(async (dir) => {
      const actual = await sha256Hex(fx.model);
      await assert.rejects(
        () => pullModel(fx.entry, dir, { baseUrl: server.baseUrl }),
        (error: unknown) => {
          assert.ok(error instanceof IntegrityError, String(error));
          assert.equal(error.check, "sha256");
          assert.equal(error.expected, wrong);
          assert.equal(error.actual, actual);
          assert.ok(error.message.includes(wrong) && error.message.includes(actual));
          return true;
        },
      );
      assert.deepEqual(await listDir(dir), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("pullModel rejects a size that differs from the catalogue", async () => {
  const fx = await fixture({ modelSize: 299_999 });
  for (const omitLength of [false, true]) {
    const server = serveFiles(fx.files, omitLength);
    try {
      await withTempDir(async (dir) => {
        await assert.rejects(
          () => pullModel(fx.entry, dir, { baseUrl: server.baseUrl }),
          (error: unknown) => {
            assert.ok(error instanceof IntegrityError, String(error));
            assert.equal(error.check, "size");
            assert.equal(error.expected, "299999");
            return true;
          },
        );
        assert.deepEqual(await listDir(dir), []);
      });
    } finally {
      await server.close();
    }
  }
});

Deno.test("pullModel reports HTTP 404 with its status and keeps nothing", async () => {
  const fx = await fixture();
  // Only the config is served: the model request gets 404 after the config succeeded.
  const files = new Map([...fx.files].filter(([path]) => path.endsWith(".json")));
  const server = serveFiles(files);
  try {
    await withTempDir(async (dir) => {
      await assert.rejects(
        () => pullModel(fx.entry, dir, { baseUrl: server.baseUrl }),
        (error: unknown) => {
          assert.ok(error instanceof DownloadError, String(error));
          assert.equal(error.status, 404);
          assert.match(error.message, /HTTP 404/);
          assert.match(error.url, /xx_XX-test-medium\.onnx$/);
          return true;
        },
      );
      assert.deepEqual(await listDir(dir), []);
      assert.ok(!(await listDir(dir)).some((n) => n.endsWith(PARTIAL_SUFFIX)));
    });
  } finally {
    await server.close();
  }
});

Deno.test("pullModel reports a refused connection as a DownloadError without status", async () => {
  const fx = await fixture();
  const server = serveFiles(fx.files);
  const baseUrl = server.baseUrl;
  await server.close();
  await withTempDir(async (dir) => {
    await assert.rejects(
      () => pullModel(fx.entry, dir, { baseUrl }),
      (error: unknown) => {
        assert.ok(error instanceof DownloadError, String(error));
        assert.equal(error.status, undefined);
        assert.match(error.message, /cannot fetch http:\/\/127\.0\.0\.1/);
        return true;
      },
    );
  });
});

Deno.test("pullModel refuses an entry whose id is not a plain file name", async () => {
  const fx = await fixture();
  const evil = { ...fx.entry, id: "../escape" };
  await withTempDir(async (dir) => {
    await assert.rejects(() => pullModel(evil, join(dir, "models")), /may only contain/);
    assert.deepEqual(await listDir(dir), []);
  });
});
