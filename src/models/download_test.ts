import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type CatalogEntry, parseCatalog } from "./catalog.ts";
import {
  DownloadError,
  type DownloadProgress,
  IntegrityError,
  PARTIAL_SUFFIX,
  pullModel,
  STALE_PARTIAL_MS,
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
    JSON.stringify({
      audio: { sample_rate: 22050, quality: "medium" },
      espeak: { voice: "en-us" },
      phoneme_id_map: { "_": [0], "^": [1], "$": [2] },
      num_speakers: 1,
    }),
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
      assert.ok(!(await listDir(dir)).some((n) => n.includes(PARTIAL_SUFFIX)));
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

/**
 * A `fetch` serving a fixture's files in 16 KiB chunks that holds the model back once `holdAt`
 * bytes of it are sent, until `gate` resolves; an abort of the request errors the body.
 */
function gatedFetch(fx: Fixture, holdAt: number, gate: Promise<void>): typeof fetch {
  const chunk = 16 * 1024;
  return (input, init) => {
    const signal = init?.signal ?? undefined;
    const aborted = new Promise<void>((resolve) => {
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    const body = String(input).endsWith(".json") ? fx.config : fx.model;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        if (body === fx.model && offset >= holdAt) await Promise.race([gate, aborted]);
        if (signal?.aborted) return controller.error(signal.reason);
        if (offset >= body.length) return controller.close();
        controller.enqueue(body.slice(offset, offset + chunk));
        offset += chunk;
      },
    });
    const headers = { "content-length": String(body.length) };
    return Promise.resolve(new Response(stream, { headers }));
  };
}

/** A promise that resolves once a pull has written `bytes` of the model, and its reporter. */
function modelWritten(bytes: number) {
  const { promise, resolve } = Promise.withResolvers<void>();
  const onProgress = (p: DownloadProgress) => {
    if (p.file === "model" && p.receivedBytes >= bytes) resolve();
  };
  return { written: promise, onProgress };
}

for (const order of ["the first finishes first", "the second is aborted first"]) {
  Deno.test(`pullModel: two concurrent pulls of a voice, one aborted mid-way (${order}), leave an intact file`, async () => {
    const fx = await fixture();
    await withTempDir(async (dir) => {
      // A is held half-way through the model; B then starts and is held after 32 KiB.
      const releaseA = Promise.withResolvers<void>();
      const progressA = modelWritten(160 * 1024);
      const a = pullModel(fx.entry, dir, {
        fetch: gatedFetch(fx, 160 * 1024, releaseA.promise),
        onProgress: progressA.onProgress,
      });
      await progressA.written;
      const abortB = new AbortController();
      const progressB = modelWritten(32 * 1024);
      const b = pullModel(fx.entry, dir, {
        fetch: gatedFetch(fx, 32 * 1024, new Promise(() => {})),
        onProgress: progressB.onProgress,
        signal: abortB.signal,
      });
      await progressB.written;
      let resultA;
      if (order === "the first finishes first") {
        releaseA.resolve();
        resultA = await a;
        abortB.abort();
        await assert.rejects(b, (error: unknown) => (error as Error).name === "AbortError");
      } else {
        abortB.abort();
        await assert.rejects(b, (error: unknown) => (error as Error).name === "AbortError");
        releaseA.resolve();
        resultA = await a;
      }
      assert.equal(resultA.verified, true);
      assert.equal(resultA.sha256, await sha256Hex(fx.model));
      // Digests, not bytes: a failing deepEqual of 300 kB would take minutes to describe.
      const onDisk = await Deno.readFile(join(dir, "xx_XX-test-medium.onnx"));
      assert.equal(await sha256Hex(onDisk), await sha256Hex(fx.model));
      assert.deepEqual(await Deno.readFile(join(dir, "xx_XX-test-medium.onnx.json")), fx.config);
      assert.deepEqual(await listDir(dir), [
        "xx_XX-test-medium.onnx",
        "xx_XX-test-medium.onnx.json",
      ]);
      const store = new ModelStore({ modelsDir: dir, catalog: null });
      const stored = await store.resolve("xx_XX-test-medium");
      assert.equal(
        (await store.check({ ...stored!, sha256: fx.entry.model.sha256 })).status,
        "verified",
      );
    });
  });
}

/**
 * A server that gzips every file (`Content-Encoding: gzip`, Content-Length of the compressed
 * bytes): only when the request accepts gzip, or always (as object stores do for files stored
 * compressed). Records each request's Accept-Encoding.
 */
function serveGzipped(files: Map<string, Uint8Array>, always: boolean) {
  const acceptEncodings: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const accept = req.headers.get("accept-encoding");
    acceptEncodings.push(accept);
    const body = files.get(decodeURIComponent(new URL(req.url).pathname));
    if (!body) return new Response("not found", { status: 404 });
    if (!always && !accept?.includes("gzip")) return new Response(body.slice());
    const gz = new Uint8Array(gzipSync(body));
    return new Response(gz, {
      headers: { "content-encoding": "gzip", "content-length": String(gz.length) },
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}/mirror`,
    acceptEncodings,
    close: () => server.shutdown(),
  };
}

for (const always of [false, true]) {
  Deno.test(`pullModel asks for identity and copes with a server that gzips ${always ? "anyway" : "when asked"}`, async () => {
    const fx = await fixture();
    const server = serveGzipped(fx.files, always);
    try {
      await withTempDir(async (dir) => {
        const result = await pullModel(fx.entry, dir, { baseUrl: server.baseUrl });
        assert.equal(result.verified, true);
        assert.equal(await sha256Hex(await Deno.readFile(result.modelPath)), result.sha256);
        assert.equal(result.sha256, await sha256Hex(fx.model));
        assert.deepEqual(await Deno.readFile(result.configPath), fx.config);
        assert.deepEqual(server.acceptEncodings, ["identity", "identity"]);
      });
    } finally {
      await server.close();
    }
  });
}

Deno.test("pullModel still rejects a gzipped file whose decoded bytes differ from the catalogue", async () => {
  const fx = await fixture({ modelSize: 299_999 });
  const server = serveGzipped(fx.files, true);
  try {
    await withTempDir(async (dir) => {
      await assert.rejects(
        () => pullModel(fx.entry, dir, { baseUrl: server.baseUrl }),
        (error: unknown) => error instanceof IntegrityError && error.check === "size",
      );
      assert.deepEqual(await listDir(dir), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("pullModel removes the voice's partial files left over by a dead pull, and only those", async () => {
  const fx = await fixture();
  const server = serveFiles(fx.files);
  try {
    await withTempDir(async (dir) => {
      const old = new Date(Date.now() - STALE_PARTIAL_MS - 60_000);
      const leftOver = [
        "xx_XX-test-medium.onnx.partial",
        "xx_XX-test-medium.onnx.partial-0123456789abcdef",
        "xx_XX-test-medium.onnx.json.partial-0123456789abcdef",
        "yy_YY-other-low.onnx.partial-0123456789abcdef",
      ];
      for (const name of leftOver) {
        await Deno.writeFile(join(dir, name), new Uint8Array(10));
        await Deno.utime(join(dir, name), old, old);
      }
      // A pull of the same voice in progress elsewhere: recent, so kept.
      await Deno.writeFile(join(dir, "xx_XX-test-medium.onnx.partial-fedcba9876543210"), fx.config);
      await pullModel(fx.entry, dir, { baseUrl: server.baseUrl });
      assert.deepEqual(await listDir(dir), [
        "xx_XX-test-medium.onnx",
        "xx_XX-test-medium.onnx.json",
        "xx_XX-test-medium.onnx.partial-fedcba9876543210",
        "yy_YY-other-low.onnx.partial-0123456789abcdef",
      ]);
    });
  } finally {
    await server.close();
  }
});

Deno.test("pullModel gives up on a server that stalls mid-file, and keeps nothing", async () => {
  const fx = await fixture();
  const stalls: ReadableStreamDefaultController<Uint8Array>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const body = fx.files.get(decodeURIComponent(new URL(req.url).pathname));
    if (!body) return new Response("not found", { status: 404 });
    // The first 64 KiB, then nothing more: the connection stays open, silent.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body.slice(0, CHUNK));
        stalls.push(controller);
      },
    });
    return new Response(stream, { headers: { "content-length": String(body.length) } });
  });
  try {
    await withTempDir(async (dir) => {
      await assert.rejects(
        () =>
          pullModel(fx.entry, dir, {
            baseUrl: `http://127.0.0.1:${server.addr.port}/mirror`,
            idleTimeoutMs: 300,
          }),
        (error: unknown) => {
          assert.ok(error instanceof DownloadError, String(error));
          assert.match(error.message, /the server sent nothing for 0\.3 s; try again/);
          return true;
        },
      );
      assert.deepEqual(await listDir(dir), []);
    });
  } finally {
    for (const controller of stalls) {
      try {
        controller.close();
      } catch {
        // Cancelled already, when the client gave up.
      }
    }
    await server.shutdown();
  }
});
