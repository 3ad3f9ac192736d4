import assert from "node:assert/strict";
import type { SynthesizeCall } from "../src/rpc/client.ts";
import { TextChunkWriter } from "./text_chunk_writer.ts";

Deno.test("TextChunkWriter numbers the chunks of a call from 0 and names the session", () => {
  const written: unknown[] = [];
  const call = { write: (message: unknown) => written.push(message) } as unknown as SynthesizeCall;
  const writer = new TextChunkWriter(call, "s-1");
  const before = performance.now();
  const first = writer.write("Hello", false);
  writer.write(" there.", true);
  assert.ok(first >= before);
  assert.equal(writer.written, 2);
  assert.deepEqual(written, [
    { session_id: "s-1", text: "Hello", is_final: false, sequence_number: 0 },
    { session_id: "s-1", text: " there.", is_final: true, sequence_number: 1 },
  ]);
});
