/**
 * Worker configuration from, lowest to highest precedence: defaults, a JSON configuration file
 * (`--config PATH` or `TTS_CONFIG`), `TTS_*` environment variables, command-line flags.
 *
 * Every setting is one row of {@linkcode SETTINGS}: its key in the file is the camelCase field of
 * {@linkcode WorkerConfig} (`maxSessions`), its flag the kebab-case form (`--max-sessions`), its
 * environment variable `TTS_` plus the upper snake-case form (`TTS_MAX_SESSIONS`). The file is
 * checked against the table as a schema: unknown keys, wrong JSON types and values out of range
 * are a {@linkcode ConfigError} naming the key and what is allowed. Relative paths in the file
 * are relative to the file's directory.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, resolve } from "node:path";
import type { ExecutionProviderPreference } from "./engines/engine.ts";
import { LOG_LEVELS } from "./log.ts";
import {
  DEFAULT_AUDIO_LEAD_MS,
  DEFAULT_STOPPED_TEXT_WINDOW_MS,
} from "./session/stream_defaults.ts";
import { DEFAULT_SEGMENTER_OPTIONS } from "./pipeline/sentence_segmenter.ts";
import { errorMessage } from "./error_message.ts";

/** The worker's settings. */
export interface WorkerConfig {
  /** Address to bind. */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /**
   * Port of the HTTP endpoint for Prometheus metrics (`/metrics`) and `/healthz`, on the same
   * host; 0 picks a free one (it is logged); absent: no endpoint.
   */
  readonly metricsPort?: number;
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
  /**
   * After a STOP, how long (ms) the rest of the utterance it cut, if the client had not ended it,
   * is dropped as it arrives (text sent before the STOP, still in flight); 0 turns the window off.
   */
  readonly stoppedTextWindowMs: number;
  /**
   * Most audio (ms) a stream sends ahead of real time, so that PAUSE and STOP find the rest of an
   * answer still in the worker whatever the client's HTTP/2 window; 0 sends as fast as it is made.
   */
  readonly audioLeadMs: number;
  /** On SIGTERM, how long utterances in flight may take to finish (ms) before the worker exits. */
  readonly shutdownGraceMs: number;
  /**
   * Inference Workers, shared by every resident voice (each holds a copy of every voice): this
   * many segments are synthesised at once, across all voices. Default: one per core (at most 16).
   */
  readonly inferenceWorkers: number;
  /** PEM certificate chain of the server; with {@linkcode tlsKey} the port speaks TLS. */
  readonly tlsCert: string | undefined;
  /** PEM private key of {@linkcode tlsCert}. */
  readonly tlsKey: string | undefined;
  /** PEM CA bundle: when set, clients must present a certificate it signed (mutual TLS). */
  readonly tlsClientCa: string | undefined;
  /** Time a TLS client has to complete its handshake before its connection is closed. */
  readonly tlsHandshakeTimeoutMs: number;
  /** File holding the bearer token every RPC but health must carry. */
  readonly authTokenFile: string | undefined;
  /** The token read from {@linkcode authTokenFile} (trimmed); never logged. */
  readonly authToken: string | undefined;
  /** Largest message the server accepts, in bytes. */
  readonly maxReceiveMessageBytes: number;
  /** Most concurrent streams (calls) one HTTP/2 connection may open. */
  readonly maxConcurrentStreams: number;
  /** The configuration file read, if any. */
  readonly configFile: string | undefined;
}

/** Most inference Workers the default gives, whatever the number of cores. */
const MAX_DEFAULT_INFERENCE_WORKERS = 16;

/** The default number of inference Workers: one per core, from 1 to 16. */
export function defaultInferenceWorkers(cores: number = navigator.hardwareConcurrency): number {
  const count = Number.isInteger(cores) && cores > 0 ? cores : 1;
  return Math.min(count, MAX_DEFAULT_INFERENCE_WORKERS);
}

/** Defaults, as documented in the README. */
export const DEFAULT_CONFIG: WorkerConfig = {
  host: "0.0.0.0",
  port: 7001,
  metricsPort: undefined,
  modelsDir: "./models",
  defaultModel: "espeak-en-us",
  executionProvider: "auto",
  maxSessions: 16,
  logLevel: "info",
  firstSegmentMinWords: DEFAULT_SEGMENTER_OPTIONS.firstSegmentMinWords,
  firstSegmentMaxWords: DEFAULT_SEGMENTER_OPTIONS.firstSegmentMaxWords,
  maxSegmentChars: DEFAULT_SEGMENTER_OPTIONS.maxSegmentChars,
  idleTimeoutS: 300,
  stoppedTextWindowMs: DEFAULT_STOPPED_TEXT_WINDOW_MS,
  audioLeadMs: DEFAULT_AUDIO_LEAD_MS,
  shutdownGraceMs: 10_000,
  inferenceWorkers: defaultInferenceWorkers(),
  tlsCert: undefined,
  tlsKey: undefined,
  tlsClientCa: undefined,
  tlsHandshakeTimeoutMs: 10_000,
  authTokenFile: undefined,
  authToken: undefined,
  maxReceiveMessageBytes: 4 * 1024 * 1024,
  maxConcurrentStreams: 100,
  configFile: undefined,
};

/** How a setting's value is read and checked. */
export type SettingKind =
  | { readonly type: "string"; readonly emptyIsUnset?: boolean; readonly nonEmpty?: boolean }
  | { readonly type: "path" }
  | { readonly type: "port"; readonly optional?: boolean }
  | { readonly type: "count"; readonly min: number; readonly max: number }
  | { readonly type: "choice"; readonly choices: readonly string[] };

/** A setting that flags, the environment and the configuration file may give. */
export type SettingKey = Exclude<keyof WorkerConfig, "authToken" | "configFile">;

/** Every setting and how it is checked; the flag and variable names derive from the key. */
export const SETTINGS: Readonly<Record<SettingKey, SettingKind>> = {
  host: { type: "string", nonEmpty: true },
  port: { type: "port" },
  metricsPort: { type: "port", optional: true },
  modelsDir: { type: "path" },
  defaultModel: { type: "string", emptyIsUnset: true },
  executionProvider: { type: "choice", choices: ["auto", "wasm", "webgpu"] },
  maxSessions: { type: "count", min: 1, max: 10000 },
  logLevel: { type: "choice", choices: LOG_LEVELS },
  firstSegmentMinWords: { type: "count", min: 1, max: 100 },
  firstSegmentMaxWords: { type: "count", min: 1, max: 1000 },
  maxSegmentChars: { type: "count", min: 10, max: 10000 },
  idleTimeoutS: { type: "count", min: 1, max: 86400 },
  stoppedTextWindowMs: { type: "count", min: 0, max: 60000 },
  audioLeadMs: { type: "count", min: 0, max: 600000 },
  shutdownGraceMs: { type: "count", min: 0, max: 600000 },
  inferenceWorkers: { type: "count", min: 1, max: 256 },
  tlsCert: { type: "path" },
  tlsKey: { type: "path" },
  tlsClientCa: { type: "path" },
  tlsHandshakeTimeoutMs: { type: "count", min: 100, max: 600000 },
  authTokenFile: { type: "path" },
  maxReceiveMessageBytes: { type: "count", min: 1024, max: 64 * 1024 * 1024 },
  maxConcurrentStreams: { type: "count", min: 1, max: 10000 },
};

/** A configuration error: the message names the setting and what is allowed. */
export class ConfigError extends Error {
  /** @param message what is wrong and what is allowed */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** `maxSessions` -> `max-sessions`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** `maxSessions` -> `TTS_MAX_SESSIONS`. */
export function envName(key: string): string {
  return `TTS_${flagName(key).replaceAll("-", "_").toUpperCase()}`;
}

/** What a setting of this kind allows, for messages. */
function allowed(kind: SettingKind): string {
  switch (kind.type) {
    case "string":
      return kind.nonEmpty ? "a non-empty string" : "a string";
    case "path":
      return "a file or directory path (a string)";
    case "port":
      return "a port number from 0 to 65535";
    case "count":
      return `a whole number from ${kind.min} to ${kind.max}`;
    case "choice":
      return `one of ${kind.choices.join(", ")}`;
  }
}

const UNSET = Symbol("unset");

/** Reads a flag's or variable's text; `UNSET` for an empty value that means "not set". */
function fromText(kind: SettingKind, raw: string): string | number | typeof UNSET | undefined {
  switch (kind.type) {
    case "string":
      if (raw !== "") return raw;
      return kind.emptyIsUnset ? UNSET : kind.nonEmpty ? undefined : raw;
    case "path":
      return raw === "" ? UNSET : raw;
    case "port":
    case "count": {
      if (raw === "" && kind.type === "port" && kind.optional) return UNSET;
      const [min, max] = kind.type === "port" ? [0, 65535] : [kind.min, kind.max];
      const value = Number(raw);
      return /^\d+$/.test(raw) && value >= min && value <= max ? value : undefined;
    }
    case "choice":
      return kind.choices.includes(raw) ? raw : undefined;
  }
}

/** Checks a JSON value from the configuration file; `undefined` when it is not allowed. */
function fromJson(kind: SettingKind, value: unknown): string | number | typeof UNSET | undefined {
  if (kind.type === "port" || kind.type === "count") {
    return typeof value === "number" && Number.isInteger(value)
      ? fromText(kind, String(value))
      : undefined;
  }
  return typeof value === "string" ? fromText(kind, value) : undefined;
}

/** A configuration file's settings, checked against {@linkcode SETTINGS}. */
function readConfigFile(path: string): Partial<Record<SettingKey, unknown>> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new ConfigError(
      `config file "${path}" (--config or TTS_CONFIG) cannot be read: ${errorMessage(error)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `config file "${path}" is not valid JSON: ${errorMessage(error)}`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file "${path}" must hold a JSON object of settings`);
  }
  const entries = Object.entries(parsed);
  const unknown = entries.map(([key]) => key).filter((key) => !Object.hasOwn(SETTINGS, key));
  if (unknown.length > 0) {
    const hints = unknown.map((key) => {
      const camel = key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
      return Object.hasOwn(SETTINGS, camel) ? `"${key}" (write "${camel}")` : `"${key}"`;
    });
    throw new ConfigError(
      `config file "${path}": unknown key${unknown.length > 1 ? "s" : ""} ${hints.join(", ")}; ` +
        `keys are camelCase: ${Object.keys(SETTINGS).join(", ")}`,
    );
  }
  const settings: Partial<Record<SettingKey, unknown>> = {};
  for (const [key, value] of entries) {
    const kind = SETTINGS[key as SettingKey];
    const checked = fromJson(kind, value);
    if (checked === undefined) {
      throw new ConfigError(
        `config file "${path}": "${key}" must be ${allowed(kind)}, got ${JSON.stringify(value)}`,
      );
    }
    if (checked === UNSET) continue;
    settings[key as SettingKey] = kind.type === "path"
      ? resolve(dirname(path), checked as string)
      : checked;
  }
  return settings;
}

/** How to name a setting in a message: its flag, variable and file key. */
function settingNames(key: SettingKey): string {
  return `--${flagName(key)} (${envName(key)}, "${key}" in the config file)`;
}

/** Reads a PEM file a TLS setting names; a ConfigError when it is not one. */
function checkPemFile(key: SettingKey, path: string): void {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new ConfigError(
      `${settingNames(key)}: cannot read "${path}": ${errorMessage(error)}`,
    );
  }
  if (!text.includes("-----BEGIN ")) {
    throw new ConfigError(`${settingNames(key)}: "${path}" is not a PEM file`);
  }
}

/** Reads the bearer token: the file's trimmed content, visible ASCII only. */
function readAuthToken(path: string): string {
  let token: string;
  try {
    token = Deno.readTextFileSync(path).trim();
  } catch (error) {
    throw new ConfigError(
      `${settingNames("authTokenFile")}: cannot read "${path}": ${errorMessage(error)}`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigError(
      `${settingNames("authTokenFile")}: "${path}" must hold one token of visible ASCII ` +
        `characters (no spaces), got ${token === "" ? "an empty file" : "other characters"}`,
    );
  }
  return token;
}

/** How {@linkcode loadConfig} reads. */
export interface LoadConfigOptions {
  /**
   * Read the auth token and check that the TLS files are PEM (default true). A client that only
   * needs to know where the worker listens (the health probe) leaves the files alone, so that a
   * token file it cannot read does not make a running worker look unhealthy.
   */
  readonly readFiles?: boolean;
}

/**
 * Reads the configuration: flags over `TTS_*` environment variables over the configuration file
 * (`--config` or `TTS_CONFIG`) over defaults. Throws a {@linkcode ConfigError} naming the setting
 * when a value is not allowed, and also reads the auth token and checks the TLS files (unless
 * `how.readFiles` is false; `authToken` is then undefined).
 */
export function loadConfig(
  args: string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
  how: LoadConfigOptions = {},
): WorkerConfig {
  const keys = Object.keys(SETTINGS) as SettingKey[];
  const options = Object.fromEntries([
    ["config", { type: "string" as const }],
    ...keys.map((key) => [flagName(key), { type: "string" as const }]),
  ]);
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  const flags = values as Record<string, string | undefined>;
  const configPath = flags.config ?? (env.TTS_CONFIG || undefined);
  const file = configPath === undefined ? {} : readConfigFile(configPath);
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG, configFile: configPath };
  for (const key of keys) {
    const kind = SETTINGS[key];
    const flag = flagName(key);
    const raw = flags[flag] ?? env[envName(key)];
    if (raw === undefined) {
      if (key in file) config[key] = file[key];
      continue;
    }
    const value = fromText(kind, raw);
    if (value === undefined) {
      throw new ConfigError(
        `--${flag} (or ${envName(key)}) must be ${allowed(kind)}, got "${raw}"`,
      );
    }
    config[key] = value === UNSET ? (file[key] ?? DEFAULT_CONFIG[key]) : value;
  }
  const result = config as unknown as WorkerConfig;
  if ((result.tlsCert === undefined) !== (result.tlsKey === undefined)) {
    throw new ConfigError(
      `${settingNames("tlsCert")} and ${settingNames("tlsKey")} must be given together`,
    );
  }
  if (result.tlsClientCa !== undefined && result.tlsCert === undefined) {
    throw new ConfigError(
      `${settingNames("tlsClientCa")} needs TLS: give --tls-cert and --tls-key too`,
    );
  }
  if (how.readFiles === false) return { ...result, authToken: undefined };
  for (const key of ["tlsCert", "tlsKey", "tlsClientCa"] as const) {
    const path = result[key];
    if (path !== undefined) checkPemFile(key, path);
  }
  const authToken = result.authTokenFile === undefined
    ? undefined
    : readAuthToken(result.authTokenFile);
  return { ...result, authToken };
}

/** The configuration as logged at start: every setting, the auth token shown as `***`. */
export function describeConfig(config: WorkerConfig): Record<string, unknown> {
  return {
    ...config,
    authToken: config.authToken === undefined ? null : "***",
    configFile: config.configFile ?? null,
    tlsCert: config.tlsCert ?? null,
    tlsKey: config.tlsKey ?? null,
    tlsClientCa: config.tlsClientCa ?? null,
    authTokenFile: config.authTokenFile ?? null,
  };
}
