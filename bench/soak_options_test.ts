import assert from "node:assert/strict";
import {
  DEFAULT_DURATION_S,
  DEFAULT_SESSIONS,
  parseSoakOptions,
  type SoakOptions,
} from "./soak_options.ts";

function parsed(args: string[]): SoakOptions {
  const result = parseSoakOptions(args, () => 7);
  if ("message" in result) throw new Error(result.message);
  return result;
}

function message(args: string[]): string {
  const result = parseSoakOptions(args, () => 7);
  assert.ok("message" in result, `expected ${args.join(" ")} to be refused`);
  assert.equal(result.help, false);
  return result.message;
}

Deno.test("defaults: 8 sessions, 180 s, espeak-en-us, a drawn seed", () => {
  const options = parsed([]);
  assert.deepEqual(options, {
    sessions: DEFAULT_SESSIONS,
    durationS: DEFAULT_DURATION_S,
    voice: "espeak-en-us",
    modelsDir: undefined,
    seed: 7,
    audioLeadMs: 0,
    json: undefined,
  });
  assert.equal(DEFAULT_SESSIONS, 8);
  assert.equal(DEFAULT_DURATION_S, 180);
});

Deno.test("every flag is read", () => {
  assert.deepEqual(
    parsed([
      "--sessions",
      "3",
      "--duration-s",
      "12.5",
      "--voice",
      "en_US-tiny-low",
      "--models-dir",
      "tests/fixtures/voices",
      "--seed",
      "4294967295",
      "--audio-lead-ms",
      "1000",
      "--json",
      "out.json",
    ]),
    {
      sessions: 3,
      durationS: 12.5,
      voice: "en_US-tiny-low",
      modelsDir: "tests/fixtures/voices",
      seed: 4294967295,
      audioLeadMs: 1000,
      json: "out.json",
    },
  );
});

Deno.test("bad values are refused with the flag named and the usage", () => {
  assert.match(message(["--sessions", "0"]), /--sessions must be a whole number from 1/);
  assert.match(message(["--sessions", "2.5"]), /--sessions/);
  assert.match(message(["--sessions", "x"]), /usage: deno task soak/);
  assert.match(message(["--duration-s", "0"]), /--duration-s/);
  assert.match(message(["--duration-s", ""]), /--duration-s/);
  assert.match(message(["--duration-s", "-3"]), /--duration-s/);
  assert.match(message(["--voice", " "]), /--voice is empty/);
  assert.match(message(["--seed", "4294967296"]), /--seed/);
  assert.match(message(["--audio-lead-ms", "1.5"]), /--audio-lead-ms must be a whole number/);
  assert.match(message(["--bogus"]), /bogus/);
  assert.match(message(["extra"]), /usage/);
});

Deno.test("--help gives the usage and is not an error", () => {
  const result = parseSoakOptions(["--help"]);
  assert.ok("message" in result);
  assert.equal(result.help, true);
  assert.match(result.message, /^usage: deno task soak/);
});
