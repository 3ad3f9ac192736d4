import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createLogger } from "./log.ts";

/** A stream that keeps what is written to it. */
function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

Deno.test("createLogger: JSON lines at the chosen level", () => {
  const out = capture();
  const log = createLogger("info", { pretty: false, destination: out.stream });
  log.debug({ session_id: "s1" }, "hidden");
  log.info({ session_id: "s1", model_id: "espeak-en-us" }, "session started");
  const lines = out.text().trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].msg, "session started");
  assert.equal(lines[0].session_id, "s1");
  assert.equal(lines[0].model_id, "espeak-en-us");
  assert.equal(lines[0].level, 30);
  assert.equal(lines[0].service, "tts-worker");
});

Deno.test("createLogger: pretty output is readable lines, not JSON", () => {
  const out = capture();
  const log = createLogger("debug", { pretty: true, destination: out.stream });
  log.debug({ session_id: "s2", sequence_number: 4 }, "text chunk");
  const text = out.text();
  assert.match(text, /DEBUG.*: text chunk/);
  assert.match(text, /session_id: "s2"/);
  assert.match(text, /sequence_number: 4/);
  assert.throws(() => JSON.parse(text.split("\n")[0]));
  assert.equal(text.includes("\u001b["), false, "no colours when writing to a stream");
});
