import assert from "node:assert/strict";
import type { VoiceModel, VoiceSource } from "../engines/engine.ts";
import { ModelResidency } from "./residency.ts";

interface CountingVoice extends VoiceModel {
  readonly serial: number;
  disposals: number;
}

/** A residency over voices that only count their loads and disposals; loads take `loadMs`. */
function countingResidency(loadMs = 5) {
  const voices: CountingVoice[] = [];
  const residency = new ModelResidency(
    (modelId): Promise<VoiceSource> => Promise.resolve({ id: modelId, family: "test" }),
    async (source) => {
      await new Promise((resolve) => setTimeout(resolve, loadMs));
      const voice: CountingVoice = {
        serial: voices.length + 1,
        disposals: 0,
        info: {
          id: source.id,
          family: "test",
          sampleRate: 16_000,
          executionProvider: "wasm",
          languages: [],
          speakers: [],
        },
        prepare: () => Promise.reject(new Error("not used")),
        infer: () => Promise.reject(new Error("not used")),
        dispose() {
          voice.disposals++;
          return Promise.resolve();
        },
      };
      voices.push(voice);
      return voice;
    },
  );
  return { residency, voices };
}

/** Every loaded voice but the resident one was disposed exactly once; the resident one never. */
function assertNoLeak(voices: readonly CountingVoice[], resident: VoiceModel | undefined): void {
  for (const voice of voices) {
    assert.equal(voice.disposals, voice === resident ? 0 : 1, `voice ${voice.serial}`);
  }
}

Deno.test("ModelResidency: concurrent loads of one model share one load", async () => {
  const { residency, voices } = countingResidency();
  const [a, b] = await Promise.all([residency.load("m"), residency.load("m")]);
  assert.equal(a.voice, b.voice);
  assert.equal(voices.length, 1);
  assert.equal((await residency.load("m")).alreadyResident, true);
  assert.deepEqual(residency.residentIds(), ["m"]);
});

Deno.test("ModelResidency: concurrent reloads run one after another and leak no instance", async () => {
  const { residency, voices } = countingResidency();
  await residency.load("m");
  const outcomes = await Promise.all([
    residency.reload("m"),
    residency.reload("m"),
    residency.reload("m"),
  ]);
  assert.equal(voices.length, 4, "each reload reads the model anew");
  assert.deepEqual(outcomes.map((outcome) => (outcome.voice as CountingVoice).serial), [2, 3, 4]);
  assert.equal(residency.get("m"), voices[3]);
  assertNoLeak(voices, residency.get("m"));
});

Deno.test("ModelResidency: a load and a reload in flight together leave one resident instance", async () => {
  const { residency, voices } = countingResidency();
  await Promise.all([residency.load("m"), residency.reload("m")]);
  assert.equal(voices.length, 2);
  assertNoLeak(voices, residency.get("m"));
});

Deno.test("ModelResidency: a replaced instance is freed when its last lease ends", async () => {
  const { residency, voices } = countingResidency();
  await residency.load("m");
  const lease = residency.lease("m");
  await residency.reload("m");
  assert.equal(voices[0].disposals, 0, "still leased");
  assert.equal(residency.lease("m").voice, voices[1], "new leases get the fresh instance");
  lease.release();
  lease.release();
  assert.equal(voices[0].disposals, 1);
});

Deno.test("ModelResidency: unload waits for a load in flight, so the model ends up not resident", async () => {
  const { residency, voices } = countingResidency(20);
  const loading = residency.load("m");
  assert.equal(await residency.unload("m"), true);
  await loading;
  assert.equal(residency.isResident("m"), false);
  assertNoLeak(voices, undefined);
  assert.equal(await residency.unload("m"), false, "idempotent");
  assert.throws(() => residency.lease("m"), /model "m" is not resident/);
});

Deno.test("ModelResidency: unload waits for a reload in flight, so the model ends up not resident", async () => {
  const { residency, voices } = countingResidency(20);
  await residency.load("m");
  const reloading = residency.reload("m");
  assert.equal(await residency.unload("m"), true);
  await reloading;
  assert.equal(residency.isResident("m"), false);
  assert.equal(voices.length, 2);
  assertNoLeak(voices, undefined);

  // Also when the model was not resident before the reload.
  const first = residency.reload("n");
  const second = residency.reload("n");
  assert.equal(await residency.unload("n"), true);
  await Promise.all([first, second]);
  assert.equal(residency.isResident("n"), false);
  assertNoLeak(voices, undefined);
});

Deno.test("ModelResidency: unloadAll also frees models still loading", async () => {
  const { residency, voices } = countingResidency(20);
  const loading = residency.load("m");
  const reloading = residency.reload("n");
  await residency.unloadAll();
  await Promise.all([loading, reloading]);
  assert.deepEqual(residency.residentIds(), []);
  assertNoLeak(voices, undefined);
});
