/**
 * What the real worker tells the operator as it starts: each voice in the models directory it
 * cannot use, and why; and the address it listens on, as a client would dial it.
 */
import assert from "node:assert/strict";
import { createTtsClient } from "../src/rpc/client.ts";
import { createTempDir } from "./support/temp_dir.ts";
import { startTestWorker, type TestWorker } from "./support/worker_process.ts";

const FIXTURE_VOICES = new URL("./fixtures/voices/", import.meta.url).pathname;

/** Whether this host has an IPv6 loopback to listen on. */
const HAS_IPV6_LOOPBACK = (() => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
})();

/** Stops the worker and checks that it exited cleanly. */
async function stopWorker(worker: TestWorker): Promise<void> {
  assert.equal(await worker.stop(), 0, "worker exits 0 on SIGTERM");
}

Deno.test("at start the worker warns of each voice it cannot use, with the config parser's reason", async () => {
  await using modelsDir = await createTempDir("worker_startup_models_");
  const tiny = "en_US-tiny-low";
  await Deno.copyFile(`${FIXTURE_VOICES}${tiny}.onnx`, `${modelsDir.path}/${tiny}.onnx`);
  await Deno.copyFile(`${FIXTURE_VOICES}${tiny}.onnx.json`, `${modelsDir.path}/${tiny}.onnx.json`);
  // Valid JSON with a sample rate, but a length scale the Piper engine refuses.
  const slow = "en_US-slow-low";
  const config = JSON.parse(await Deno.readTextFile(`${FIXTURE_VOICES}${tiny}.onnx.json`));
  config.inference.length_scale = 50;
  await Deno.copyFile(`${FIXTURE_VOICES}${tiny}.onnx`, `${modelsDir.path}/${slow}.onnx`);
  await Deno.writeTextFile(`${modelsDir.path}/${slow}.onnx.json`, JSON.stringify(config));

  const worker = await startTestWorker(["--models-dir", modelsDir.path]);
  try {
    const warnings = worker.logs.filter((entry) => entry.msg === "voice cannot be used");
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    const [warning] = warnings;
    assert.equal(warning.level, 40, "a warning");
    assert.equal(warning.model_id, slow);
    assert.equal(warning.path, `${modelsDir.path}/${slow}.onnx.json`);
    assert.match(
      String(warning.reason),
      /^invalid Piper config \S+: field "inference\.length_scale" must be a number > 0 and <= 10, got 50$/,
    );
    const ready = worker.logs.findIndex((entry) => entry.msg === "ready");
    assert.ok(worker.logs.indexOf(warning) < ready, "warned before ready");

    const listed = (await worker.client.listModels()).models.map((m) => m.model_id);
    assert.ok(listed.includes(tiny), listed.join(", "));
    assert.ok(!listed.includes(slow), listed.join(", "));
    const loaded = await worker.client.loadModel(slow);
    assert.equal(loaded.success, false);
    assert.match(loaded.message, /cannot be used: invalid Piper config .*length_scale/);
  } finally {
    await stopWorker(worker);
  }
});

Deno.test({
  name: "the ready line writes an IPv6 host in brackets, as clients dial it",
  ignore: !HAS_IPV6_LOOPBACK,
}, async () => {
  const worker = await startTestWorker(["--host", "::1", "--metrics-port", "0"]);
  try {
    const ready = worker.logs.find((entry) => entry.msg === "ready");
    assert.ok(ready);
    assert.equal(ready.address, `[::1]:${worker.port}`);
    const metrics = worker.logs.find((entry) => entry.msg === "metrics endpoint listening");
    assert.equal(metrics?.metrics_address, `[::1]:${ready.metrics_port}`);
    // The logged address is the one to dial.
    const client = createTtsClient(String(ready.address));
    try {
      assert.ok((await client.listModels()).models.length > 0);
    } finally {
      client.close();
    }
    const health = await fetch(`http://${metrics?.metrics_address}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await stopWorker(worker);
  }
});
