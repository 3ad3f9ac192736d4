import assert from "node:assert/strict";
import type { VoiceModel } from "../engines/engine.ts";
import { createLogger } from "../log.ts";
import { ModelResidency } from "../models/residency.ts";
import { ModelStore } from "../models/model_store.ts";
import { SessionRegistry } from "../session/session_registry.ts";
import { WorkerMetrics } from "../session/worker_metrics.ts";
import { sleep } from "../../tests/support/sleep.ts";
import { createTempDir } from "../../tests/support/temp_dir.ts";
import { TtsService } from "./tts_service.ts";

/** A built-in-family voice whose `prepare` (StartSession's language check) takes 50 ms. */
function slowPrepareVoice(): VoiceModel {
  return {
    info: {
      id: "espeak-en-us",
      family: "espeak",
      sampleRate: 22_050,
      executionProvider: "wasm",
      languages: ["en-us"],
      speakers: [],
    },
    async prepare(text: string) {
      await sleep(50);
      return { text, phonemes: text, ids: [] };
    },
    infer: () => Promise.resolve(new Float32Array(100)),
    dispose: () => Promise.resolve(),
  };
}

/** A service over `sessions` and `residency`, an empty models directory, and no log output. */
function quietService(
  sessions: SessionRegistry,
  residency: ModelResidency,
  modelsDir: string,
): TtsService {
  return new TtsService({
    sessions,
    residency,
    store: new ModelStore(modelsDir),
    metrics: new WorkerMetrics(),
    log: createLogger("silent", { pretty: false }),
    executionProvider: "wasm",
    defaultModel: "espeak-en-us",
  });
}

/** A service and its parts, with the built-in voice resident and an empty models directory. */
interface EspeakService extends AsyncDisposable {
  readonly service: TtsService;
  readonly sessions: SessionRegistry;
  readonly residency: ModelResidency;
  /** The models directory (removed when the fixture is disposed). */
  readonly modelsDir: string;
}

/** {@linkcode EspeakService}: use it with `await using`. */
async function espeakService(): Promise<EspeakService> {
  const residency = new ModelResidency(
    (id) => Promise.resolve({ id, family: "espeak" }),
    () => Promise.resolve(slowPrepareVoice()),
  );
  const sessions = new SessionRegistry(4);
  const dir = await createTempDir("tts_service_test_");
  const service = quietService(sessions, residency, dir.path);
  await residency.load("espeak-en-us");
  return {
    service,
    sessions,
    residency,
    modelsDir: dir.path,
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}

Deno.test("TtsService: an UnloadModel while StartSession checks its options does not leave the session without its model", async () => {
  await using espeak = await espeakService();
  const { service, sessions, residency } = espeak;
  const starting = service.startSession({
    session_id: "s1",
    model_id: "espeak-en-us",
    options: { language: "en-us" },
  });
  await sleep(10); // StartSession now waits on the voice's prepare()
  const unloaded = await service.unloadModel({ model_id: "espeak-en-us" });
  assert.equal(unloaded.success, true, unloaded.message);
  const started = await starting;
  assert.equal(started.success, true, started.message);
  assert.equal(residency.isResident("espeak-en-us"), true, "the admitted session's model");
  const lease = sessions.get("s1")!.leaseVoice();
  lease.release();
  const refused = await service.unloadModel({ model_id: "espeak-en-us" });
  assert.equal(refused.success, false);
  assert.match(refused.message, /used by live sessions: s1/);
});

Deno.test("TtsService: a full or draining worker refuses StartSession before loading anything", async () => {
  let loads = 0;
  const residency = new ModelResidency(
    (id) => Promise.resolve({ id, family: "espeak" }),
    () => {
      loads++;
      return Promise.resolve(slowPrepareVoice());
    },
  );
  const sessions = new SessionRegistry(1);
  await using modelsDir = await createTempDir("tts_service_test_");
  const service = quietService(sessions, residency, modelsDir.path);
  assert.equal(
    (await service.startSession({ session_id: "s1", model_id: "", options: {} })).success,
    true,
  );
  assert.equal(loads, 1);
  // Another model, while full: refused without loading it.
  const full = await service.startSession({ session_id: "s2", model_id: "espeak-de", options: {} });
  assert.equal(full.success, false);
  assert.match(full.message, /at its limit of 1 concurrent sessions/);
  assert.equal(loads, 1);
  assert.equal(sessions.wasRefused("s2"), true, "a Synthesize for it gets RESOURCE_EXHAUSTED");
  sessions.startDraining();
  const draining = await service.startSession({
    session_id: "s3",
    model_id: "espeak-fr",
    options: {},
  });
  assert.match(draining.message, /shutting down/);
  assert.equal(loads, 1);
  assert.deepEqual(residency.residentIds(), ["espeak-en-us"]);
});

Deno.test("TtsService: an UnloadModel while StartSession waits for the model's load leaves the session its model", async () => {
  const loaded = Promise.withResolvers<void>();
  const residency = new ModelResidency(
    (id) => Promise.resolve({ id, family: "espeak" }),
    async () => {
      await loaded.promise;
      return slowPrepareVoice();
    },
  );
  const sessions = new SessionRegistry(4);
  await using modelsDir = await createTempDir("tts_service_test_");
  const service = quietService(sessions, residency, modelsDir.path);
  const starting = service.startSession({ session_id: "s1", model_id: "", options: {} });
  await sleep(10); // StartSession now waits for the load
  const unloading = service.unloadModel({ model_id: "espeak-en-us" });
  await sleep(10);
  loaded.resolve();
  const [started, unloaded] = await Promise.all([starting, unloading]);
  assert.equal(started.success, true, started.message);
  assert.equal(unloaded.success, false, "the session came first and uses the model");
  assert.match(unloaded.message, /used by live sessions: s1/);
  assert.equal(residency.isResident("espeak-en-us"), true);
  sessions.get("s1")!.leaseVoice().release();
});

Deno.test("TtsService: LoadModel and StartSession say why a voice in the models directory cannot be used", async () => {
  const residency = new ModelResidency(
    (id) => Promise.resolve({ id, family: "piper" }),
    () => Promise.resolve(slowPrepareVoice()),
  );
  const sessions = new SessionRegistry(4);
  await using modelsDir = await createTempDir("tts_service_test_");
  const service = quietService(sessions, residency, modelsDir.path);
  const catalogued = (await new ModelStore(modelsDir.path).catalog())!.voices[0].id;
  // Valid JSON, but a config the Piper engine's parser rejects: one the catalogue does not list,
  // and one it does (then listed as not downloaded).
  const config = JSON.stringify({
    audio: { sample_rate: 22050 },
    espeak: { voice: "en-us" },
    inference: { length_scale: 50 },
    phoneme_id_map: { "_": [0], "^": [1], "$": [2] },
  });
  for (const id of ["xx_XX-slow-low", catalogued]) {
    await Deno.writeTextFile(`${modelsDir.path}/${id}.onnx`, "weights");
    await Deno.writeTextFile(`${modelsDir.path}/${id}.onnx.json`, config);
    const reason = new RegExp(
      `^model "${id}" cannot be used: invalid Piper config ${id}\\.onnx\\.json: ` +
        `field "inference\\.length_scale" must be a number > 0 and <= 10, got 50$`,
    );
    const loaded = await service.loadModel({ model_id: id, preload_only: true });
    assert.equal(loaded.success, false, `${id}: ${loaded.message}`);
    assert.match(loaded.message, reason);
    const started = await service.startSession({ session_id: "s1", model_id: id, options: {} });
    assert.equal(started.success, false, `${id}: ${started.message}`);
    assert.match(started.message, reason);
  }
  assert.deepEqual(residency.residentIds(), [], "nothing was loaded");
  const unknown = await service.loadModel({ model_id: "xx_XX-nothere-low", preload_only: true });
  assert.match(unknown.message, /^unknown model "xx_XX-nothere-low"; known models: espeak-en-us/);
});

Deno.test("TtsService: GetCapabilities lists the languages of every voice a session can use, loaded or not", async () => {
  await using espeak = await espeakService();
  const { service, sessions, residency, modelsDir } = espeak;
  const builtIn = ["de", "en-gb", "en-us", "es", "fr"];
  assert.deepEqual((await service.getCapabilities()).capabilities.languages, builtIn);

  // A downloaded voice adds its language; one the Piper parser rejects, one of a sample rate the
  // resampler cannot take, and catalogue voices not downloaded (de-de, fr-fr, es-es) add nothing.
  const fixture = JSON.parse(
    await Deno.readTextFile(
      new URL("../../tests/fixtures/voices/en_US-tiny-low.onnx.json", import.meta.url),
    ),
  );
  const dutch = { ...fixture, espeak: { voice: "nl" }, language: { code: "nl_NL" } };
  await Deno.writeTextFile(`${modelsDir}/nl_NL-tiny-low.onnx`, "weights");
  await Deno.writeTextFile(`${modelsDir}/nl_NL-tiny-low.onnx.json`, JSON.stringify(dutch));
  const broken = { ...dutch, espeak: { voice: "it" }, language: { code: "it_IT" }, audio: {} };
  await Deno.writeTextFile(`${modelsDir}/it_IT-broken-low.onnx`, "weights");
  await Deno.writeTextFile(`${modelsDir}/it_IT-broken-low.onnx.json`, JSON.stringify(broken));
  // A rate the resampler cannot take (22051 Hz needs 48000 filter phases) is refused at load.
  const oddRate = {
    ...dutch,
    espeak: { voice: "sv" },
    language: { code: "sv_SE" },
    audio: { ...dutch.audio, sample_rate: 22051 },
  };
  await Deno.writeTextFile(`${modelsDir}/sv_SE-odd-low.onnx`, "weights");
  await Deno.writeTextFile(`${modelsDir}/sv_SE-odd-low.onnx.json`, JSON.stringify(oddRate));
  const { problems } = await new ModelStore(modelsDir).scan();
  assert.ok(problems.some((p) => p.id === "it_IT-broken-low"), "the broken voice is left out");
  const { capabilities, resident_models } = await service.getCapabilities();
  assert.deepEqual(capabilities.languages, ["de", "en-gb", "en-us", "es", "fr", "nl-nl"]);
  assert.deepEqual(resident_models, ["espeak-en-us"], "only what is loaded is resident");

  // A models directory that cannot be read (here a file): StartSession can use the built-in
  // voices only, and GetCapabilities says so rather than fail.
  const unreadable = quietService(sessions, residency, `${modelsDir}/nl_NL-tiny-low.onnx`);
  await assert.rejects(unreadable.listModels());
  assert.deepEqual((await unreadable.getCapabilities()).capabilities.languages, builtIn);
});

Deno.test("TtsService: a STOP after an answer's last frame was sent still starts the pacing lead afresh", async () => {
  await using espeak = await espeakService();
  const { service, sessions } = espeak;
  const started = await service.startSession({ session_id: "s1", model_id: "", options: {} });
  assert.equal(started.success, true, started.message);
  // The whole answer went out (no stream is open any more); the client still plays its last second.
  const session = sessions.get("s1")!;
  for (let i = 0; i < 50; i++) session.playout.sent();
  assert.ok(session.playout.leadMs() > 900);
  const stop = await service.control({ session_id: "s1", command: "STOP" });
  assert.equal(stop.message, "nothing to stop");
  assert.equal(
    session.playout.leadMs(),
    0,
    "the client dropped it: the next answer's lead goes at once",
  );
});
