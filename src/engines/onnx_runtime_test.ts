import assert from "node:assert/strict";
import {
  createInferenceSession,
  loadOrt,
  type OnnxFeeds,
  type OnnxSession,
  outputsOnCpu,
  probeWebGpu,
} from "./onnx_runtime.ts";
import type { OnnxWorkerReply } from "../../tests/fixtures/onnx_worker.ts";

const TINY_MODEL = new URL("../../tests/fixtures/voices/en_US-tiny-low.onnx", import.meta.url);
const modelBytes = await Deno.readFile(TINY_MODEL);

/** Piper-style feeds for the tiny model: `ids` with noise, length and duration-noise scales. */
function feedsFor(session: OnnxSession, ids: number[], lengthScale = 1): OnnxFeeds {
  const { Tensor } = session.ort;
  return {
    input: new Tensor("int64", BigInt64Array.from(ids, BigInt), [1, ids.length]),
    input_lengths: new Tensor("int64", BigInt64Array.of(BigInt(ids.length)), [1]),
    scales: new Tensor("float32", Float32Array.of(0.667, lengthScale, 0.8), [3]),
  };
}

const HELLO = [1, 0, 20, 0, 59, 0, 24, 0, 120, 0, 27, 0, 100, 0, 2];

/** Replaces `navigator.gpu` for the duration of `body`. */
async function withGpu(gpu: unknown, body: () => Promise<void>): Promise<void> {
  Object.defineProperty(navigator, "gpu", { value: gpu, configurable: true });
  try {
    await body();
  } finally {
    delete (navigator as unknown as Record<string, unknown>).gpu;
  }
}

Deno.test("loadOrt configures single-threaded WASM with the binary from the npm package", async () => {
  const ort = await loadOrt("wasm");
  assert.equal(ort.env.wasm.numThreads, 1);
  assert.equal(ort.env.wasm.proxy, false);
  const binary = ort.env.wasm.wasmBinary as Uint8Array;
  assert.ok(binary instanceof Uint8Array && binary.byteLength > 1_000_000);
  // "\0asm": a WebAssembly module.
  assert.deepEqual([...binary.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
  assert.equal(await loadOrt("wasm"), ort, "the build is imported once");
});

Deno.test("a wasm session runs the tiny Piper model", async () => {
  const session = await createInferenceSession(modelBytes, "wasm");
  try {
    assert.equal(session.executionProvider, "wasm");
    assert.equal(session.adapterName, undefined);
    assert.deepEqual(session.session.inputNames, ["input", "input_lengths", "scales"]);
    const outputs = await session.run(feedsFor(session, HELLO));
    assert.equal(outputs.output.type, "float32");
    assert.deepEqual(outputs.output.dims.slice(0, 3), [1, 1, 1]);
    assert.ok(outputs.output.dims[3] > HELLO.length);
  } finally {
    await session.release();
  }
});

Deno.test("runs of one build are serialised and give identical results", async () => {
  const session = await createInferenceSession(modelBytes, "wasm");
  try {
    const runs = await Promise.all(
      [1, 2, 1].map((scale) => session.run(feedsFor(session, HELLO, scale))),
    );
    const [a, b, c] = runs.map((r) => r.output.data as Float32Array);
    assert.deepEqual(a, c);
    assert.notEqual(a.length, b.length);
  } finally {
    await session.release();
  }
});

Deno.test("an aborted signal rejects a run at once and skips a queued one", async () => {
  const session = await createInferenceSession(modelBytes, "wasm");
  try {
    const aborted = AbortSignal.abort(new Error("stop"));
    await assert.rejects(session.run(feedsFor(session, HELLO), aborted), /stop/);
    const controller = new AbortController();
    const first = session.run(feedsFor(session, HELLO, 4));
    const queued = session.run(feedsFor(session, HELLO), controller.signal);
    controller.abort();
    await assert.rejects(queued, (e: Error) => e.name === "AbortError");
    assert.ok((await first).output.dims[3] > 0);
  } finally {
    await session.release();
  }
});

Deno.test("explicit webgpu without navigator.gpu is a clear error", async () => {
  await withGpu(undefined, async () => {
    await assert.rejects(
      createInferenceSession(modelBytes, "webgpu"),
      /"webgpu" was requested but navigator\.gpu is not available/,
    );
  });
});

Deno.test("explicit webgpu without an adapter is a clear error", async () => {
  await withGpu({ requestAdapter: () => Promise.resolve(null) }, async () => {
    await assert.rejects(
      createInferenceSession(modelBytes, "webgpu"),
      /"webgpu" was requested but .*found no adapter/,
    );
  });
});

Deno.test("auto without an adapter falls back to wasm and says why", async () => {
  await withGpu({ requestAdapter: () => Promise.reject(new Error("driver gone")) }, async () => {
    const session = await createInferenceSession(modelBytes, "auto");
    try {
      assert.equal(session.executionProvider, "wasm");
      assert.match(session.autoReason ?? "", /driver gone/);
    } finally {
      await session.release();
    }
  });
});

Deno.test("auto follows the adapter: webgpu on hardware, wasm on a software fallback", async () => {
  const probe = await probeWebGpu();
  const session = await createInferenceSession(modelBytes, "auto");
  try {
    if (probe.adapter && !probe.isFallback) {
      assert.equal(session.executionProvider, "webgpu");
    } else {
      assert.equal(session.executionProvider, "wasm");
      assert.ok(session.autoReason, "auto explains why it did not use WebGPU");
    }
  } finally {
    await session.release();
  }
});

/** Runs the tiny model inside a Deno Worker (see tests/fixtures/onnx_worker.ts). */
async function runInWorker(preference: "wasm" | "webgpu"): Promise<OnnxWorkerReply> {
  const worker = new Worker(new URL("../../tests/fixtures/onnx_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    const reply = new Promise<OnnxWorkerReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<OnnxWorkerReply>) => resolve(event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        reject(new Error(`worker crashed: ${event.message}`));
      };
    });
    worker.postMessage(preference);
    return await reply;
  } finally {
    worker.terminate();
  }
}

Deno.test("onnxruntime-web loads and runs inside a Deno Worker", async () => {
  const reply = await runInWorker("wasm");
  assert.ok(reply.ok, reply.ok ? "" : reply.error);
  assert.equal(reply.executionProvider, "wasm");
  const session = await createInferenceSession(modelBytes, "wasm");
  try {
    const here = (await session.run(feedsFor(session, HELLO))).output.data as Float32Array;
    assert.deepEqual(reply.samples, here);
  } finally {
    await session.release();
  }
});

const probe = await probeWebGpu();
const allowNoWebGpu = Deno.env.get("TTS_ALLOW_NO_WEBGPU") === "1";
if (!probe.adapter) {
  console.error(
    `\n!!! WebGPU is NOT available in this run: ${probe.reason}.\n` +
      `!!! The WebGPU execution-provider tests ${
        allowNoWebGpu ? "are SKIPPED (TTS_ALLOW_NO_WEBGPU=1)" : "will FAIL"
      }. Install Mesa's Vulkan drivers (mesa-vulkan-drivers) for a software adapter.\n`,
  );
}

Deno.test({
  name: "the webgpu execution provider runs the tiny model like wasm",
  ignore: !probe.adapter && allowNoWebGpu,
  // onnxruntime's WebGPU device lives as long as the process.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    assert.ok(probe.adapter, `WebGPU is unavailable: ${probe.reason}`);
    const gpu = await createInferenceSession(modelBytes, "webgpu");
    const cpu = await createInferenceSession(modelBytes, "wasm");
    try {
      assert.equal(gpu.executionProvider, "webgpu");
      assert.equal(gpu.adapterName, probe.name);
      const ids = Array.from({ length: 61 }, (_, i) => i % 2 ? 0 : 14 + (i * 7) % 120);
      const onGpu = (await gpu.run(feedsFor(gpu, ids, 1.3))).output.data as Float32Array;
      const onCpu = (await cpu.run(feedsFor(cpu, ids, 1.3))).output.data as Float32Array;
      assert.equal(onGpu.length, onCpu.length);
      let maxDiff = 0;
      for (let i = 0; i < onCpu.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(onGpu[i] - onCpu[i]));
      }
      assert.ok(maxDiff < 1e-4, `webgpu and wasm differ by up to ${maxDiff}`);
      assert.ok(onCpu.some((s) => Math.abs(s) > 0.1), "the model produced audio");
      // The session itself leaves outputs on the GPU; run() read them back (and freed them).
      const raw = await gpu.session.run(feedsFor(gpu, ids, 1.3));
      assert.equal(raw.output.location, "gpu-buffer");
      const readBack = await outputsOnCpu(gpu.ort, raw);
      assert.equal(readBack.output.location, "cpu");
      assert.deepEqual(readBack.output.data, onGpu);
    } finally {
      await gpu.release();
      await cpu.release();
    }
  },
});

Deno.test({
  name: "the webgpu execution provider runs inside a Deno Worker",
  ignore: !probe.adapter && allowNoWebGpu,
  fn: async () => {
    assert.ok(probe.adapter, `WebGPU is unavailable: ${probe.reason}`);
    const reply = await runInWorker("webgpu");
    assert.ok(reply.ok, reply.ok ? "" : reply.error);
    assert.equal(reply.executionProvider, "webgpu");
    assert.ok(reply.samples.some((s) => Math.abs(s) > 0.1));
  },
});
