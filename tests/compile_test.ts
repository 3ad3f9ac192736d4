/**
 * The single binary: `deno task compile` (scripts/compile.sh) packages src/main.ts with the
 * protos and WebAssembly assets it loads at run time. Running the binary needs `denort` of this
 * Deno's version; where DENORT_BIN names one, the binary is built, started on a free port and
 * made to speak. Without it (offline, as here) the packaging is checked on top of the full CLI
 * and the script must fail with a message that says what to do.
 */
import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { createTtsClient } from "../src/rpc/client.ts";
import { TTS_PROTO_PATH } from "../src/rpc/proto.ts";
import { speak } from "./support/synthesis_client.ts";
import { createTempDir } from "./support/temp_dir.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const SCRIPT = `${ROOT}scripts/compile.sh`;

/** The paths of scripts/compile_includes.txt, relative to the repository root. */
function includeList(): string[] {
  return Deno.readTextFileSync(`${ROOT}scripts/compile_includes.txt`).split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

async function runScript(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command("bash", {
    args: [SCRIPT, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const output = decoder.decode(result.stdout) + decoder.decode(result.stderr);
  return { code: result.code, output };
}

Deno.test("compile includes: every listed file exists and covers what the worker loads", () => {
  const real = (path: string) => realpathSync(path);
  const included = new Set(includeList().map((path) => real(`${ROOT}${path}`)));
  const wasm = (name: string) => new URL(import.meta.resolve(`onnxruntime-web/${name}`)).pathname;
  const needed = [
    TTS_PROTO_PATH,
    healthProtoPath,
    `${ROOT}node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto`,
    `${ROOT}node_modules/@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto`,
    `${ROOT}node_modules/@echogarden/espeak-ng-emscripten/espeak-ng.data`,
    wasm("ort-wasm-simd-threaded.wasm"),
    wasm("ort-wasm-simd-threaded.asyncify.wasm"),
    `${ROOT}src/engines/engine_worker.ts`,
  ];
  for (const path of needed) assert.ok(included.has(real(path)), `not included: ${path}`);
});

Deno.test("compile --check: the module graph and the includes package into one executable", async () => {
  const { code, output } = await runScript(["--check"]);
  assert.equal(code, 0, output);
  assert.match(output, /Embedded Files/);
  for (const name of ["engine_worker.ts", "proto/*", "espeak-ng-emscripten", "onnxruntime-web"]) {
    assert.ok(output.includes(name), `${name} not embedded:\n${output.slice(-3000)}`);
  }
});

Deno.test("compile: the full deno CLI as DENORT_BIN is refused with what to do", async () => {
  const { code, output } = await runScript(["/tmp/never-written-tts-worker"], {
    DENORT_BIN: Deno.execPath(),
  });
  assert.equal(code, 1);
  assert.match(output, /is the full deno CLI, not denort/);
  assert.match(output, /DENORT_BIN=\/path\/to\/denort deno task compile/);
  assert.match(output, new RegExp(`denort ${Deno.version.deno.replaceAll(".", "\\.")}`));
});

const DENORT = Deno.env.get("DENORT_BIN");

Deno.test({
  name: "compiled binary: starts on a free port and speaks (needs DENORT_BIN=denort)",
  ignore: DENORT === undefined,
  fn: async () => {
    await using dir = await createTempDir("tts-compiled-");
    const binary = `${dir.path}/tts-worker`;
    const built = await runScript([binary], { DENORT_BIN: DENORT! });
    assert.equal(built.code, 0, built.output);
    const child = new Deno.Command(binary, {
      args: ["--host", "127.0.0.1", "--port", "0", "--models-dir", `${ROOT}models`],
      env: { XDG_RUNTIME_DIR: "/tmp" },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let port = 0;
    let buffered = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const deadline = Date.now() + 60_000;
    while (port === 0 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      for (const line of buffered.split("\n")) {
        if (line.includes('"msg":"ready"')) port = JSON.parse(line).port;
      }
    }
    const draining = (async () => {
      while (!(await reader.read()).done) { /* keep the pipe flowing */ }
    })();
    try {
      assert.ok(port > 0, `no ready line:\n${buffered}`);
      const client = createTtsClient(`127.0.0.1:${port}`);
      try {
        const { frames, error } = await speak(client, "compiled", "Hello from one binary.");
        assert.equal(error, undefined);
        assert.ok(frames.length > 10, `${frames.length} frames`);
        assert.equal(frames.filter((frame) => frame.is_final).length, 1);
      } finally {
        client.close();
      }
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await draining;
    }
  },
});
