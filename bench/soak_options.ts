/**
 * Command-line options of `deno task soak`.
 *
 * @module
 */
import { parseCliArgs, usageError, type UsageMessage } from "./cli_args.ts";

/** Usage text. */
export const SOAK_USAGE =
  `usage: deno task soak [--sessions N] [--duration-s S] [--voice ID] [--models-dir DIR]
                      [--seed N] [--audio-lead-ms MS] [--json out.json]

Starts the worker (src/main.ts) and runs N concurrent sessions of varied text for S seconds: each
session starts, speaks a few utterances on one Synthesize stream (short, long, numbers, LLM-like
token streams, STOP barge-in, PAUSE/RESUME), ends, and starts again. Prints one JSON object on stdout
(a summary on stderr) and exits 1 when a frame sequence had a gap, an utterance did not end in
exactly one final frame, a call failed or stalled, or the worker did not exit cleanly.
--audio-lead-ms is the worker's pacing lead: 0 (the default) sends frames as fast as they are made,
a stress of synthesis speed; 1000 is the worker's own default, as in production, where each
session's audio comes in real time after its first second.
Defaults: 8 sessions, 180 s, voice espeak-en-us, a random seed (reported), --audio-lead-ms 0.`;

/** Parsed options. */
export interface SoakOptions {
  /** Concurrent sessions. */
  readonly sessions: number;
  /** How long new rounds are started, in seconds. */
  readonly durationS: number;
  /** Voice (model id) of every session. */
  readonly voice: string;
  /** Models directory for the worker, or undefined for the worker's default. */
  readonly modelsDir?: string;
  /** Seed of the text and action plan (32-bit unsigned). */
  readonly seed: number;
  /** The worker's pacing lead in ms (0: unpaced). */
  readonly audioLeadMs: number;
  /** Extra file to write the JSON to. */
  readonly json?: string;
}

/** Default number of concurrent sessions. */
export const DEFAULT_SESSIONS = 8;
/** Default duration in seconds. */
export const DEFAULT_DURATION_S = 180;

function wholeNumber(value: string, name: string, min: number, max: number): number | string {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    return `${name} must be a whole number from ${min} to ${max}, got "${value}"`;
  }
  return number;
}

/** Parses the arguments; returns a message (with usage) instead when they are wrong or `--help`. */
export function parseSoakOptions(
  args: string[],
  randomSeed: () => number = () => Math.floor(Math.random() * 2 ** 32),
): SoakOptions | UsageMessage {
  const parsed = parseCliArgs(
    args,
    {
      sessions: { type: "string", default: String(DEFAULT_SESSIONS) },
      "duration-s": { type: "string", default: String(DEFAULT_DURATION_S) },
      voice: { type: "string", default: "espeak-en-us" },
      "models-dir": { type: "string" },
      seed: { type: "string" },
      "audio-lead-ms": { type: "string", default: "0" },
      json: { type: "string" },
      help: { type: "boolean", default: false },
    },
    SOAK_USAGE,
  );
  if (!("values" in parsed)) return parsed;
  const { values } = parsed;
  const fail = (message: string) => usageError(message, SOAK_USAGE);
  const sessions = wholeNumber(values.sessions, "--sessions", 1, 256);
  if (typeof sessions === "string") return fail(sessions);
  const durationS = Number(values["duration-s"]);
  if (!(values["duration-s"].trim() !== "" && durationS > 0 && durationS <= 86_400)) {
    return fail(`--duration-s must be a number of seconds above 0, got "${values["duration-s"]}"`);
  }
  if (values.voice.trim() === "") return fail("--voice is empty");
  let seed = randomSeed();
  if (values.seed !== undefined) {
    const given = wholeNumber(values.seed, "--seed", 0, 2 ** 32 - 1);
    if (typeof given === "string") return fail(given);
    seed = given;
  }
  const audioLeadMs = wholeNumber(values["audio-lead-ms"], "--audio-lead-ms", 0, 600_000);
  if (typeof audioLeadMs === "string") return fail(audioLeadMs);
  return {
    sessions,
    durationS,
    voice: values.voice,
    modelsDir: values["models-dir"],
    seed,
    audioLeadMs,
    json: values.json,
  };
}
