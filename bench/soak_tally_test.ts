import assert from "node:assert/strict";
import { status } from "@grpc/grpc-js";
import { grpcCodeName, MAX_PROBLEM_SAMPLES, SoakTally } from "./soak_tally.ts";

Deno.test("grpcCodeName names the status code an error carries", () => {
  assert.equal(grpcCodeName({ code: status.UNAVAILABLE, details: "gone" }), "UNAVAILABLE");
  assert.equal(grpcCodeName(Object.assign(new Error("x"), { code: 5 })), "NOT_FOUND");
  assert.equal(grpcCodeName({ code: 0 }), "OK");
  assert.equal(grpcCodeName(new Error("no code")), "UNKNOWN");
  assert.equal(grpcCodeName({ code: 99 }), "UNKNOWN");
  assert.equal(grpcCodeName({ code: "EPIPE" }), "UNKNOWN");
  assert.equal(grpcCodeName(undefined), "UNKNOWN");
});

Deno.test("errors are counted by code, refusals by method, with samples", () => {
  const tally = new SoakTally();
  tally.recordError("Synthesize", Object.assign(new Error("13 INTERNAL: boom"), { code: 13 }));
  tally.recordError("Control STOP", { code: status.INTERNAL });
  tally.recordError("EndSession", { code: status.DEADLINE_EXCEEDED });
  tally.recordRefusal("StartSession", "the worker is at its limit");
  assert.deepEqual(tally.errorsByCode, { INTERNAL: 2, DEADLINE_EXCEEDED: 1 });
  assert.equal(tally.errors, 3);
  assert.deepEqual(tally.refusals, { StartSession: 1 });
  assert.equal(tally.refused, 1);
  assert.equal(tally.samples.length, 4);
  assert.match(tally.samples[0], /^Synthesize: INTERNAL: 13 INTERNAL: boom$/);
  assert.match(tally.samples[3], /StartSession refused: the worker is at its limit/);
});

Deno.test("samples stop at the limit and are cut short", () => {
  const tally = new SoakTally();
  for (let i = 0; i < MAX_PROBLEM_SAMPLES + 5; i++) tally.sample("x".repeat(1000));
  assert.equal(tally.samples.length, MAX_PROBLEM_SAMPLES);
  assert.equal(tally.samples[0].length, 300);
});

Deno.test("utterances are counted by kind", () => {
  const tally = new SoakTally();
  tally.countUtterance("llm");
  tally.countUtterance("llm");
  tally.countUtterance("short");
  assert.deepEqual(tally.utterances, { llm: 2, short: 1 });
});
