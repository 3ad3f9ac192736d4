/**
 * Downloading catalogue voices into the models directory.
 *
 * Each file is streamed to `<name>.partial-<random>` (a name of its own for every pull, so two
 * pulls of one voice at once cannot write into each other's file) while its SHA-256 is computed;
 * size and digest are checked against the catalogue, and only then are the files renamed into
 * place, so the models directory never holds a half-written or unverified `.onnx`.
 *
 * Files are requested with `Accept-Encoding: identity`. A server that compresses them anyway
 * (`Content-Encoding: gzip`, as object stores do for files stored compressed) is decoded here;
 * the catalogue's size and SHA-256 are checked on the decoded bytes.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { type CatalogEntry, type CatalogFile, catalogFileUrl, validateModelId } from "./catalog.ts";
import { sha256File } from "./sha256.ts";

/**
 * Marks files being downloaded: `<name>.partial-<random>`, a name of its own for each pull.
 * Such files older than {@link STALE_PARTIAL_MS} are left over from a pull that died, and the next
 * pull of that voice removes them.
 */
export const PARTIAL_SUFFIX = ".partial";

/** Age (by modification time) from which a voice's partial files count as left over: 24 hours. */
export const STALE_PARTIAL_MS = 24 * 60 * 60 * 1000;

/** Progress of a {@link pullModel} call. */
export interface DownloadProgress {
  /** Model id. */
  readonly id: string;
  /** Which file is being fetched (the config comes first, then the model). */
  readonly file: "config" | "model";
  /** Local file name being written (without `.partial`). */
  readonly fileName: string;
  /** Bytes of this file received so far. */
  readonly receivedBytes: number;
  /** Size of this file. */
  readonly totalBytes: number;
  /** Bytes of all files of the voice received so far; never decreases. */
  readonly overallReceivedBytes: number;
  /** Size of all files of the voice. */
  readonly overallTotalBytes: number;
}

/** How long a pull waits for the next bytes from the server unless told otherwise, in ms. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Options of {@link pullModel}. */
export interface PullOptions {
  /**
   * Replaces the catalogue's host, prefix and revision: files are fetched from
   * `<baseUrl>/<path>` (a mirror or a test server; the CLI reads `TTS_MODELS_BASE_URL`).
   */
  readonly baseUrl?: string;
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Called when the download starts a file and after every chunk received. */
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Cancels the download; partial files are removed. */
  readonly signal?: AbortSignal;
  /**
   * A server that sends nothing for this long, before or while it sends a file, fails the pull with
   * a {@linkcode DownloadError} (default {@linkcode DEFAULT_IDLE_TIMEOUT_MS}).
   */
  readonly idleTimeoutMs?: number;
  /** Download even when intact files are already there. */
  readonly force?: boolean;
}

/** Outcome of {@link pullModel}. */
export interface PullResult {
  /** Model id. */
  readonly id: string;
  /** Path of the stored `.onnx`. */
  readonly modelPath: string;
  /** Path of the stored `.onnx.json`. */
  readonly configPath: string;
  /** Bytes of both files. */
  readonly sizeBytes: number;
  /** SHA-256 of the stored `.onnx`. */
  readonly sha256: string;
  /** True when the files were already there and intact, so nothing was downloaded. */
  readonly skipped: boolean;
  /** False when the catalogue has no digest for a file, so it could only be size-checked. */
  readonly verified: boolean;
}

/** A file could not be fetched (network error or HTTP error status). */
export class DownloadError extends Error {
  /** The URL requested. */
  readonly url: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;

  /** Creates the error; `name` is `DownloadError`. */
  constructor(message: string, url: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "DownloadError";
    this.url = url;
    this.status = status;
  }
}

/** A downloaded file does not match the catalogue (size or SHA-256); it was deleted. */
export class IntegrityError extends Error {
  /** The URL the file came from. */
  readonly url: string;
  /** What was compared. */
  readonly check: "size" | "sha256";
  /** Catalogue value (bytes or hex digest). */
  readonly expected: string;
  /** Value of the received data. */
  readonly actual: string;

  /** Creates the error; `name` is `IntegrityError`. */
  constructor(
    message: string,
    url: string,
    check: "size" | "sha256",
    expected: string,
    actual: string,
  ) {
    super(message);
    this.name = "IntegrityError";
    this.url = url;
    this.check = check;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Local paths of a voice in the models directory: `<dir>/<id>.onnx` and `<dir>/<id>.onnx.json`. */
export function localVoicePaths(
  id: string,
  modelsDir: string,
): { modelPath: string; configPath: string } {
  const problem = validateModelId(id);
  if (problem) throw new Error(`cannot store voice: ${problem}`);
  const modelPath = join(modelsDir, `${id}.onnx`);
  return { modelPath, configPath: `${modelPath}.json` };
}

/**
 * Downloads a catalogue voice (`.onnx.json`, then `.onnx`) into `modelsDir`, verifying size
 * and SHA-256 of each file before it is renamed into place. When intact files are already
 * there, nothing is downloaded (unless `force`).
 *
 * @throws {DownloadError} on network errors and HTTP error statuses (with `status`)
 * @throws {IntegrityError} when a file's size or digest differs; no file is left behind
 */
export async function pullModel(
  entry: CatalogEntry,
  modelsDir: string,
  options: PullOptions = {},
): Promise<PullResult> {
  const { modelPath, configPath } = localVoicePaths(entry.id, modelsDir);
  await removeStalePartials(modelsDir, [modelPath, configPath]);
  const verified = entry.model.sha256 !== null && entry.config.sha256 !== null;
  const sizeBytes = entry.model.sizeBytes + entry.config.sizeBytes;
  if (!options.force) {
    const present = await intactDigest(modelPath, entry.model);
    if (present !== null && (await intactDigest(configPath, entry.config)) !== null) {
      return {
        id: entry.id,
        modelPath,
        configPath,
        sizeBytes,
        sha256: present,
        skipped: true,
        verified,
      };
    }
  }
  await Deno.mkdir(modelsDir, { recursive: true });
  const fetchFn = options.fetch ?? fetch;
  const parts = [
    { kind: "config" as const, file: entry.config, dest: configPath },
    { kind: "model" as const, file: entry.model, dest: modelPath },
  ];
  const token = randomToken();
  const partials = parts.map((p) => `${p.dest}${PARTIAL_SUFFIX}-${token}`);
  let done = 0;
  let modelSha = "";
  try {
    for (const [i, part] of parts.entries()) {
      const url = catalogFileUrl(entry, part.file, options.baseUrl);
      const fileName = baseName(part.dest);
      const report = (received: number) =>
        options.onProgress?.({
          id: entry.id,
          file: part.kind,
          fileName,
          receivedBytes: received,
          totalBytes: part.file.sizeBytes,
          overallReceivedBytes: done + received,
          overallTotalBytes: sizeBytes,
        });
      const sha = await downloadFile(fetchFn, url, partials[i], part.file, report, {
        signal: options.signal,
        idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      });
      if (part.kind === "model") modelSha = sha;
      done += part.file.sizeBytes;
    }
    // Model first, then config: a voice is only seen by the store once both exist. Each rename
    // is atomic, and a concurrent pull of the same voice renames identical, verified bytes.
    await Deno.rename(partials[1], modelPath);
    await Deno.rename(partials[0], configPath);
  } catch (error) {
    // Only this pull's own files: another pull of the voice may be writing its own.
    await Promise.all(partials.map(removeQuietly));
    throw error;
  }
  return {
    id: entry.id,
    modelPath,
    configPath,
    sizeBytes,
    sha256: modelSha,
    skipped: false,
    verified,
  };
}

/**
 * Streams one URL into `dest`, hashing on the way; returns the hex SHA-256. A server silent for
 * `idleTimeoutMs` (before its answer or between two chunks) fails it with a `DownloadError`.
 */
async function downloadFile(
  fetchFn: typeof fetch,
  url: string,
  dest: string,
  expected: CatalogFile,
  report: (received: number) => void,
  limits: { readonly signal?: AbortSignal; readonly idleTimeoutMs: number },
): Promise<string> {
  const stalled = new AbortController();
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const stillAlive = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      stalled.abort(
        new DownloadError(
          `${url}: the server sent nothing for ${limits.idleTimeoutMs / 1000} s; try again or ` +
            "use another mirror (TTS_MODELS_BASE_URL)",
          url,
        ),
      );
    }, limits.idleTimeoutMs);
  };
  const signal = limits.signal ? AbortSignal.any([limits.signal, stalled.signal]) : stalled.signal;
  /** The stall's own error when the server stalled (not when the caller cancelled). */
  const stallOr = (error: unknown) =>
    stalled.signal.aborted && !limits.signal?.aborted ? stalled.signal.reason : error;
  stillAlive();
  try {
    return await receiveFile(fetchFn, url, dest, expected, report, signal, stillAlive);
  } catch (error) {
    throw stallOr(error);
  } finally {
    clearTimeout(idleTimer);
  }
}

/** {@linkcode downloadFile}'s work; `stillAlive` is called whenever the server sends something. */
async function receiveFile(
  fetchFn: typeof fetch,
  url: string,
  dest: string,
  expected: CatalogFile,
  report: (received: number) => void,
  signal: AbortSignal,
  stillAlive: () => void,
): Promise<string> {
  let response: Response;
  try {
    // Voice weights hardly compress; and a compressed response's Content-Length is not the
    // file's size.
    response = await fetchFn(url, { signal, headers: { "accept-encoding": "identity" } });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new DownloadError(`cannot fetch ${url}: ${describe(error)}`, url, undefined, {
      cause: error,
    });
  }
  stillAlive();
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    throw new DownloadError(`HTTP ${status} for ${url}`, url, response.status);
  }
  const codings = contentCodings(response.headers);
  // Content-Length counts the encoded bytes; the catalogue size and digest still check the file.
  const announced = codings.length === 0 ? response.headers.get("content-length") : null;
  if (announced !== null && Number(announced) !== expected.sizeBytes) {
    await response.body.cancel();
    throw new IntegrityError(
      `${url}: the server announces ${announced} bytes, the catalogue says ${expected.sizeBytes}`,
      url,
      "size",
      String(expected.sizeBytes),
      announced,
    );
  }
  const body = codings.length === 1 && GZIP_CODINGS.includes(codings[0])
    ? await gunzipped(response.body)
    : response.body;
  const hash = createHash("sha256");
  let received = 0;
  report(0);
  {
    using file = await Deno.open(dest, { write: true, createNew: true });
    const reader = body.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        stillAlive();
        received += value.byteLength;
        if (received > expected.sizeBytes) {
          throw new IntegrityError(
            `${url}: received more than the ${expected.sizeBytes} bytes the catalogue lists`,
            url,
            "size",
            String(expected.sizeBytes),
            `more than ${expected.sizeBytes}`,
          );
        }
        hash.update(value);
        await writeAll(file, value);
        report(received);
      }
    } finally {
      reader.releaseLock();
      await body.cancel().catch(() => {});
    }
  }
  if (received !== expected.sizeBytes) {
    throw new IntegrityError(
      `${url}: received ${received} bytes, the catalogue says ${expected.sizeBytes}`,
      url,
      "size",
      String(expected.sizeBytes),
      String(received),
    );
  }
  const actual = hash.digest("hex");
  if (expected.sha256 !== null && actual !== expected.sha256) {
    throw new IntegrityError(
      `sha256 mismatch for ${url}: expected ${expected.sha256}, got ${actual}; ` +
        "the download was discarded",
      url,
      "sha256",
      expected.sha256,
      actual,
    );
  }
  return actual;
}

const GZIP_CODINGS = ["gzip", "x-gzip"];

/** A byte stream, as `fetch` bodies are. */
type Bytes = ReadableStream<Uint8Array<ArrayBuffer>>;

/** The content codings of a response (`Content-Encoding`), lower case, without `identity`. */
function contentCodings(headers: Headers): string[] {
  return (headers.get("content-encoding") ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
}

/**
 * Decodes a body sent with `Content-Encoding: gzip`. A body that does not start with gzip's magic
 * number was decoded already (by a `fetch` that does so) and is passed on as it is.
 */
async function gunzipped(body: Bytes): Promise<Bytes> {
  const reader = body.getReader();
  let head = new Uint8Array(0);
  let ended = false;
  while (head.byteLength < 2 && !ended) {
    const { done, value } = await reader.read();
    if (done) ended = true;
    else head = concatBytes(head, value);
  }
  const whole: Bytes = new ReadableStream({
    start(controller) {
      if (head.byteLength > 0) controller.enqueue(head);
      if (ended) controller.close();
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const isGzip = head[0] === 0x1f && head[1] === 0x8b;
  return isGzip ? whole.pipeThrough(new DecompressionStream("gzip")) : whole;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** An error's message, with its cause's (fetch hides the DNS / connection detail there). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) offset += await file.write(data.subarray(offset));
}

/** Digest of a file already in place when it matches the catalogue size (and digest, if any). */
async function intactDigest(path: string, expected: CatalogFile): Promise<string | null> {
  try {
    const stat = await Deno.stat(path);
    if (!stat.isFile || stat.size !== expected.sizeBytes) return null;
    const { sha256 } = await sha256File(path);
    return expected.sha256 === null || sha256 === expected.sha256 ? sha256 : null;
  } catch {
    return null;
  }
}

/**
 * Removes a voice's partial files (of `dests`) older than {@link STALE_PARTIAL_MS}: left over from
 * a pull that was killed. Younger ones may belong to a pull in progress and are kept.
 */
async function removeStalePartials(modelsDir: string, dests: readonly string[]): Promise<void> {
  const prefixes = dests.map((dest) => baseName(dest) + PARTIAL_SUFFIX);
  const now = Date.now();
  try {
    for await (const entry of Deno.readDir(modelsDir)) {
      if (!entry.isFile || !prefixes.some((prefix) => entry.name.startsWith(prefix))) continue;
      const path = join(modelsDir, entry.name);
      const mtime = (await Deno.lstat(path).catch(() => null))?.mtime?.getTime();
      if (mtime !== undefined && now - mtime > STALE_PARTIAL_MS) await removeQuietly(path);
    }
  } catch {
    // Best effort: a missing or unreadable directory is the download's concern.
  }
}

/** 16 random hex digits, for partial file names of one pull. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // already gone
  }
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}
