/**
 * Drives one Synthesize stream and collects its frames, for end-to-end tests.
 *
 * @module
 */
import type { SynthesizeCall, TtsClient } from "../../src/rpc/client.ts";
export { framesToPcm } from "../../src/rpc/client.ts";
import type { AudioFrame } from "../../src/rpc/messages.ts";

/** What a finished Synthesize call returned. */
export interface CollectedStream {
  /** Frames in arrival order. */
  readonly frames: AudioFrame[];
  /** The call's error, if it ended with one. */
  readonly error?: { code: number; details: string };
}

/** Collects every frame of a call until it ends. */
export function collectFrames(call: SynthesizeCall): Promise<CollectedStream> {
  const frames: AudioFrame[] = [];
  return new Promise((resolve) => {
    call.on("data", (frame: AudioFrame) => frames.push(frame));
    call.on(
      "error",
      (error: { code: number; details: string }) =>
        resolve({ frames, error: { code: error.code, details: error.details } }),
    );
    call.on("end", () => resolve({ frames }));
  });
}

/** Starts a session, speaks `text` as one final chunk, half-closes, and collects the frames. */
export async function speak(
  client: TtsClient,
  sessionId: string,
  text: string,
  modelId = "",
  options: Record<string, string> = {},
): Promise<CollectedStream> {
  const started = await client.startSession(sessionId, modelId, options);
  if (!started.success) throw new Error(`StartSession failed: ${started.message}`);
  const call = client.synthesize();
  const collected = collectFrames(call);
  call.write({ session_id: sessionId, text, is_final: true, sequence_number: 0 });
  call.end();
  const result = await collected;
  await client.endSession(sessionId);
  return result;
}
