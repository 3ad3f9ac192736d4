import assert from "node:assert/strict";
import { runDenoScript } from "../tests/support/child_process.ts";
import {
  compareSamples,
  EP_CONFIG_NAMES,
  EP_CONFIGS,
  type EpBenchResult,
  epResultFileName,
  formatEpTable,
  parseEpBenchOptions,
} from "./execution_providers.ts";
import { createTempDir } from "../tests/support/temp_dir.ts";

const SCRIPT = new URL("./execution_providers.ts", import.meta.url).pathname;
const ALLOW_NO_WEBGPU = Deno.env.get("TTS_ALLOW_NO_WEBGPU") === "1";
const FIXTURE_VOICES = new URL("../tests/fixtures/voices/", import.meta.url).pathname;

/** Runs bench:ep for one round with results in `resultsDir`; asserts it exits 0. */
async function runOneRound(
  resultsDir: string,
  args: string[],
): Promise<{ result: EpBenchResult; stderr: string }> {
  const run = await runDenoScript(SCRIPT, [
    ...args,
    "--rounds",
    "1",
    "--results-dir",
    resultsDir,
  ]);
  assert.equal(run.code, 0, `bench:ep failed:\n${run.stderr}`);
  return { result: JSON.parse(run.stdout), stderr: run.stderr };
}

Deno.test("bench:ep options: every configuration by default, a subset on request", () => {
  const all = parseEpBenchOptions([]);
  assert.ok(!("message" in all));
  assert.deepEqual(all.configs.map((config) => config.name), [...EP_CONFIG_NAMES]);
  assert.equal(all.rounds, 7);
  const some = parseEpBenchOptions(["--configs", "webgpu, wasm,webgpu", "--rounds", "2"]);
  assert.ok(!("message" in some));
  assert.deepEqual(some.configs, [EP_CONFIGS.webgpu, EP_CONFIGS.wasm]);
  assert.equal(some.rounds, 2);
  // The worker's WebGPU way keeps outputs on the GPU; the default copy back is the alternative.
  assert.equal(EP_CONFIGS.webgpu.outputOnGpu, true);
  assert.equal(EP_CONFIGS["webgpu-cpu-output"].outputOnGpu, false);
});

Deno.test("bench:ep options: a wrong configuration or round count says what is allowed", () => {
  const unknown = parseEpBenchOptions(["--configs", "wasm,cuda"]);
  assert.ok("message" in unknown && !unknown.help);
  assert.match(unknown.message, /--configs takes names from wasm, webgpu, .*got "wasm,cuda"/);
  const rounds = parseEpBenchOptions(["--rounds", "0"]);
  assert.ok("message" in rounds);
  assert.match(rounds.message, /--rounds must be a whole number >= 1, got "0"/);
  const help = parseEpBenchOptions(["--help"]);
  assert.ok("message" in help && help.help);
});

Deno.test("compareSamples gives the largest difference and the signal-to-error ratio", () => {
  const reference = Float32Array.of(1, -1, 1, -1);
  assert.deepEqual(compareSamples(reference, reference), { max_abs_diff: 0, snr_db: null });
  const off = compareSamples(reference, Float32Array.of(1.1, -1, 1, -1));
  assert.equal(off.max_abs_diff, 0.1);
  // Signal 4, error 0.01: 26 dB.
  assert.ok(Math.abs(off.snr_db! - 26) < 0.1, `${off.snr_db}`);
  assert.throws(() => compareSamples(reference, new Float32Array(3)), /lengths differ: 4 and 3/);
});

Deno.test({
  name: "bench:ep runs the float32 and float16 load-test voices on WASM with sane figures",
  sanitizeResources: false,
  async fn() {
    await using dir = await createTempDir("bench_ep_test_");
    const { result, stderr } = await runOneRound(dir.path, ["--configs", "wasm,wasm-fp16"]);
    assert.deepEqual(
      [...Deno.readDirSync(dir.path)].map((entry) => entry.name),
      [epResultFileName(result)],
    );
    assert.match(stderr, /wasm-fp16 /, "the table is on stderr");
    assert.equal(formatEpTable(result).split("\n").length, 4);
    assert.ok(result.texts.long.segments > result.texts.short.segments);
    assert.ok(result.texts.long.audio_ms > result.texts.short.audio_ms);
    const [wasm, fp16] = result.configs;
    assert.equal(wasm.name, "wasm");
    assert.equal(fp16.name, "wasm-fp16");
    for (const config of [wasm, fp16]) {
      for (
        const value of [config.load_ms, config.texts?.short.ms_p50, config.texts?.long.rtf_p50]
      ) {
        assert.ok(typeof value === "number" && Number.isFinite(value) && value > 0, `${value}`);
      }
    }
    assert.equal(wasm.texts?.long.speedup_vs_wasm, 1);
    assert.deepEqual(wasm.accuracy, { max_abs_diff: 0, snr_db: null });
    // onnxruntime's CPU kernels compute the float16 voice in float32: the rounding of the
    // weights alone sets its error.
    assert.ok(fp16.accuracy!.snr_db! > 40, `float16 on WASM: ${fp16.accuracy!.snr_db} dB`);
  },
});

Deno.test({
  name: "bench:ep runs another Piper voice on every provider there is, and skips float16",
  sanitizeResources: false,
  async fn() {
    await using dir = await createTempDir("bench_ep_test_");
    const { result } = await runOneRound(dir.path, [
      "--voice",
      "en_US-tiny-low",
      "--voices-dir",
      FIXTURE_VOICES,
      "--configs",
      "wasm,webgpu,webgpu-cpu-output,webgpu-fp16",
    ]);
    assert.deepEqual(result.voices, { fp32: "en_US-tiny-low", fp16: null });
    assert.match(epResultFileName(result), /-en_US-tiny-low\.json$/);
    const byName = Object.fromEntries(result.configs.map((config) => [config.name, config]));
    assert.match(byName["webgpu-fp16"].skipped ?? "", /no float16 variant|no WebGPU adapter/);
    for (const name of ["webgpu", "webgpu-cpu-output"]) {
      const config = byName[name];
      if (!result.adapter.name) {
        assert.ok(ALLOW_NO_WEBGPU, "no WebGPU adapter (TTS_ALLOW_NO_WEBGPU=1 lets this pass)");
        assert.match(config.skipped ?? "", /no WebGPU adapter/);
        continue;
      }
      // On any adapter (Mesa's software one in CI) both read-backs give WASM's samples.
      assert.equal(config.skipped, undefined, `${name}: ${config.skipped}`);
      assert.ok(config.texts!.long.ms_p50 > 0);
      assert.ok(
        config.accuracy!.max_abs_diff < 1e-4,
        `${name}: ${config.accuracy!.max_abs_diff}`,
      );
    }
  },
});
