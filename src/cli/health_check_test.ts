import assert from "node:assert/strict";
import { createTempDir } from "../../tests/support/temp_dir.ts";
import { HEALTH_USAGE, healthCheck, probeTarget } from "./health_check.ts";

/** Runs `body` with console.log and console.error captured. */
async function captured(body: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  console.error = console.log;
  try {
    return { code: await body(), out: lines.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("health CLI: --help prints the usage and exits 0; bad options exit 2 with it", async () => {
  const help = await captured(() => healthCheck(["--help"]));
  assert.equal(help.code, 0);
  assert.equal(help.out, HEALTH_USAGE);
  const unknown = await captured(() => healthCheck(["--bogus"]));
  assert.equal(unknown.code, 2);
  assert.match(unknown.out, /Unknown option '--bogus'[\s\S]*usage: deno task health/);
  const timeout = await captured(() => healthCheck(["--timeout-ms", "0"]));
  assert.equal(timeout.code, 2);
  assert.match(timeout.out, /--timeout-ms must be a positive number, got "0"/);
});

Deno.test("health CLI: nothing listening exits 1 with UNREACHABLE", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const run = await captured(() =>
    healthCheck(["--address", `127.0.0.1:${port}`, "--timeout-ms", "1000"])
  );
  assert.equal(run.code, 1);
  assert.equal(JSON.parse(run.out).status, "UNREACHABLE");
});

Deno.test("health CLI: without --address it probes where the worker's own settings put it", async () => {
  await using dir = await createTempDir("health_check_test_");
  const pem = `${dir.path}/fake.pem`;
  await Deno.writeTextFile(pem, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
  const config = `${dir.path}/worker.json`;
  await Deno.writeTextFile(config, JSON.stringify({ port: 7311 }));
  assert.deepEqual(probeTarget({}), { address: "127.0.0.1:7001", tls: false });
  assert.deepEqual(probeTarget({ TTS_PORT: "7002" }), { address: "127.0.0.1:7002", tls: false });
  assert.deepEqual(probeTarget({ TTS_CONFIG: config }), { address: "127.0.0.1:7311", tls: false });
  assert.deepEqual(probeTarget({ TTS_HOST: "::", TTS_PORT: "7003" }), {
    address: "[::1]:7003",
    tls: false,
  });
  assert.deepEqual(probeTarget({ TTS_HOST: "10.0.0.5", TTS_TLS_CERT: pem, TTS_TLS_KEY: pem }), {
    address: "10.0.0.5:7001",
    tls: true,
  });
  // TTS_ADDRESS, the CLI's own variable, wins.
  assert.deepEqual(probeTarget({ TTS_ADDRESS: "h:1", TTS_PORT: "7002" }), {
    address: "h:1",
    tls: false,
  });
  // The token and TLS files are not read: a token file the probe cannot read changes nothing.
  assert.deepEqual(
    probeTarget({ TTS_PORT: "7004", TTS_AUTH_TOKEN_FILE: `${dir.path}/absent-token` }),
    { address: "127.0.0.1:7004", tls: false },
  );
  // Settings the worker would refuse: unhealthy (1; Docker reserves 2 for HEALTHCHECK).
  const bad = await captured(() => healthCheck([], { TTS_PORT: "70000" }));
  assert.equal(bad.code, 1);
  assert.match(bad.out, /cannot tell where the worker listens: --port \(or TTS_PORT\)/);
});
