/**
 * The grpcurl session in `examples/grpcurl/`: every request body it sends is a valid message of the
 * method it names (only fields that exist), and the same requests, sent in the same order by a
 * grpc-js client, drive a real worker through a whole session. grpcurl itself is a Go program that
 * is neither packaged for Debian nor on npm, so where it is missing the script is not run.
 */
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { loadProtos } from "../src/rpc/proto.ts";
import type { AudioFrame, TextChunk } from "../src/rpc/messages.ts";
import { startTestWorker } from "./support/worker_process.ts";

const DIR = new URL("../examples/grpcurl/", import.meta.url);
const SCRIPT = new URL("session.sh", DIR).pathname;

interface ScriptCall {
  readonly service: string;
  readonly method: string;
  readonly bodies: Record<string, unknown>[];
}

/** The `call SERVICE/METHOD FILE` lines of the script, with their request bodies. */
async function scriptCalls(): Promise<ScriptCall[]> {
  const script = await Deno.readTextFile(SCRIPT);
  const calls: ScriptCall[] = [];
  for (const [, service, method, file] of script.matchAll(/^call (\S+)\/(\S+) (\S+)/gm)) {
    const text = await Deno.readTextFile(new URL(file, DIR));
    const bodies = text.split("\n").filter((line) => line.trim() !== "").map((l) => JSON.parse(l));
    calls.push({ service, method, bodies });
  }
  return calls;
}

Deno.test("the grpcurl example's requests are valid and run a whole session", async () => {
  const calls = await scriptCalls();
  assert.deepEqual(calls.map((c) => c.method), [
    "Check",
    "StartSession",
    "Synthesize",
    "Control",
    "EndSession",
  ]);
  const { packageDefinition } = loadProtos();
  for (const call of calls) {
    const service = packageDefinition[call.service] as grpc.ServiceDefinition;
    assert.ok(service, `${call.service} is a service of the worker`);
    const method = service[call.method] as unknown as {
      requestType: { type: { field: { name: string }[] } };
    };
    assert.ok(method, `${call.service}/${call.method} exists`);
    const fields = new Set(method.requestType.type.field.map((f) => f.name));
    for (const body of call.bodies) {
      for (const key of Object.keys(body)) {
        assert.ok(fields.has(key), `${call.method}: "${key}" is a field of its request`);
      }
    }
  }

  const worker = await startTestWorker();
  try {
    const root = grpc.loadPackageDefinition(packageDefinition) as unknown as {
      grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
    };
    const health = new root.grpc.health.v1.Health(
      worker.address,
      grpc.credentials.createInsecure(),
    ) as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
    const raw = worker.client.raw as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
    const unary = (client: typeof raw, method: string, body: unknown) =>
      new Promise<Record<string, unknown>>((resolve, reject) =>
        client[method](
          body,
          (e: Error | null, r: Record<string, unknown>) => e ? reject(e) : resolve(r),
        )
      );
    const [check, start, synthesize, control, end] = calls;
    assert.equal((await unary(health, "Check", check.bodies[0])).status, "SERVING");
    health.close();
    assert.equal((await unary(raw, "StartSession", start.bodies[0])).success, true);
    const stream = worker.client.synthesize();
    const frames: AudioFrame[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on("data", (frame: AudioFrame) => frames.push(frame));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    for (const body of synthesize.bodies) stream.write(body as unknown as TextChunk);
    stream.end();
    await done;
    assert.ok(frames.length > 50, `${frames.length} frames`);
    assert.equal(frames.filter((f) => f.is_final).length, 1);
    frames.forEach((f, i) => assert.equal(f.sequence_number, i));
    assert.equal((await unary(raw, "Control", control.bodies[0])).success, true);
    assert.equal((await unary(raw, "EndSession", end.bodies[0])).success, true);
  } finally {
    assert.equal(await worker.stop(), 0);
  }
});

const grpcurl = await new Deno.Command("sh", { args: ["-c", "command -v grpcurl"] }).output();

Deno.test({
  name: "the grpcurl example script runs against a worker (where grpcurl is installed)",
  ignore: grpcurl.code !== 0,
  fn: async () => {
    const worker = await startTestWorker();
    try {
      const run = await new Deno.Command("bash", { args: [SCRIPT, worker.address] }).output();
      assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
      const out = new TextDecoder().decode(run.stdout);
      assert.match(out, /tts\.TTSService/);
      assert.match(out, /grpc\.health\.v1\.Health/);
      assert.match(out, /"isFinal": true/);
    } finally {
      assert.equal(await worker.stop(), 0);
    }
  },
});
