import assert from "node:assert/strict";
import { parseCliArgs, usageError } from "./cli_args.ts";

const OPTIONS = {
  name: { type: "string", default: "x" },
  help: { type: "boolean", default: false },
} as const;

Deno.test("parseCliArgs: values, or the usage for --help and for wrong flags", () => {
  const parsed = parseCliArgs(["--name", "y"], OPTIONS, "USAGE");
  assert.ok("values" in parsed);
  assert.deepEqual({ ...parsed.values }, { name: "y", help: false });
  assert.deepEqual(parseCliArgs(["--help"], OPTIONS, "USAGE"), { message: "USAGE", help: true });
  for (const args of [["--nope"], ["positional"], ["--name"]]) {
    const parsed = parseCliArgs(args, OPTIONS, "USAGE");
    assert.ok("message" in parsed && !parsed.help, args.join(" "));
    assert.match(parsed.message, /\nUSAGE$/);
  }
  assert.deepEqual(usageError("bad", "USAGE"), { message: "bad\nUSAGE", help: false });
});
