/**
 * Worker configuration from command-line flags and `TTS_*` environment variables (flags win).
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ExecutionProviderPreference } from "./engines/engine.ts";
import { LOG_LEVELS } from "./log.ts";

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
};

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

function parseCount(raw: string, name: string): number {
  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count < 1 || count > 10000) {
    throw new ConfigError(`${name} must be a whole number from 1 to 10000, got "${raw}"`);
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
  const maxRaw = pick(values["max-sessions"], "TTS_MAX_SESSIONS");
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
    maxSessions: maxRaw === undefined
      ? DEFAULT_CONFIG.maxSessions
      : parseCount(maxRaw, "--max-sessions"),
    logLevel,
  };
}
