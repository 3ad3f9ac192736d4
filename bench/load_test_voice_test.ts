import assert from "node:assert/strict";
import { piperAdapter } from "../src/engines/piper/piper_engine.ts";
import { ModelStore } from "../src/models/model_store.ts";
import onnxProto from "onnx-proto";
import {
  buildLoadTestModel,
  ensureLoadTestFp16Voice,
  ensureLoadTestVoice,
  LOAD_TEST_FP16_VOICE_ID,
  LOAD_TEST_FRAMES_PER_ID,
  LOAD_TEST_HOP,
  LOAD_TEST_SAMPLE_RATE,
  LOAD_TEST_VOICE_ID,
  loadTestMacsPerSecond,
} from "./load_test_voice.ts";
import { createTempDir } from "../tests/support/temp_dir.ts";

const LESSAC_LOW = new URL(
  "../tests/fixtures/piper-configs/en_US-lessac-low.onnx.json",
  import.meta.url,
).pathname;

Deno.test("the load-test network has a Piper voice's compute: about 1.9 G multiply-adds per second", () => {
  // Flow 4 x 4 gated layers at 62.5 frames/s plus the HiFi-GAN generator Piper trains by default.
  const macs = loadTestMacsPerSecond();
  assert.ok(macs > 1.7e9 && macs < 2.1e9, `${macs}`);
});

Deno.test("the load-test model is the same bytes on every build", () => {
  const first = buildLoadTestModel();
  const second = buildLoadTestModel();
  const other = buildLoadTestModel(1);
  assert.ok(Math.abs(other.length - first.length) < 16, "the same network");
  assert.notDeepEqual(other.subarray(-4096), first.subarray(-4096));
  assert.ok(first.length > 30_000_000, `${first.length} bytes`);
  assert.deepEqual(first.subarray(0, 4096), second.subarray(0, 4096));
  assert.deepEqual(first.subarray(-4096), second.subarray(-4096));
  assert.equal(first.length, second.length);
});

Deno.test("the load-test voice loads as a Piper voice and speaks in time with its ids", async () => {
  await using dir = await createTempDir("load-test-voice-");
  assert.deepEqual(await ensureLoadTestVoice(dir.path, LESSAC_LOW), [LOAD_TEST_VOICE_ID]);
  const modified = (await Deno.stat(`${dir.path}/${LOAD_TEST_VOICE_ID}.onnx`)).mtime;
  // A second call finds it there and writes nothing.
  await ensureLoadTestVoice(dir.path, LESSAC_LOW);
  assert.deepEqual((await Deno.stat(`${dir.path}/${LOAD_TEST_VOICE_ID}.onnx`)).mtime, modified);

  const descriptor = await new ModelStore(dir.path).resolve(LOAD_TEST_VOICE_ID);
  assert.ok(descriptor?.modelPath && descriptor.configPath, "the store finds the voice");
  const voice = await piperAdapter.load({
    id: LOAD_TEST_VOICE_ID,
    family: "piper",
    modelPath: descriptor.modelPath,
    configPath: descriptor.configPath,
    executionProvider: "wasm",
  });
  try {
    assert.equal(voice.info.sampleRate, LOAD_TEST_SAMPLE_RATE);
    const segment = await voice.prepare("Hello there.", { speed: 1 });
    const samplesPerId = LOAD_TEST_FRAMES_PER_ID * LOAD_TEST_HOP;
    const normal = await voice.infer(segment, { speed: 1 });
    assert.equal(normal.length, segment.ids.length * samplesPerId);
    // Half speed holds each id twice as long.
    const slow = await voice.infer(segment, { speed: 0.5 });
    assert.equal(slow.length, 2 * normal.length);
    let peak = 0;
    for (const sample of normal) peak = Math.max(peak, Math.abs(sample));
    assert.ok(peak > 0.05 && peak <= 0.5, `peak ${peak}`);
    // Deterministic: the same ids give the same samples.
    assert.deepEqual(await voice.infer(segment, { speed: 1 }), normal);
  } finally {
    await voice.dispose();
  }
});

Deno.test("the float16 load-test voice keeps Piper's float32 interface at half the bytes", async () => {
  const { onnx } = onnxProto;
  const Type = onnx.TensorProto.DataType;
  const full = onnx.ModelProto.decode(buildLoadTestModel());
  const half = onnx.ModelProto.decode(buildLoadTestModel(0, "fp16"));
  const elemTypes = (model: typeof full) =>
    [...model.graph!.input!, ...model.graph!.output!].map((value) =>
      value.type!.tensorType!.elemType
    );
  assert.deepEqual(elemTypes(half), elemTypes(full));
  assert.deepEqual(elemTypes(half), [Type.INT64, Type.INT64, Type.FLOAT, Type.FLOAT]);
  const weightTypes = new Set(
    half.graph!.initializer!.filter((tensor) => tensor.rawData?.length).map((t) => t.dataType),
  );
  assert.deepEqual([...weightTypes], [Type.FLOAT16]);
  const bytes = (model: typeof full) =>
    model.graph!.initializer!.reduce((sum, tensor) => sum + (tensor.rawData?.length ?? 0), 0);
  assert.equal(bytes(half) * 2, bytes(full));
  // Every operator has a WebGPU kernel in onnxruntime-web 1.30 (a Sum would run on the CPU).
  assert.ok(!full.graph!.node!.some((node) => node.opType === "Sum"));

  await using dir = await createTempDir("load-test-fp16-");
  assert.equal(await ensureLoadTestFp16Voice(dir.path, LESSAC_LOW), LOAD_TEST_FP16_VOICE_ID);
  assert.ok(await new ModelStore(dir.path).resolve(LOAD_TEST_FP16_VOICE_ID), "the store finds it");
});
