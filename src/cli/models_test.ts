import assert from "node:assert/strict";
import { join } from "node:path";
import { runDenoScript, type ScriptRun } from "../../tests/support/child_process.ts";
import type { DownloadProgress } from "../models/download.ts";
import { formatBytes, formatProgressLine, ProgressBar, runModelsCli } from "./models.ts";
import { createTempDir } from "../../tests/support/temp_dir.ts";

const CLI = new URL("./models.ts", import.meta.url).pathname;
const CHUNK = 32 * 1024;

function progress(received: number, total: number, fileName = "v.onnx"): DownloadProgress {
  return {
    id: "v",
    file: "model",
    fileName,
    receivedBytes: received,
    totalBytes: total,
    overallReceivedBytes: received,
    overallTotalBytes: total,
  };
}

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Serves `files` (URL path -> bytes) on 127.0.0.1 in chunks; 404 for anything else. */
function serveFiles(files: Map<string, Uint8Array>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const body = files.get(new URL(req.url).pathname);
    if (!body) return new Response("not found", { status: 404 });
    let offset = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (offset >= body.length) return controller.close();
          controller.enqueue(body.slice(offset, offset + CHUNK));
          offset += CHUNK;
        },
      }),
      { headers: { "content-length": String(body.length) } },
    );
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/**
 * A Piper voice config the engine's parser takes (trimmed phoneme map), with `extra` fields
 * merged over it.
 */
function voiceConfig(sampleRate: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    audio: { sample_rate: sampleRate, quality: "low" },
    espeak: { voice: "en-us" },
    phoneme_id_map: { "_": [0], "^": [1], "$": [2], " ": [3] },
    num_speakers: 1,
    ...extra,
  });
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<ScriptRun> {
  return runDenoScript(CLI, args, { env: { NO_COLOR: "1", ...env } });
}

async function writeCatalog(
  path: string,
  model: Uint8Array<ArrayBuffer>,
  config: Uint8Array<ArrayBuffer>,
  modelSha?: string,
): Promise<void> {
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      schema_version: 1,
      source: { repository: "test/voices", base_url: "http://127.0.0.1:9/unused" },
      voices: [{
        id: "xx_XX-cli-low",
        family: "piper",
        languages: ["xx-xx"],
        quality: "low",
        sample_rate: 16000,
        speakers: 1,
        license: "CC0-1.0",
        revision: "main",
        model: {
          path: "xx/xx_XX-cli-low.onnx",
          size_bytes: model.length,
          sha256: modelSha ?? await sha256Hex(model),
        },
        config: {
          path: "xx/xx_XX-cli-low.onnx.json",
          size_bytes: config.length,
          sha256: await sha256Hex(config),
        },
      }],
    }),
  );
}

Deno.test("formatBytes uses binary units", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.0 KiB");
  assert.equal(formatBytes(63201294), "60.3 MiB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
});

Deno.test("formatProgressLine shows name, bar, percent, bytes and rate", () => {
  const line = formatProgressLine(progress(15_800_324, 63_201_294), 2 * 1024 * 1024, 20);
  assert.equal(line, "v.onnx [#####...............]  25.0%  15.1 MiB / 60.3 MiB  2.0 MiB/s");
  assert.equal(
    formatProgressLine(progress(10, 10), null, 4),
    "v.onnx [####] 100.0%  10 B / 10 B",
  );
});

Deno.test("ProgressBar prints a line per 10 % step when not on a terminal", () => {
  const lines: string[] = [];
  let clock = 0;
  const bar = new ProgressBar((t) => lines.push(t), false, () => clock);
  const total = 8 * 1024 * 1024;
  for (let got = 0; got <= total; got += 64 * 1024) {
    clock += 5;
    bar.update(progress(got, total));
  }
  bar.finish();
  assert.equal(lines.length, 11);
  assert.ok(lines.every((l) => l.endsWith("\n") && !l.includes("\r")));
  const percents = lines.map((l) => Number(/(\d+\.\d)%/.exec(l)![1]));
  assert.equal(percents[0], 0);
  assert.equal(percents.at(-1), 100);
  for (let i = 1; i < percents.length; i++) assert.ok(percents[i] > percents[i - 1]);

  // A small file (a config) gets one line, at its end.
  lines.length = 0;
  for (const got of [0, 2000, 4882]) bar.update(progress(got, 4882, "v.onnx.json"));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^v\.onnx\.json .*100\.0%/);
});

Deno.test("ProgressBar redraws in place on a terminal and ends the line", () => {
  const out: string[] = [];
  let clock = 0;
  const bar = new ProgressBar((t) => out.push(t), true, () => clock);
  bar.update(progress(0, 1000));
  clock += 10; // too soon: skipped
  bar.update(progress(100, 1000));
  clock += 200;
  bar.update(progress(500, 1000));
  clock += 10; // completion is always drawn
  bar.update(progress(1000, 1000));
  assert.equal(out.filter((t) => t.startsWith("\r\x1b[2K")).length, 3);
  assert.equal(out.at(-1), "\n");
  bar.finish();
  assert.equal(out.filter((t) => t === "\n").length, 1);
});

Deno.test("runModelsCli: usage errors exit 1 and say what to do", async () => {
  const err: string[] = [];
  const io = {
    stdout: (_: string) => {},
    stderr: (t: string) => err.push(t),
    stderrIsTerminal: false,
    env: (_: string) => undefined,
  };
  assert.equal(await runModelsCli([], io), 1);
  assert.match(err.join(""), /no command given[\s\S]*Usage/);
  err.length = 0;
  assert.equal(await runModelsCli(["pull"], io), 1);
  assert.match(err.join(""), /pull needs a model id/);
  err.length = 0;
  assert.equal(await runModelsCli(["frobnicate"], io), 1);
  assert.match(err.join(""), /unknown command "frobnicate"/);
  err.length = 0;
  assert.equal(await runModelsCli(["list", "--bogus"], io), 1);
  assert.match(err.join(""), /bogus/);
  err.length = 0;
  assert.equal(await runModelsCli(["pull", "../../etc/passwd"], io), 1);
  assert.match(err.join(""), /may only contain/);
  err.length = 0;
  assert.equal(await runModelsCli(["list", "--catalog", "/nonexistent/catalog.json"], io), 1);
  assert.match(err.join(""), /cannot read catalogue \/nonexistent\/catalog\.json/);
});

Deno.test("models CLI end to end: pull from a local server, list, verify", async () => {
  const model = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
  const config = new TextEncoder().encode(voiceConfig(16000));
  const server = serveFiles(
    new Map([["/m/xx/xx_XX-cli-low.onnx", model], ["/m/xx/xx_XX-cli-low.onnx.json", config]]),
  );
  await using dir = await createTempDir("models_cli_test_");
  try {
    const catalog = join(dir.path, "catalog.json");
    const modelsDir = join(dir.path, "models");
    await writeCatalog(catalog, model, config);

    const pull = await runCli(["pull", "xx_XX-cli-low", "--catalog", catalog], {
      TTS_MODELS_DIR: modelsDir,
      TTS_MODELS_BASE_URL: `${server.url}/m`,
    });
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stderr, /xx_XX-cli-low\.onnx \[#+\] 100\.0%/);
    assert.match(pull.stderr, /sha256 verified/);
    assert.deepEqual(await Deno.readFile(join(modelsDir, "xx_XX-cli-low.onnx")), model);
    assert.deepEqual(await Deno.readFile(join(modelsDir, "xx_XX-cli-low.onnx.json")), config);

    const list = await runCli(["list", "--json", "--catalog", catalog, "--models-dir", modelsDir]);
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as { id: string; downloaded: boolean }[];
    assert.equal(listed.find((m) => m.id === "xx_XX-cli-low")?.downloaded, true);
    assert.equal(listed.find((m) => m.id === "espeak-en-us")?.downloaded, true);

    const table = await runCli(["list", "--catalog", catalog, "--models-dir", modelsDir]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+FAMILY\s+DOWNLOADED\s+SIZE\s+LICENSE/);
    assert.match(table.stdout, /xx_XX-cli-low\s+piper\s+yes\s+\S+ KiB\s+CC0-1\.0/);

    const verify = await runCli(["verify", "--catalog", catalog, "--models-dir", modelsDir]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /verified\s+xx_XX-cli-low: sha256 [0-9a-f]{64} OK/);

    const unknown = await runCli(["pull", "nope", "--catalog", catalog, "--models-dir", modelsDir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown model id "nope"[\s\S]*Known ids: xx_XX-cli-low/);
  } finally {
    await server.close();
  }
});

Deno.test("models CLI: a hash mismatch or a 404 exits 1 and keeps nothing", async () => {
  const model = new Uint8Array(50_000).map((_, i) => i % 13);
  const config = new TextEncoder().encode(voiceConfig(16000));
  const server = serveFiles(
    new Map([["/m/xx/xx_XX-cli-low.onnx", model], ["/m/xx/xx_XX-cli-low.onnx.json", config]]),
  );
  await using dir = await createTempDir("models_cli_test_");
  try {
    const catalog = join(dir.path, "catalog.json");
    const modelsDir = join(dir.path, "models");
    const wrong = "0".repeat(64);
    await writeCatalog(catalog, model, config, wrong);
    const common = ["--catalog", catalog, "--models-dir", modelsDir];

    const bad = await runCli(["pull", "xx_XX-cli-low", ...common, "--base-url", `${server.url}/m`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`expected ${wrong}, got ${await sha256Hex(model)}`));
    assert.match(bad.stderr, /Nothing was kept/);
    const left: string[] = [];
    for await (const e of Deno.readDir(modelsDir)) left.push(e.name);
    assert.deepEqual(left, []);

    const missing = await runCli([
      "pull",
      "xx_XX-cli-low",
      ...common,
      "--base-url",
      `${server.url}/x`,
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /HTTP 404/);
    assert.match(missing.stderr, /not at that address/);
  } finally {
    await server.close();
  }
});

/** Runs the CLI in this process; returns the exit code and what it wrote. */
async function runInProcess(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runModelsCli(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stderrIsTerminal: false,
    env: () => undefined,
  });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

Deno.test("models verify fails for an edited config and for a voice the scan must drop", async () => {
  const model = new Uint8Array(20_000).map((_, i) => (i * 31) % 251);
  const configText = voiceConfig(16000);
  const config = new TextEncoder().encode(configText);
  await using dir = await createTempDir("models_cli_test_");
  const catalog = join(dir.path, "catalog.json");
  const modelsDir = join(dir.path, "models");
  const configPath = join(modelsDir, "xx_XX-cli-low.onnx.json");
  await writeCatalog(catalog, model, config);
  await Deno.mkdir(modelsDir);
  await Deno.writeFile(join(modelsDir, "xx_XX-cli-low.onnx"), model);
  await Deno.writeFile(configPath, config);
  const common = ["--catalog", catalog, "--models-dir", modelsDir];

  const pristine = await runInProcess(["verify", ...common]);
  assert.equal(pristine.code, 0, pristine.stderr);
  assert.match(
    pristine.stdout,
    /verified\s+xx_XX-cli-low: sha256 [0-9a-f]{64} OK; config sha256 OK/,
  );

  // The same size, another sample rate: only the config's digest tells.
  await Deno.writeTextFile(configPath, configText.replace("16000", "22050"));
  for (const args of [["verify"], ["verify", "xx_XX-cli-low"]]) {
    const edited = await runInProcess([...args, ...common]);
    assert.equal(edited.code, 1, `${args}: ${edited.stdout}`);
    assert.match(edited.stdout, /^mismatch\s+xx_XX-cli-low: sha256 of \S+\.onnx\.json is /);
    assert.match(edited.stdout, /pull it again/);
  }

  // A truncated config: the scan drops the voice with a warning, and verify fails.
  await Deno.writeTextFile(configPath, '{"audio": {"sample_r');
  const all = await runInProcess(["verify", ...common]);
  assert.equal(all.code, 1, all.stdout);
  assert.match(all.stderr, /warning: .*xx_XX-cli-low\.onnx\.json: config is not valid JSON/);
  assert.match(all.stderr, /error: 1 problem\(s\) in /);
  assert.doesNotMatch(all.stdout, /No downloaded voices/);
  const one = await runInProcess(["verify", "xx_XX-cli-low", ...common]);
  assert.equal(one.code, 1, one.stdout);
  assert.match(one.stderr, /error: xx_XX-cli-low cannot be used: config is not valid JSON/);
});

Deno.test("models list and verify show a voice whose config the Piper engine rejects", async () => {
  await using dir = await createTempDir("models_cli_test_");
  const catalog = join(dir.path, "catalog.json");
  const modelsDir = join(dir.path, "models");
  const model = new Uint8Array(10_000).map((_, i) => (i * 17) % 251);
  const catalogConfig = new TextEncoder().encode(voiceConfig(16000));
  await writeCatalog(catalog, model, catalogConfig);
  await Deno.mkdir(modelsDir);
  // A local voice the catalogue does not list: valid JSON, but its length scale is out of range.
  await Deno.writeFile(join(modelsDir, "xx_XX-local-low.onnx"), model);
  await Deno.writeTextFile(
    join(modelsDir, "xx_XX-local-low.onnx.json"),
    voiceConfig(22050, { inference: { length_scale: 50 } }),
  );
  const common = ["--catalog", catalog, "--models-dir", modelsDir];
  const lengthScale = /field "inference\.length_scale" must be a number > 0 and <= 10, got 50/;

  const table = await runInProcess(["list", ...common]);
  assert.equal(table.code, 0, table.stderr);
  assert.doesNotMatch(table.stdout, /xx_XX-local-low/);
  assert.match(table.stderr, /warning: \S+xx_XX-local-low\.onnx\.json: invalid Piper config/);
  assert.match(table.stderr, lengthScale);
  const json = await runInProcess(["list", "--json", ...common]);
  assert.equal(json.code, 0, json.stderr);
  const listed = JSON.parse(json.stdout) as { id: string }[];
  assert.equal(listed.find((m) => m.id === "xx_XX-local-low"), undefined);

  const all = await runInProcess(["verify", ...common]);
  assert.equal(all.code, 1, all.stdout);
  assert.match(all.stderr, lengthScale);
  assert.match(all.stderr, /error: 1 problem\(s\) in /);
  const one = await runInProcess(["verify", "xx_XX-local-low", ...common]);
  assert.equal(one.code, 1, one.stdout);
  assert.match(one.stderr, /error: xx_XX-local-low cannot be used: invalid Piper config/);
  assert.match(one.stderr, lengthScale);

  // A catalogue voice with such a config on disk: listed as not downloaded, and verify fails.
  await Deno.rename(join(modelsDir, "xx_XX-local-low.onnx"), join(modelsDir, "xx_XX-cli-low.onnx"));
  await Deno.rename(
    join(modelsDir, "xx_XX-local-low.onnx.json"),
    join(modelsDir, "xx_XX-cli-low.onnx.json"),
  );
  const catalogTable = await runInProcess(["list", ...common]);
  assert.equal(catalogTable.code, 0, catalogTable.stderr);
  assert.match(catalogTable.stdout, /xx_XX-cli-low\s+piper\s+no\s/);
  assert.match(catalogTable.stderr, /warning: \S+xx_XX-cli-low\.onnx\.json: invalid Piper config/);
  const catalogOne = await runInProcess(["verify", "xx_XX-cli-low", ...common]);
  assert.equal(catalogOne.code, 1, catalogOne.stdout);
  assert.match(catalogOne.stderr, /error: xx_XX-cli-low cannot be used: invalid Piper config/);
  assert.match(catalogOne.stderr, lengthScale);
});
