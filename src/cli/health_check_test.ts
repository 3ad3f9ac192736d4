import assert from "node:assert/strict";
import { HEALTH_USAGE, healthCheck } from "./health_check.ts";

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
