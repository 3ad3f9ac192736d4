import assert from "node:assert/strict";
import {
  type BenchOptions,
  DEFAULT_RESULTS_DIR,
  FULL_ITERATIONS,
  parseBenchOptions,
  QUICK_ITERATIONS,
} from "./bench_options.ts";

function parsed(args: string[]): BenchOptions {
  const result = parseBenchOptions(args);
  if ("message" in result) throw new Error(result.message);
  return result;
}

Deno.test("defaults: wasm, espeak-en-us, full iterations, bench/results", () => {
  const options = parsed([]);
  assert.equal(options.ep, "wasm");
  assert.equal(options.voice, "espeak-en-us");
  assert.equal(options.modelsDir, undefined);
  assert.equal(options.quick, false);
  assert.equal(options.resultsDir, DEFAULT_RESULTS_DIR);
  assert.ok(options.resultsDir.endsWith("/bench/results/"));
  assert.deepEqual(options.iterations, FULL_ITERATIONS);
});

Deno.test("every flag is read", () => {
  const options = parsed([
    "--ep",
    "webgpu",
    "--voice",
    "en_US-tiny-low",
    "--models-dir",
    "tests/fixtures/voices",
    "--quick",
    "--json",
    "out.json",
    "--results-dir",
    "/tmp/r",
  ]);
  assert.equal(options.ep, "webgpu");
  assert.equal(options.voice, "en_US-tiny-low");
  assert.equal(options.modelsDir, "tests/fixtures/voices");
  assert.equal(options.json, "out.json");
  assert.equal(options.resultsDir, "/tmp/r");
  assert.deepEqual(options.iterations, QUICK_ITERATIONS);
});

Deno.test("wrong flags give a message with the usage", () => {
  for (const args of [["--ep", "cuda"], ["--bogus"], ["--voice", " "], ["extra"]]) {
    const result = parseBenchOptions(args);
    assert.ok("message" in result, args.join(" "));
    assert.match(result.message, /usage: deno task bench/);
    assert.equal(result.help, false);
  }
  const help = parseBenchOptions(["--help"]);
  assert.ok("message" in help && help.help);
});
