/**
 * No docker engine runs here, so the Dockerfile is checked for what can be checked directly: every
 * path it copies exists, it pins the Deno version CI uses, and its `CMD` and `HEALTHCHECK`
 * commands, run as written (with the image's environment), start a serving worker and tell
 * SERVING from unreachable.
 */
import assert from "node:assert/strict";
import { startWorkerProcess } from "./support/worker_process.ts";

const ROOT = new URL("../", import.meta.url);
const dockerfile = await Deno.readTextFile(new URL("Dockerfile", ROOT));

/** Instructions with line continuations joined. */
function instructions(text: string): string[] {
  return text.replace(/\\\n/g, " ").split("\n").map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The JSON-array command of the last instruction that starts with `prefix`. */
function execForm(prefix: string): string[] {
  const line = instructions(dockerfile).findLast((l) => l.startsWith(prefix));
  assert.ok(line, `Dockerfile has no ${prefix}`);
  const json = line.slice(line.indexOf("["));
  const command = JSON.parse(json) as string[];
  assert.equal(command[0], "deno", `${prefix} runs deno`);
  return command.slice(1);
}

/** `ENV` settings of the runtime stage (the last stage). */
function runtimeEnv(): Record<string, string> {
  const lines = instructions(dockerfile);
  const lastFrom = lines.findLastIndex((l) => l.startsWith("FROM "));
  const env: Record<string, string> = {};
  for (const line of lines.slice(lastFrom).filter((l) => l.startsWith("ENV "))) {
    for (const [, key, value] of line.matchAll(/([A-Z_]+)=(\S+)/g)) env[key] = value;
  }
  return env;
}

Deno.test("Dockerfile copies only paths that exist and pins CI's Deno version", async () => {
  const ci = await Deno.readTextFile(new URL(".ci/run", ROOT));
  const ciVersion = ci.match(/deno@(\d+\.\d+\.\d+)/)?.[1];
  assert.ok(ciVersion, ".ci/run names a Deno version");
  assert.match(dockerfile, new RegExp(`ARG DENO_VERSION=${ciVersion.replaceAll(".", "\\.")}\n`));
  const copies = instructions(dockerfile).filter((l) =>
    l.startsWith("COPY ") && !/--from=/.test(l)
  );
  assert.ok(copies.length >= 3);
  for (const copy of copies) {
    const parts = copy.split(/\s+/).slice(1).filter((p) => !p.startsWith("--"));
    for (const source of parts.slice(0, -1)) {
      await Deno.stat(new URL(source, ROOT)); // throws NotFound for a missing path
    }
  }
  assert.match(dockerfile, /^USER deno$/m, "runs as a non-root user");
  assert.match(dockerfile, /^VOLUME \["\/models"\]$/m);
  assert.match(dockerfile, /^EXPOSE 7001$/m);
});

Deno.test("the image's CMD serves and its HEALTHCHECK tells SERVING from unreachable", async () => {
  const env = runtimeEnv();
  assert.equal(env.TTS_MODELS_DIR, "/models");
  const models = await Deno.makeTempDir();
  const cmd = execForm("CMD");
  const worker = await startWorkerProcess(
    cmd,
    { ...env, TTS_HOST: "127.0.0.1", TTS_PORT: "0", TTS_MODELS_DIR: models },
    ROOT.pathname,
  );
  const healthcheck = execForm("HEALTHCHECK");
  const runCheck = async (port: number) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: healthcheck,
      cwd: ROOT.pathname,
      env: { ...env, TTS_PORT: String(port) },
      stdout: "piped",
      stderr: "null",
    }).output();
    return { code: output.code, report: JSON.parse(new TextDecoder().decode(output.stdout)) };
  };
  try {
    const serving = await runCheck(worker.port);
    assert.equal(serving.code, 0);
    assert.equal(serving.report.status, "SERVING");
  } finally {
    assert.equal(await worker.stop(), 0);
    await Deno.remove(models, { recursive: true });
  }
  const gone = await runCheck(worker.port);
  assert.equal(gone.code, 1);
  assert.equal(gone.report.status, "UNREACHABLE");
});
