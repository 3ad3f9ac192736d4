import assert from "node:assert/strict";
import { checkHealth } from "../cli/health_check.ts";
import { createLogger } from "../log.ts";
import { ModelResidency } from "../models/residency.ts";
import { ModelStore } from "../models/model_store.ts";
import { SessionRegistry } from "../session/session_registry.ts";
import { WorkerMetrics } from "../session/worker_metrics.ts";
import { HEALTH_SERVICES, startServer } from "./server.ts";
import { TtsService } from "./tts_service.ts";
import { createTempDir } from "../../tests/support/temp_dir.ts";

Deno.test("health is NOT_SERVING until setServing(true), for '' and tts.TTSService", async () => {
  const residency = new ModelResidency(
    () => Promise.reject(new Error("no models in this test")),
    () => Promise.reject(new Error("no models in this test")),
  );
  await using modelsDir = await createTempDir("server_test_models_");
  const service = new TtsService({
    sessions: new SessionRegistry(1),
    residency,
    store: new ModelStore(modelsDir.path),
    metrics: new WorkerMetrics(),
    log: createLogger("silent"),
    executionProvider: "wasm",
    defaultModel: "espeak-en-us",
  });
  const server = await startServer(service, "127.0.0.1", 0);
  try {
    const address = `127.0.0.1:${server.port}`;
    assert.deepEqual(HEALTH_SERVICES, ["", "tts.TTSService"]);
    for (const name of HEALTH_SERVICES) {
      assert.equal((await checkHealth(address, name, 2000)).status, "NOT_SERVING");
    }
    server.setServing(true);
    for (const name of HEALTH_SERVICES) {
      assert.equal((await checkHealth(address, name, 2000)).status, "SERVING");
    }
    assert.equal((await checkHealth(address, "no.Such", 2000)).status, "UNREACHABLE");
  } finally {
    await server.shutdown(500);
  }
});
