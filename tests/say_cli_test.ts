/**
 * `deno task say`: the small gRPC client a person uses to listen to a running worker writes a
 * playable 48 kHz mono 16-bit WAV, and says clearly when no worker answers.
 */
import assert from "node:assert/strict";
import { runDenoScript, type ScriptRun } from "./support/child_process.ts";
import { startTestWorker } from "./support/worker_process.ts";
import { createTempDir } from "./support/temp_dir.ts";

const SAY = new URL("../src/cli/say.ts", import.meta.url).pathname;

function runSay(args: string[]): Promise<ScriptRun> {
  return runDenoScript(SAY, args);
}

Deno.test("say writes a WAV of the worker's speech", async () => {
  const worker = await startTestWorker();
  await using dir = await createTempDir("say_cli_test_");
  try {
    const out = `${dir.path}/hello.wav`;
    const result = await runSay([
      "Hello world. This is a test.",
      "--address",
      worker.address,
      "--out",
      out,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const frames = Number(result.stderr.match(/(\d+) frames/)?.[1]);
    assert.ok(frames > 25, `frames: ${result.stderr}`);
    const wav = await Deno.readFile(out);
    const view = new DataView(wav.buffer);
    assert.equal(new TextDecoder().decode(wav.subarray(0, 4)), "RIFF");
    assert.equal(new TextDecoder().decode(wav.subarray(8, 12)), "WAVE");
    assert.equal(view.getUint16(22, true), 1, "mono");
    assert.equal(view.getUint32(24, true), 48000, "sample rate");
    assert.equal(view.getUint16(34, true), 16, "bits per sample");
    assert.equal(view.getUint32(40, true), frames * 1920, "data size is the frames' bytes");
    assert.equal(wav.byteLength, 44 + frames * 1920);
    const samples = new Int16Array(wav.buffer, 44, frames * 960);
    assert.ok(samples.some((s) => Math.abs(s) > 3000), "the WAV holds sound, not silence");
  } finally {
    assert.equal(await worker.stop(), 0);
  }
});

Deno.test("say explains when no worker answers, and rejects empty text", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // a port that nothing listens on
  const unreachable = await runSay([
    "Hello",
    "--address",
    `127.0.0.1:${port}`,
    "--out",
    "/dev/null",
  ]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /is a worker running at 127\.0\.0\.1:\d+/);
  const empty = await runSay([]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /usage: deno task say/);
});
