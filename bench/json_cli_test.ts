import assert from "node:assert/strict";
import { usageError } from "./cli_args.ts";
import { type JsonCli, type JsonCliOptions, runJsonCli } from "./json_cli.ts";
import { createTempDir } from "../tests/support/temp_dir.ts";

interface Options extends JsonCliOptions {
  readonly fail: boolean;
}

interface Result {
  readonly value: number;
  readonly ok: boolean;
}

function cli(dir: string): JsonCli<Options, Result> {
  return {
    name: "demo",
    parse(args) {
      if (args.includes("--help")) return { message: "usage: demo", help: true };
      if (args.includes("--bad")) return usageError("--bad is not a flag", "usage: demo");
      const json = args.includes("--json") ? `${dir}/extra.json` : undefined;
      return { fail: args.includes("--fail"), json, resultsDir: `${dir}/results` };
    },
    run(options) {
      if (options.fail) return Promise.reject(new Error("no worker"));
      return Promise.resolve({ value: 42, ok: !options.json });
    },
    summary: (result) => `value ${result.value}`,
    resultFileName: (result) => `demo-${result.value}.json`,
    exitCode: (result) => result.ok ? 0 : 3,
  };
}

Deno.test("runJsonCli prints, keeps the dated file and the --json copy, and exits as told", async () => {
  await using dir = await createTempDir("json_cli_test_");
  const printed: string[] = [];
  const output = { print: (json: string) => Promise.resolve(void printed.push(json)) };
  assert.equal(await runJsonCli(cli(dir.path), [], output), 0);
  assert.deepEqual(JSON.parse(printed[0]), { value: 42, ok: true });
  assert.equal(await Deno.readTextFile(`${dir.path}/results/demo-42.json`), printed[0]);

  assert.equal(await runJsonCli(cli(dir.path), ["--json"], output), 3, "the CLI's own exit code");
  assert.equal(await Deno.readTextFile(`${dir.path}/extra.json`), printed[1]);
});

Deno.test("runJsonCli: --help exits 0, wrong flags 2, a failed run 1, printing nothing", async () => {
  const printed: string[] = [];
  const output = { print: (json: string) => Promise.resolve(void printed.push(json)) };
  const dir = "/nonexistent";
  assert.equal(await runJsonCli(cli(dir), ["--help"], output), 0);
  assert.equal(await runJsonCli(cli(dir), ["--bad"], output), 2);
  assert.equal(await runJsonCli(cli(dir), ["--fail"], output), 1);
  assert.deepEqual(printed, []);
});
