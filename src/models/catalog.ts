/**
 * The catalogue of downloadable voices (`models/catalog.json`): typed loading and validation.
 *
 * The file is JSON with snake_case keys; {@link parseCatalog} checks every field and turns it
 * into the camelCase {@link Catalog} the rest of the project uses. Errors name the file, the
 * entry and the field at fault.
 *
 * @module
 */

import { join } from "node:path";

/** The catalogue format this code reads. */
export const CATALOG_SCHEMA_VERSION = 1;

/** Path of the catalogue that ships with the project (`models/catalog.json`). */
export const DEFAULT_CATALOG_PATH: string = join(
  import.meta.dirname ?? ".",
  "..",
  "..",
  "models",
  "catalog.json",
);

/** Longest model id accepted. */
export const MAX_MODEL_ID_LENGTH = 128;

const MODEL_ID_PATTERN = /^[A-Za-z0-9._-]+$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const PATH_SEGMENT_PATTERN = /^[A-Za-z0-9._-]+$/;

/** Prefix reserved for the built-in espeak-ng voices; catalogue ids may not use it. */
export const ESPEAK_ID_PREFIX = "espeak-";

/**
 * Checks a model id: only `[A-Za-z0-9._-]`, at most {@link MAX_MODEL_ID_LENGTH} characters,
 * no `..`, and not starting with a dot. Such an id is always a plain file name, so it can never
 * name a path outside the models directory.
 *
 * @returns `null` when the id is valid, otherwise a message saying what is wrong.
 */
export function validateModelId(id: unknown): string | null {
  if (typeof id !== "string") return "model id must be a string";
  if (id.length === 0) return "model id is empty";
  if (id.length > MAX_MODEL_ID_LENGTH) {
    return `model id is ${id.length} characters long; at most ${MAX_MODEL_ID_LENGTH} are allowed`;
  }
  if (!MODEL_ID_PATTERN.test(id)) {
    return `model id ${JSON.stringify(id)} may only contain letters, digits, '.', '_' and '-'`;
  }
  if (id.includes("..")) return `model id ${JSON.stringify(id)} must not contain '..'`;
  if (id.startsWith(".")) return `model id ${JSON.stringify(id)} must not start with '.'`;
  return null;
}

/** Whether a string is a lower-case hex SHA-256 digest (64 characters). */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === "string" && SHA256_PATTERN.test(value);
}

/** One file of a catalogue voice, as stored upstream. */
export interface CatalogFile {
  /** Path inside the upstream repository, e.g. `en/en_US/lessac/medium/en_US-lessac-medium.onnx`. */
  readonly path: string;
  /** Exact size in bytes. */
  readonly sizeBytes: number;
  /** Lower-case hex SHA-256 of the file, or `null` where no published digest was found. */
  readonly sha256: string | null;
}

/** One downloadable voice. */
export interface CatalogEntry {
  /** Model id, e.g. `en_US-lessac-medium`; also the local file name stem. */
  readonly id: string;
  /** Model family; the catalogue only lists Piper voices. */
  readonly family: "piper";
  /** Language codes, lower case with `-` (e.g. `en-us`). */
  readonly languages: readonly string[];
  /** Upstream quality label: `x_low`, `low`, `medium` or `high`. */
  readonly quality: string;
  /** Native output sample rate in Hz. */
  readonly sampleRate: number;
  /** Number of speakers (1 for single-speaker voices). */
  readonly speakers: number;
  /** Licence of the voice (SPDX id where one fits, otherwise a short name). */
  readonly license: string;
  /** Where the licence text is. */
  readonly licenseUrl?: string;
  /** Where the training data set is described. */
  readonly datasetUrl?: string;
  /** Upstream revision (git commit or tag) the files are fetched at. */
  readonly revision: string;
  /** The weights (`.onnx`). */
  readonly model: CatalogFile;
  /** The voice configuration (`.onnx.json`). */
  readonly config: CatalogFile;
  /** Free-text remark (e.g. why a digest is missing). */
  readonly note?: string;
  /** URL prefix of the catalogue's source (`source.base_url`), copied here for downloads. */
  readonly sourceBaseUrl: string;
}

/** Where catalogue files are downloaded from. */
export interface CatalogSource {
  /** Upstream repository name, e.g. `rhasspy/piper-voices`. */
  readonly repository: string;
  /** URL prefix; a file's URL is `<baseUrl>/<revision>/<path>`. */
  readonly baseUrl: string;
}

/** A parsed, validated catalogue. */
export interface Catalog {
  /** Format version of the file ({@link CATALOG_SCHEMA_VERSION}). */
  readonly schemaVersion: number;
  /** Download source. */
  readonly source: CatalogSource;
  /** The voices, in file order; ids are unique. */
  readonly voices: readonly CatalogEntry[];
}

/** Raised when a catalogue cannot be read or is malformed. */
export class CatalogError extends Error {
  /** Creates the error; `name` is `CatalogError`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CatalogError";
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field<T>(
  obj: Json,
  key: string,
  where: string,
  check: (v: unknown) => v is T,
  what: string,
): T {
  const value = obj[key];
  if (!check(value)) {
    const got = value === undefined ? "it is missing" : `got ${JSON.stringify(value)}`;
    throw new CatalogError(`${where}: "${key}" must be ${what}; ${got}`);
  }
  return value;
}

function optionalString(obj: Json, key: string, where: string): string | undefined {
  if (obj[key] === undefined) return undefined;
  return field(obj, key, where, isNonEmptyString, "a non-empty string");
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === "string" && v.length > 0;
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0;
}

function isShaOrNull(v: unknown): v is string | null {
  return v === null || isSha256Hex(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every(isNonEmptyString);
}

function isSafeRelativePath(v: unknown): v is string {
  if (typeof v !== "string" || v.length === 0 || v.length > 512) return false;
  return v.split("/").every((s) => PATH_SEGMENT_PATTERN.test(s) && s !== "." && s !== "..");
}

function parseFile(value: unknown, where: string, suffix: string): CatalogFile {
  if (!isObject(value)) throw new CatalogError(`${where}: must be an object`);
  const path = field(
    value,
    "path",
    where,
    isSafeRelativePath,
    "a relative path of [A-Za-z0-9._-] segments without '..'",
  );
  if (!path.endsWith(suffix)) {
    throw new CatalogError(`${where}: "path" must end with "${suffix}"; got "${path}"`);
  }
  const sizeBytes = field(value, "size_bytes", where, isPositiveInteger, "a positive integer");
  const sha256 = field(
    value,
    "sha256",
    where,
    isShaOrNull,
    "64 lower-case hex digits or null",
  );
  return { path, sizeBytes, sha256 };
}

function parseEntry(value: unknown, where: string, sourceBaseUrl: string): CatalogEntry {
  if (!isObject(value)) throw new CatalogError(`${where}: must be an object`);
  const id = field(value, "id", where, isNonEmptyString, "a non-empty string");
  const idProblem = validateModelId(id);
  if (idProblem) throw new CatalogError(`${where}: ${idProblem}`);
  if (id.startsWith(ESPEAK_ID_PREFIX)) {
    throw new CatalogError(`${where}: ids starting with "${ESPEAK_ID_PREFIX}" are built in`);
  }
  const at = `${where} (${id})`;
  const family = field(value, "family", at, (v): v is "piper" => v === "piper", '"piper"');
  const entry: CatalogEntry = {
    id,
    family,
    languages: field(value, "languages", at, isStringArray, "a non-empty array of strings"),
    quality: field(value, "quality", at, isNonEmptyString, "a non-empty string"),
    sampleRate: field(value, "sample_rate", at, isPositiveInteger, "a positive integer"),
    speakers: field(value, "speakers", at, isPositiveInteger, "a positive integer"),
    license: field(value, "license", at, isNonEmptyString, "a non-empty string"),
    licenseUrl: optionalString(value, "license_url", at),
    datasetUrl: optionalString(value, "dataset_url", at),
    revision: field(
      value,
      "revision",
      at,
      (v): v is string => typeof v === "string" && PATH_SEGMENT_PATTERN.test(v) && v !== "..",
      "a git revision (commit or tag)",
    ),
    model: parseFile(value.model, `${at} model`, ".onnx"),
    config: parseFile(value.config, `${at} config`, ".onnx.json"),
    note: optionalString(value, "note", at),
    sourceBaseUrl,
  };
  return entry;
}

/**
 * Validates already-parsed catalogue JSON.
 *
 * @param data the parsed JSON document
 * @param origin name used in error messages (usually the file path)
 * @throws {CatalogError} naming the entry and field at fault
 */
export function parseCatalog(data: unknown, origin = "catalogue"): Catalog {
  if (!isObject(data)) throw new CatalogError(`${origin}: the top level must be a JSON object`);
  const schemaVersion = data.schema_version;
  if (schemaVersion !== CATALOG_SCHEMA_VERSION) {
    throw new CatalogError(
      `${origin}: "schema_version" must be ${CATALOG_SCHEMA_VERSION}; got ${
        JSON.stringify(schemaVersion)
      }`,
    );
  }
  if (!isObject(data.source)) throw new CatalogError(`${origin}: "source" must be an object`);
  const source: CatalogSource = {
    repository: field(data.source, "repository", `${origin} source`, isNonEmptyString, "a string"),
    baseUrl: field(
      data.source,
      "base_url",
      `${origin} source`,
      (v): v is string => typeof v === "string" && /^https?:\/\/\S+$/.test(v),
      "an http(s) URL",
    ),
  };
  if (!Array.isArray(data.voices)) {
    throw new CatalogError(`${origin}: "voices" must be an array`);
  }
  const seen = new Set<string>();
  const voices = data.voices.map((v, i) => {
    const entry = parseEntry(v, `${origin}: voices[${i}]`, source.baseUrl);
    if (seen.has(entry.id)) {
      throw new CatalogError(`${origin}: voices[${i}]: duplicate id "${entry.id}"`);
    }
    seen.add(entry.id);
    return entry;
  });
  return { schemaVersion, source, voices };
}

/**
 * Reads and validates a catalogue file.
 *
 * @param path file to read; defaults to {@link DEFAULT_CATALOG_PATH}
 * @throws {CatalogError} when the file is missing, is not JSON, or is malformed
 */
export async function loadCatalog(path: string = DEFAULT_CATALOG_PATH): Promise<Catalog> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "file not found" : String(error);
    throw new CatalogError(`cannot read catalogue ${path}: ${reason}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CatalogError(`catalogue ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseCatalog(data, path);
}

/** Finds a catalogue entry by id. */
export function findCatalogEntry(catalog: Catalog, id: string): CatalogEntry | undefined {
  return catalog.voices.find((v) => v.id === id);
}

/**
 * URL of one file of a catalogue voice.
 *
 * Without `baseUrl` it is `<source base_url>/<revision>/<path>` (Hugging Face). A `baseUrl`
 * (a mirror, a test server; env `TTS_MODELS_BASE_URL` in the CLI) replaces host, prefix and
 * revision: the URL is `<baseUrl>/<path>`.
 */
export function catalogFileUrl(entry: CatalogEntry, file: CatalogFile, baseUrl?: string): string {
  const encoded = file.path.split("/").map(encodeURIComponent).join("/");
  if (baseUrl) return `${baseUrl.replace(/\/+$/, "")}/${encoded}`;
  const prefix = entry.sourceBaseUrl.replace(/\/+$/, "");
  return `${prefix}/${encodeURIComponent(entry.revision)}/${encoded}`;
}
