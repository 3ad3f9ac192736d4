import assert from "node:assert/strict";
import type { PreparedSegment, VoiceModel } from "../engines/engine.ts";
import { PhonemizerStream } from "./phonemizer_stream.ts";

Deno.test("PhonemizerStream: the next segment is phonemised while this one is synthesised", async () => {
  const events: string[] = [];
  const voice = {
    prepare: (text: string) => {
      events.push(`prepare ${text}`);
      return Promise.resolve({ text, phonemes: text, ids: [1] });
    },
  } as unknown as VoiceModel;
  const done: string[] = [];
  await ReadableStream.from(["a", "b", "c"])
    .pipeThrough(new PhonemizerStream(voice, { speed: 1 }))
    .pipeTo(
      new WritableStream<PreparedSegment>({
        // Inference: slow, one segment at a time.
        async write(segment) {
          events.push(`infer ${segment.text} start`);
          await new Promise((resolve) => setTimeout(resolve, 30));
          events.push(`infer ${segment.text} end`);
          done.push(segment.text);
        },
      }),
    );
  assert.deepEqual(done, ["a", "b", "c"]);
  assert.ok(events.indexOf("prepare b") < events.indexOf("infer a end"), events.join(", "));
});

Deno.test("PhonemizerStream: segments with nothing to say are dropped", async () => {
  const voice = {
    prepare: (text: string) =>
      Promise.resolve({ text, phonemes: text.trim(), ids: text.trim() ? [1] : [] }),
  } as unknown as VoiceModel;
  const out = await Array.fromAsync(
    ReadableStream.from(["a", "  ", "b"]).pipeThrough(new PhonemizerStream(voice, { speed: 1 })),
  );
  assert.deepEqual(out.map((segment) => segment.text), ["a", "b"]);
});
