/**
 * The models directory: which voices exist, where their files are, and whether they are intact.
 *
 * {@link ModelStore.scan} walks the directory for Piper voices (`<id>.onnx` next to
 * `<id>.onnx.json`, in subfolders too), reports malformed ones without failing on the rest,
 * and merges them with the catalogue (downloaded or not) and the built-in espeak-ng voices
 * into one list of {@link ModelDescriptor}s. A voice's config is read with the Piper engine's
 * own parser (`parsePiperConfig`), so a voice is listed as downloaded only when its config
 * would load, and a config it rejects is a problem with the parser's words.
 *
 * @module
 */

import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { parsePiperConfig, type PiperVoiceConfig } from "../engines/piper/piper_config.ts";
import {
  type Catalog,
  type CatalogEntry,
  DEFAULT_CATALOG_PATH,
  ESPEAK_ID_PREFIX,
  loadCatalog,
  validateModelId,
} from "./catalog.ts";
import { sha256File } from "./sha256.ts";
import { errorMessage } from "../error_message.ts";

export { validateModelId } from "./catalog.ts";

/** Model families the store knows. */
export type ModelFamily = "piper" | "espeak";

/** Everything known about one voice, downloaded or not. */
export interface ModelDescriptor {
  /** Model id, e.g. `en_US-lessac-medium` or `espeak-en-us`. */
  readonly id: string;
  /** Model family. */
  readonly family: ModelFamily;
  /** Language codes, lower case with `-` (e.g. `en-us`). */
  readonly languages: readonly string[];
  /** Native output sample rate in Hz (from the local config when downloaded). */
  readonly sampleRate: number;
  /** Quality label (`x_low`, `low`, `medium`, `high`). */
  readonly quality: string;
  /** Size on disk when downloaded, else the catalogue's download size; 0 for built-ins. */
  readonly sizeBytes: number;
  /** Licence (from the catalogue; `unknown` for local voices it does not list). */
  readonly license: string;
  /** Catalogue SHA-256 of the `.onnx`; `null` when the catalogue has none. */
  readonly sha256: string | null;
  /** Absolute path of the `.onnx`, when downloaded. */
  readonly modelPath?: string;
  /** Absolute path of the `.onnx.json`, when downloaded. */
  readonly configPath?: string;
  /** Family voice name: the espeak-ng voice (`en-us`), also for Piper's phonemiser. */
  readonly voiceName?: string;
  /** Whether the voice can be loaded now (built-ins always can). */
  readonly downloaded: boolean;
  /** Number of speakers (1 for single-speaker voices). */
  readonly numSpeakers: number;
  /**
   * Speaker names of a multi-speaker voice, in speaker-id order, as its downloaded config
   * lists them; empty for single-speaker voices and for voices not downloaded.
   */
  readonly speakers: readonly string[];
}

/** A voice-like file set in the models directory that cannot be used. */
export interface ModelProblem {
  /** Path of the file at fault, relative to the models directory. */
  readonly path: string;
  /** Model id the files would have had, when it can be told. */
  readonly id?: string;
  /** What is wrong. */
  readonly reason: string;
}

/** Outcome of {@link ModelStore.scan}. */
export interface ScanResult {
  /** Built-in, downloaded and downloadable voices, built-ins first, then by id. */
  readonly models: readonly ModelDescriptor[];
  /** Malformed voices found on disk. */
  readonly problems: readonly ModelProblem[];
}

/**
 * Why the voice `id` cannot be used, when the scan left its files out (a config the Piper parser
 * rejects, a model without its config...): also when the catalogue lists it, as not downloaded.
 */
export function unusableVoice(scan: ScanResult, id: string): ModelProblem | undefined {
  const model = scan.models.find((m) => m.id === id);
  return model?.downloaded ? undefined : scan.problems.find((p) => p.id === id);
}

/** Outcome of {@link ModelStore.check} and {@link ModelStore.verify}. */
export interface VerifyResult {
  /** Model id. */
  readonly id: string;
  /**
   * `verified`: the model's digest matches the catalogue, and so does the config's where the
   * catalogue has one; `mismatch`: a file's digest or size differs; `unverifiable`: no catalogue
   * digest of the model to compare with (or a built-in voice); `missing`: a file is not there.
   */
  readonly status: "verified" | "mismatch" | "unverifiable" | "missing";
  /**
   * Catalogue digest of the model; of the config when it is the config that differs or is
   * missing.
   */
  readonly expected: string | null;
  /** Digest on disk of the file `expected` is about, when it was read. */
  readonly actual: string | null;
  /** One line for people. */
  readonly message: string;
}

/** Options of {@link ModelStore}. */
export interface ModelStoreOptions {
  /** The models directory. Need not exist: then no voice is downloaded. */
  readonly modelsDir: string;
  /**
   * Catalogue of downloadable voices: a parsed catalogue, the path of one, or `null` for none.
   * Default: the project's `models/catalog.json`, loaded on first use. A catalogue that cannot
   * be loaded is reported by {@link ModelStore.scan} as a problem, not thrown.
   */
  readonly catalog?: Catalog | string | null;
}

/** Raised by {@link ModelStore.verify} when a voice's model or config file is missing or differs. */
export class ModelVerificationError extends Error {
  /** The check's outcome (`status` is `mismatch` or `missing`). */
  readonly result: VerifyResult;

  /** Creates the error from a failed check; `name` is `ModelVerificationError`. */
  constructor(result: VerifyResult) {
    super(result.message);
    this.name = "ModelVerificationError";
    this.result = result;
  }
}

/** A built-in espeak-ng voice. */
interface BuiltinVoice {
  readonly voice: string;
  readonly languages: readonly string[];
}

const BUILTIN_VOICES: readonly BuiltinVoice[] = [
  { voice: "en-us", languages: ["en-us"] },
  { voice: "en-gb", languages: ["en-gb"] },
  { voice: "de", languages: ["de"] },
  { voice: "fr", languages: ["fr"] },
  { voice: "es", languages: ["es"] },
];

/** Id of the worker's default voice (built in, always available). */
export const DEFAULT_MODEL_ID = "espeak-en-us";

/** Sample rate of espeak-ng output. */
export const ESPEAK_SAMPLE_RATE = 22050;

/** The built-in espeak-ng voices: `espeak-en-us`, `espeak-en-gb`, `espeak-de`, `espeak-fr`, `espeak-es`. */
export const BUILTIN_ESPEAK_MODELS: readonly ModelDescriptor[] = BUILTIN_VOICES.map((v) => ({
  id: `${ESPEAK_ID_PREFIX}${v.voice}`,
  family: "espeak",
  languages: v.languages,
  sampleRate: ESPEAK_SAMPLE_RATE,
  quality: "low",
  sizeBytes: 0,
  license: "GPL-3.0-or-later",
  sha256: null,
  voiceName: v.voice,
  downloaded: true,
  numSpeakers: 1,
  speakers: [],
}));

/**
 * The languages of the voices a session can use now: built in or downloaded (a catalogue voice
 * not downloaded needs `deno task models pull` first), without duplicates, sorted.
 */
export function usableLanguages(models: readonly ModelDescriptor[]): string[] {
  const languages = new Set<string>();
  for (const model of models) {
    if (!model.downloaded) continue;
    for (const language of model.languages) languages.add(language);
  }
  return [...languages].sort();
}

const MAX_SCAN_DEPTH = 6;
/** Files modified more recently than this are re-hashed on every check. */
const RACY_WINDOW_MS = 2000;
const MODEL_SUFFIX = ".onnx";
const CONFIG_SUFFIX = ".onnx.json";

/** A Piper voice found on disk, before merging with the catalogue. */
interface LocalVoice {
  readonly id: string;
  readonly modelPath: string;
  readonly configPath: string;
  readonly sizeBytes: number;
  readonly sampleRate: number;
  readonly quality: string;
  readonly languages: readonly string[];
  readonly numSpeakers: number;
  readonly speakers: readonly string[];
  readonly voiceName?: string;
}

/** A remembered digest, and what identifies the file version it is of. */
interface DigestCacheEntry {
  /**
   * Size, modification and status-change time, inode and device: a file replaced by another one
   * of the same size with its modification time restored (by `cp -p`, `rsync -t`, `tar x`, a
   * backup restore) has another inode, or a later status-change time, which cannot be set back.
   */
  readonly key: string;
  readonly sha256: string;
}

/** The models directory, the catalogue and the built-in voices, as one list. */
export class ModelStore {
  /** The models directory, as an absolute path. */
  readonly modelsDir: string;
  readonly #catalogSource: Catalog | string | null;
  #catalog: Promise<{ catalog: Catalog | null; problem?: ModelProblem }> | undefined;
  readonly #digests = new Map<string, DigestCacheEntry>();

  /**
   * Creates a store; nothing is read until it is used.
   *
   * @param options the models directory (a string), or options with a catalogue
   */
  constructor(options: string | ModelStoreOptions) {
    const opts = typeof options === "string" ? { modelsDir: options } : options;
    this.modelsDir = resolve(opts.modelsDir);
    this.#catalogSource = opts.catalog === undefined ? DEFAULT_CATALOG_PATH : opts.catalog;
  }

  /** The catalogue in use (loaded on first call); `null` when there is none or it is broken. */
  async catalog(): Promise<Catalog | null> {
    return (await this.#loadCatalog()).catalog;
  }

  #loadCatalog(): Promise<{ catalog: Catalog | null; problem?: ModelProblem }> {
    const source = this.#catalogSource;
    this.#catalog ??= source === null || typeof source !== "string"
      ? Promise.resolve({ catalog: source })
      : loadCatalog(source).then(
        (catalog) => ({ catalog }),
        (error: unknown) => ({
          catalog: null,
          problem: {
            path: source,
            reason: `catalogue not used: ${errorMessage(error)}`,
          },
        }),
      );
    return this.#catalog;
  }

  /** All voices: built in, downloaded and downloadable (the `models` of {@link scan}). */
  async list(): Promise<readonly ModelDescriptor[]> {
    return (await this.scan()).models;
  }

  /**
   * Walks the models directory and lists every voice. Never throws for a malformed voice:
   * those are returned in `problems` and left out (or listed as not downloaded, when the
   * catalogue has them). A missing models directory means nothing is downloaded.
   *
   * @throws when the models directory exists but cannot be read
   */
  async scan(): Promise<ScanResult> {
    const problems: ModelProblem[] = [];
    const { catalog, problem: catalogProblem } = await this.#loadCatalog();
    if (catalogProblem) problems.push(catalogProblem);
    const local = new Map<string, LocalVoice>();
    const files: string[] = [];
    await this.#walk(this.modelsDir, 0, files, problems);
    files.sort();
    const fileSet = new Set(files);
    for (const path of files) {
      const rel = relative(this.modelsDir, path);
      if (path.endsWith(CONFIG_SUFFIX)) {
        const modelPath = path.slice(0, -".json".length);
        if (!fileSet.has(modelPath)) {
          problems.push({
            path: rel,
            id: baseName(modelPath).slice(0, -MODEL_SUFFIX.length),
            reason: `config without model: ${baseName(modelPath)} is missing`,
          });
        }
        continue;
      }
      if (!path.endsWith(MODEL_SUFFIX)) continue;
      const id = baseName(path).slice(0, -MODEL_SUFFIX.length);
      const idProblem = validateModelId(id) ??
        (id.startsWith(ESPEAK_ID_PREFIX)
          ? `ids starting with "${ESPEAK_ID_PREFIX}" are built in`
          : null);
      if (idProblem) {
        problems.push({ path: rel, reason: idProblem });
        continue;
      }
      const seen = local.get(id);
      if (seen) {
        problems.push({
          path: rel,
          id,
          reason: `duplicate id: already found at ${relative(this.modelsDir, seen.modelPath)}`,
        });
        continue;
      }
      const configPath = `${path}.json`;
      if (!fileSet.has(configPath)) {
        problems.push({
          path: rel,
          id,
          reason: `missing config: ${baseName(configPath)} not found`,
        });
        continue;
      }
      const configRel = relative(this.modelsDir, configPath);
      const result = await readLocalVoice(id, path, configPath, configRel);
      if (typeof result === "string") {
        problems.push({ path: configRel, id, reason: result });
        continue;
      }
      local.set(id, result);
    }
    return { models: this.#merge(local, catalog), problems };
  }

  /**
   * Finds one voice by id (scanning the directory afresh, so newly pulled voices are seen).
   * Invalid ids (see {@link validateModelId}) resolve to `undefined` without touching disk.
   */
  async resolve(id: string): Promise<ModelDescriptor | undefined> {
    if (validateModelId(id) !== null) return undefined;
    const builtin = BUILTIN_ESPEAK_MODELS.find((m) => m.id === id);
    if (builtin) return builtin;
    const { models } = await this.scan();
    return models.find((m) => m.id === id);
  }

  /**
   * Checks a voice before loading: like {@link check}, but a missing or differing model or config
   * file is an error. Voices without a catalogue digest pass (`unverifiable`).
   *
   * @throws {ModelVerificationError} when the model or config file is missing or differs
   */
  async verify(descriptor: ModelDescriptor): Promise<VerifyResult> {
    const result = await this.check(descriptor);
    if (result.status === "mismatch" || result.status === "missing") {
      throw new ModelVerificationError(result);
    }
    return result;
  }

  /**
   * Compares a downloaded voice's `.onnx` with the catalogue digest, and its `.onnx.json` with the
   * catalogue's config digest where there is one (streaming SHA-256; sizes are compared first, so
   * a truncated file fails fast). Voices the catalogue does not list are `unverifiable`. Digests
   * are remembered per file version (size, times, inode), so checking an unchanged file again
   * costs no re-read. Never throws for a bad file: the outcome is in `status`.
   */
  async check(descriptor: ModelDescriptor): Promise<VerifyResult> {
    const { id } = descriptor;
    const expected = descriptor.sha256;
    if (descriptor.family === "espeak") {
      return { id, status: "unverifiable", expected, actual: null, message: `${id} is built in` };
    }
    if (!descriptor.modelPath) {
      return { id, status: "missing", expected, actual: null, message: `${id} is not downloaded` };
    }
    const path = resolve(descriptor.modelPath);
    if (!this.#inside(path)) {
      return {
        id,
        status: "missing",
        expected,
        actual: null,
        message: `${path} is outside the models directory ${this.modelsDir}; not read`,
      };
    }
    const entry = (await this.catalog())?.voices.find((v) => v.id === id);
    const model = await this.#checkFile(id, path, expected, entry?.model.sizeBytes);
    if (model.status !== "verified") return model;
    const config = await this.#checkConfig(id, descriptor, entry);
    if (config) return config;
    if (expected === null) {
      return {
        id,
        status: "unverifiable",
        expected,
        actual: model.actual,
        message: `${id}: no catalogue digest to compare with (sha256 ${model.actual})`,
      };
    }
    const configNote = entry?.config.sha256 ? "; config sha256 OK" : "";
    return { ...model, message: `${id}: sha256 ${model.actual} OK${configNote}` };
  }

  /**
   * Checks one file against a catalogue size and digest (either may be missing). `verified`
   * here means only that nothing differs: with no digest to compare, the file was just hashed.
   */
  async #checkFile(
    id: string,
    path: string,
    expected: string | null,
    expectedSize: number | undefined,
  ): Promise<VerifyResult> {
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(path);
    } catch {
      return { id, status: "missing", expected, actual: null, message: `${path} is missing` };
    }
    if (expectedSize !== undefined && stat.size !== expectedSize) {
      return {
        id,
        status: "mismatch",
        expected,
        actual: null,
        message:
          `${path} has ${stat.size} bytes; the catalogue says ${expectedSize}: pull it again`,
      };
    }
    const actual = await this.#digest(path, stat);
    if (expected !== null && actual !== expected) {
      return {
        id,
        status: "mismatch",
        expected,
        actual,
        message: `${id}: sha256 of ${path} is ${actual}, expected ${expected}: pull it again`,
      };
    }
    return { id, status: "verified", expected, actual, message: `${path}: OK` };
  }

  /** Checks the config against the catalogue when it has a digest; `undefined` when it is fine. */
  async #checkConfig(
    id: string,
    descriptor: ModelDescriptor,
    entry: CatalogEntry | undefined,
  ): Promise<VerifyResult | undefined> {
    const expected = entry?.config.sha256 ?? null;
    if (!entry || expected === null) return undefined;
    const path = resolve(descriptor.configPath ?? `${descriptor.modelPath}.json`);
    if (!this.#inside(path)) {
      return {
        id,
        status: "missing",
        expected,
        actual: null,
        message: `${path} is outside the models directory ${this.modelsDir}; not read`,
      };
    }
    const result = await this.#checkFile(id, path, expected, entry.config.sizeBytes);
    return result.status === "verified" ? undefined : result;
  }

  async #digest(path: string, stat: Deno.FileInfo): Promise<string> {
    const mtimeMs = stat.mtime?.getTime() ?? null;
    const key = [stat.size, mtimeMs, stat.ctime?.getTime() ?? null, stat.ino, stat.dev].join(":");
    const cached = this.#digests.get(path);
    if (cached && mtimeMs !== null && cached.key === key) return cached.sha256;
    const { sha256 } = await sha256File(path);
    // As git does with "racily clean" files: a file modified just now could change again
    // within the same timestamp tick, so its digest is only remembered once it has aged.
    if (mtimeMs !== null && Date.now() - mtimeMs > RACY_WINDOW_MS) {
      this.#digests.set(path, { key, sha256 });
    }
    return sha256;
  }

  #inside(path: string): boolean {
    const rel = relative(this.modelsDir, path);
    return rel !== "" && rel.split(sep)[0] !== ".." && !isAbsolute(rel);
  }

  async #walk(dir: string, depth: number, out: string[], problems: ModelProblem[]): Promise<void> {
    let entries: AsyncIterable<Deno.DirEntry>;
    try {
      entries = Deno.readDir(dir);
      for await (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory) {
          if (entry.name.startsWith(".")) continue;
          if (depth + 1 >= MAX_SCAN_DEPTH) {
            problems.push({
              path: relative(this.modelsDir, path),
              reason: "folder nested too deep; skipped",
            });
            continue;
          }
          await this.#walk(path, depth + 1, out, problems);
        } else if (entry.isFile || entry.isSymlink) {
          // Symlinked files are accepted (models are often linked in); symlinked folders are
          // not followed, so a link loop cannot hang the scan.
          if (entry.isSymlink && !(await isFile(path))) continue;
          out.push(path);
        }
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound && depth === 0) return;
      if (depth === 0) throw error;
      problems.push({
        path: relative(this.modelsDir, dir),
        reason: `cannot read folder: ${error}`,
      });
    }
  }

  #merge(local: Map<string, LocalVoice>, catalog: Catalog | null): ModelDescriptor[] {
    const byId = new Map<string, ModelDescriptor>();
    for (const entry of catalog?.voices ?? []) {
      byId.set(entry.id, fromCatalog(entry, local.get(entry.id)));
    }
    for (const voice of local.values()) {
      if (!byId.has(voice.id)) byId.set(voice.id, fromLocal(voice));
    }
    const others = [...byId.values()].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return [...BUILTIN_ESPEAK_MODELS, ...others];
  }
}

function baseName(path: string): string {
  const i = path.lastIndexOf("/");
  const j = path.lastIndexOf("\\");
  return path.slice(Math.max(i, j) + 1);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

function fromCatalog(entry: CatalogEntry, local: LocalVoice | undefined): ModelDescriptor {
  const base = {
    id: entry.id,
    family: "piper" as const,
    license: entry.license,
    sha256: entry.model.sha256,
  };
  if (local) {
    return {
      ...base,
      languages: local.languages.length > 0 ? local.languages : entry.languages,
      sampleRate: local.sampleRate,
      quality: local.quality || entry.quality,
      sizeBytes: local.sizeBytes,
      modelPath: local.modelPath,
      configPath: local.configPath,
      voiceName: local.voiceName,
      downloaded: true,
      numSpeakers: local.numSpeakers,
      speakers: local.speakers,
    };
  }
  return {
    ...base,
    languages: entry.languages,
    sampleRate: entry.sampleRate,
    quality: entry.quality,
    sizeBytes: entry.model.sizeBytes + entry.config.sizeBytes,
    downloaded: false,
    numSpeakers: entry.speakers,
    speakers: [],
  };
}

function fromLocal(voice: LocalVoice): ModelDescriptor {
  return {
    id: voice.id,
    family: "piper",
    languages: voice.languages,
    sampleRate: voice.sampleRate,
    quality: voice.quality,
    sizeBytes: voice.sizeBytes,
    license: "unknown",
    sha256: null,
    modelPath: voice.modelPath,
    configPath: voice.configPath,
    voiceName: voice.voiceName,
    downloaded: true,
    numSpeakers: voice.numSpeakers,
    speakers: voice.speakers,
  };
}

/**
 * Reads a Piper voice's config with the Piper engine's own parser, so that a voice is listed
 * only when its config would load; returns what is wrong as a string when it cannot be used.
 * `source` names the config in the parser's messages (its path inside the models directory).
 */
async function readLocalVoice(
  id: string,
  modelPath: string,
  configPath: string,
  source: string,
): Promise<LocalVoice | string> {
  let text: string;
  let sizeBytes: number;
  try {
    text = await Deno.readTextFile(configPath);
    sizeBytes = (await Deno.stat(modelPath)).size + new TextEncoder().encode(text).byteLength;
  } catch (error) {
    return `unreadable: ${errorMessage(error)}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `config is not valid JSON: ${(error as Error).message}`;
  }
  let config: PiperVoiceConfig;
  try {
    config = parsePiperConfig(json, source);
  } catch (error) {
    return errorMessage(error);
  }
  const languages: string[] = [];
  if (config.languageCode !== undefined) {
    languages.push(config.languageCode.toLowerCase().replaceAll("_", "-"));
  } else if (config.espeakVoice.length > 0) {
    languages.push(config.espeakVoice.toLowerCase());
  }
  return {
    id,
    modelPath,
    configPath,
    sizeBytes,
    sampleRate: config.sampleRate,
    quality: config.quality ?? "",
    languages,
    numSpeakers: config.numSpeakers,
    speakers: config.numSpeakers > 1 ? speakerNames(config.speakerIdMap) : [],
    voiceName: config.espeakVoice.length > 0 ? config.espeakVoice : undefined,
  };
}

/** Speaker names of a Piper `speaker_id_map` (name to id), ordered by id. */
function speakerNames(map: ReadonlyMap<string, number>): string[] {
  return [...map].sort((a, b) => a[1] - b[1]).map(([name]) => name);
}
