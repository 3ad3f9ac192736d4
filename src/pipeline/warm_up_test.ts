import assert from "node:assert/strict";
import type { VoiceModel } from "../engines/engine.ts";
import { constantVoice } from "../../tests/support/constant_voice.ts";
import { warmUpPipeline } from "./warm_up.ts";

/** Counts the inferences of `voice`. */
function counted(voice: VoiceModel): { voice: VoiceModel; inferences: () => number } {
  let inferences = 0;
  return {
    voice: {
      ...voice,
      info: voice.info,
      prepare: (text, options) => voice.prepare(text, options),
      infer: (segment, options, signal, context) => {
        inferences++;
        return voice.infer(segment, options, signal, context);
      },
      dispose: () => voice.dispose(),
    },
    inferences: () => inferences,
  };
}

Deno.test("warmUpPipeline speaks the text through the pipeline once per copy", async () => {
  const { voice, inferences } = counted(constantVoice());
  const outcome = await warmUpPipeline(voice, 3, { text: "One sentence." });
  assert.equal(outcome.problem, undefined);
  assert.equal(inferences(), 3);
  assert.ok(outcome.ms >= 0);
});

Deno.test("warmUpPipeline reports a voice that fails, and does not throw", async () => {
  const outcome = await warmUpPipeline(constantVoice({ failOn: "broken" }), 2, {
    text: "A broken voice.",
  });
  assert.match(String(outcome.problem), /inference failed/);
});

Deno.test("warmUpPipeline cuts off a voice that never answers", async () => {
  const hanging: VoiceModel = {
    ...constantVoice(),
    infer: (_segment, _options, signal) =>
      new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true })
      ),
  };
  const outcome = await warmUpPipeline(hanging, 1, { text: "Never said.", timeoutMs: 100 });
  assert.match(String(outcome.problem), /no end of audio within 100 ms/);
  assert.ok(outcome.ms < 5000);
});
