/**
 * Worker configuration from command-line flags and `TTS_*` environment variables (flags win).
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ExecutionProviderPreference } from "./engines/engine.ts";
import { LOG_LEVELS } from "./log.ts";
import { DEFAULT_SEGMENTER_OPTIONS } from "./pipeline/sentence_segmenter.ts";

/** The worker's settings. */
export interface WorkerConfig {
  /** Address to bind. */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /** Directory holding Piper voices (`<id>.onnx` + `<id>.onnx.json`). */
  readonly modelsDir: string;
  /** Model used when a session names none; loaded at start. */
  readonly defaultModel: string;
  /** Execution provider for neural voices. */
  readonly executionProvider: ExecutionProviderPreference;
  /** Admission limit. */
  readonly maxSessions: number;
  /** Log level. */
  readonly logLevel: string;
  /**
   * Least number of words before a clause end (`,` `;` `:` or a dash) that ends an utterance's
   * first segment early, for a fast first audio.
   */
  readonly firstSegmentMinWords: number;
  /** Number of words after which an utterance's first segment ends even without punctuation. */
  readonly firstSegmentMaxWords: number;
  /** Longest segment in characters; longer sentences are split at clauses or between words. */
  readonly maxSegmentChars: number;
  /** A session with no activity for this long (seconds) is ended. */
  readonly idleTimeoutS: number;
  /** On SIGTERM, how long utterances in flight may take to finish (ms) before the worker exits. */
  readonly shutdownGraceMs: number;
}

/** Defaults, as documented in the README. */
export const DEFAULT_CONFIG: WorkerConfig = {
  host: "0.0.0.0",
  port: 7001,
  modelsDir: "./models",
  defaultModel: "espeak-en-us",
  executionProvider: "auto",
  maxSessions: 16,
  logLevel: "info",
  firstSegmentMinWords: DEFAULT_SEGMENTER_OPTIONS.firstSegmentMinWords,
  firstSegmentMaxWords: DEFAULT_SEGMENTER_OPTIONS.firstSegmentMaxWords,
  maxSegmentChars: DEFAULT_SEGMENTER_OPTIONS.maxSegmentChars,
  idleTimeoutS: 300,
  shutdownGraceMs: 10_000,
};

/** Allowed ranges of the whole-number settings, by flag name. */
const RANGES = {
  "max-sessions": [1, 10000],
  "first-segment-min-words": [1, 100],
  "first-segment-max-words": [1, 1000],
  "max-segment-chars": [10, 10000],
  "idle-timeout-s": [1, 86400],
  "shutdown-grace-ms": [0, 600000],
} as const;

/** A configuration error: the message names the setting and what is allowed. */
export class ConfigError extends Error {
  /** @param message what is wrong and what is allowed */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function parsePort(raw: string, name: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseCount(raw: string, flag: keyof typeof RANGES, envName: string): number {
  const [min, max] = RANGES[flag];
  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count < min || count > max) {
    throw new ConfigError(
      `--${flag} (or ${envName}) must be a whole number from ${min} to ${max}, got "${raw}"`,
    );
  }
  return count;
}

/** Reads flags (`--host`, `--port`, ...) over `TTS_*` environment variables over defaults. */
export function loadConfig(
  args: string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
): WorkerConfig {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "models-dir": { type: "string" },
      "default-model": { type: "string" },
      "execution-provider": { type: "string" },
      "max-sessions": { type: "string" },
      "log-level": { type: "string" },
      "first-segment-min-words": { type: "string" },
      "first-segment-max-words": { type: "string" },
      "max-segment-chars": { type: "string" },
      "idle-timeout-s": { type: "string" },
      "shutdown-grace-ms": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const pick = (flag: string | undefined, envName: string) => flag ?? env[envName];
  const host = pick(values.host, "TTS_HOST") ?? DEFAULT_CONFIG.host;
  const portRaw = pick(values.port, "TTS_PORT");
  const ep = pick(values["execution-provider"], "TTS_EXECUTION_PROVIDER") ??
    DEFAULT_CONFIG.executionProvider;
  if (ep !== "auto" && ep !== "wasm" && ep !== "webgpu") {
    throw new ConfigError(`--execution-provider must be one of auto, wasm, webgpu, got "${ep}"`);
  }
  /** A whole-number setting: the flag, else the environment variable, else the default. */
  const count = (flag: keyof typeof RANGES, envName: string, fallback: number): number => {
    const raw = pick(values[flag], envName);
    return raw === undefined ? fallback : parseCount(raw, flag, envName);
  };
  const logLevel = pick(values["log-level"], "TTS_LOG_LEVEL") ?? DEFAULT_CONFIG.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  return {
    host,
    port: portRaw === undefined ? DEFAULT_CONFIG.port : parsePort(portRaw, "--port"),
    modelsDir: pick(values["models-dir"], "TTS_MODELS_DIR") ?? DEFAULT_CONFIG.modelsDir,
    defaultModel: pick(values["default-model"], "TTS_DEFAULT_MODEL") || DEFAULT_CONFIG.defaultModel,
    executionProvider: ep,
    maxSessions: count("max-sessions", "TTS_MAX_SESSIONS", DEFAULT_CONFIG.maxSessions),
    logLevel,
    firstSegmentMinWords: count(
      "first-segment-min-words",
      "TTS_FIRST_SEGMENT_MIN_WORDS",
      DEFAULT_CONFIG.firstSegmentMinWords,
    ),
    firstSegmentMaxWords: count(
      "first-segment-max-words",
      "TTS_FIRST_SEGMENT_MAX_WORDS",
      DEFAULT_CONFIG.firstSegmentMaxWords,
    ),
    maxSegmentChars: count(
      "max-segment-chars",
      "TTS_MAX_SEGMENT_CHARS",
      DEFAULT_CONFIG.maxSegmentChars,
    ),
    idleTimeoutS: count("idle-timeout-s", "TTS_IDLE_TIMEOUT_S", DEFAULT_CONFIG.idleTimeoutS),
    shutdownGraceMs: count(
      "shutdown-grace-ms",
      "TTS_SHUTDOWN_GRACE_MS",
      DEFAULT_CONFIG.shutdownGraceMs,
    ),
  };
}
