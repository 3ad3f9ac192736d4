/**
 * `deno task say "text" --out hello.wav`: asks a running worker to speak and writes a WAV file.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createTtsClient, framesToPcm, readClientSecurity } from "../rpc/client.ts";
import type { AudioFrame } from "../rpc/messages.ts";
import { encodeWav } from "../pipeline/wav.ts";
import { OUTPUT_SAMPLE_RATE } from "../pipeline/pcm.ts";
import { errorMessage } from "../error_message.ts";

const USAGE = `usage: deno task say "text to speak" [--out hello.wav] [--address 127.0.0.1:7001]
                     [--model MODEL_ID] [--speed 1.0] [--speaker NAME]
                     [--ca CA.pem] [--cert CLIENT.pem --key CLIENT.key] [--token-file TOKEN]`;

/** Runs the CLI; returns the exit code. */
export async function say(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        out: { type: "string", default: "hello.wav" },
        address: { type: "string", default: Deno.env.get("TTS_ADDRESS") ?? "127.0.0.1:7001" },
        model: { type: "string", default: "" },
        speed: { type: "string" },
        speaker: { type: "string" },
        ca: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        "token-file": { type: "string" },
        help: { type: "boolean", default: false },
      },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`${errorMessage(error)}\n${USAGE}`);
    return 2;
  }
  const text = parsed.positionals.join(" ");
  if (parsed.values.help || text.trim() === "") {
    console.error(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  let security;
  try {
    security = await readClientSecurity({
      ca: parsed.values.ca,
      cert: parsed.values.cert,
      key: parsed.values.key,
      tokenFile: parsed.values["token-file"],
    });
  } catch (error) {
    console.error(
      `cannot read a TLS or token file: ${errorMessage(error)}`,
    );
    return 2;
  }
  const client = createTtsClient(parsed.values.address, security);
  const sessionId = `say-${crypto.randomUUID()}`;
  // A file, not a listener: the frames may come as fast as they are made, not in real time.
  const options: Record<string, string> = { audio_lead_ms: "0" };
  if (parsed.values.speed) options.speed = parsed.values.speed;
  if (parsed.values.speaker) options.speaker = parsed.values.speaker;
  try {
    const started = performance.now();
    const response = await client.startSession(sessionId, parsed.values.model, options);
    if (!response.success) {
      console.error(`StartSession failed: ${response.message}`);
      return 1;
    }
    const frames: AudioFrame[] = [];
    let firstFrameMs = 0;
    const call = client.synthesize();
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", (frame: AudioFrame) => {
        if (frames.length === 0) firstFrameMs = performance.now() - started;
        frames.push(frame);
      });
      call.on("error", reject);
      call.on("end", resolve);
    });
    call.write({ session_id: sessionId, text, is_final: true, sequence_number: 0 });
    call.end();
    await done;
    await client.endSession(sessionId);
    await Deno.writeFile(parsed.values.out, encodeWav(framesToPcm(frames), OUTPUT_SAMPLE_RATE));
    console.error(
      `wrote ${parsed.values.out}: ${frames.length} frames, ${
        (frames.length * 0.02).toFixed(2)
      } s of audio, first frame after ${firstFrameMs.toFixed(0)} ms`,
    );
    return 0;
  } catch (error) {
    const message = errorMessage(error);
    console.error(`say failed: ${message} (is a worker running at ${parsed.values.address}?)`);
    return 1;
  } finally {
    client.close();
  }
}

if (import.meta.main) {
  Deno.exit(await say(Deno.args));
}
