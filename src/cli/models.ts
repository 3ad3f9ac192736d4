/**
 * `deno task models`: list, download and verify voices.
 *
 * ```sh
 * deno task models list
 * deno task models pull en_US-lessac-medium
 * deno task models verify
 * ```
 *
 * Environment: `TTS_MODELS_DIR` (models directory, default `./models`), `TTS_MODELS_BASE_URL`
 * (download from `<url>/<path>` instead of Hugging Face, e.g. a mirror).
 *
 * @module
 */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  type Catalog,
  CatalogError,
  DEFAULT_CATALOG_PATH,
  findCatalogEntry,
  loadCatalog,
} from "../models/catalog.ts";
import {
  DownloadError,
  type DownloadProgress,
  IntegrityError,
  pullModel,
} from "../models/download.ts";
import {
  type ModelDescriptor,
  ModelStore,
  type ScanResult,
  unusableVoice,
  validateModelId,
} from "../models/model_store.ts";
import { errorMessage } from "../error_message.ts";

/** Default models directory when neither `--models-dir` nor `TTS_MODELS_DIR` is given. */
export const DEFAULT_MODELS_DIR = "./models";

const USAGE = `Usage: deno task models <command> [options]

Commands:
  list                 List built-in, downloaded and downloadable voices
  pull ID [ID...]      Download voices from the catalogue into the models directory
  verify [ID...]       Check downloaded voices (model and config) against the
                       catalogue's SHA-256 (all voices in the models directory when
                       no id is given; a voice that cannot be used there fails too)

Options:
  --models-dir DIR     Models directory (env TTS_MODELS_DIR, default ./models)
  --catalog PATH       Catalogue file (default: models/catalog.json of this project)
  --base-url URL       Download from URL/<path> instead of Hugging Face (env TTS_MODELS_BASE_URL)
  --force              pull: download again even when intact files are present
  --json               list: print JSON instead of a table
  -h, --help           Show this help
`;

/** Where the CLI writes and what it reads from its surroundings (replaceable in tests). */
export interface CliIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Whether standard error is a terminal (progress redraws in place). */
  readonly stderrIsTerminal: boolean;
  /** Reads an environment variable. */
  readonly env: (name: string) => string | undefined;
}

function defaultIo(): CliIo {
  const encoder = new TextEncoder();
  return {
    stdout: (text) => Deno.stdout.writeSync(encoder.encode(text)),
    stderr: (text) => Deno.stderr.writeSync(encoder.encode(text)),
    stderrIsTerminal: Deno.stderr.isTerminal(),
    env: (name) => Deno.env.get(name),
  };
}

/** Formats a byte count for people: `512 B`, `4.8 KiB`, `60.3 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * One progress line: file name, bar, percent, bytes and rate, e.g.
 * `en_US-lessac-medium.onnx [#####...............]  25.0%  15.1 MiB / 60.3 MiB  9.8 MiB/s`.
 */
export function formatProgressLine(
  progress: DownloadProgress,
  bytesPerSecond: number | null,
  barWidth = 24,
): string {
  const { receivedBytes: got, totalBytes: total } = progress;
  const fraction = total > 0 ? Math.min(1, got / total) : 1;
  const filled = Math.round(fraction * barWidth);
  const bar = "#".repeat(filled) + ".".repeat(barWidth - filled);
  const percent = `${(fraction * 100).toFixed(1)}%`.padStart(6);
  const rate = bytesPerSecond === null ? "" : `  ${formatBytes(Math.round(bytesPerSecond))}/s`;
  return `${progress.fileName} [${bar}] ${percent}  ${formatBytes(got)} / ${
    formatBytes(total)
  }${rate}`;
}

/** Files smaller than this get a single progress line when output is not a terminal. */
const SMALL_FILE_BYTES = 1024 * 1024;
const REDRAW_INTERVAL_MS = 100;

/**
 * Download progress on a stream: redraws one line in place on a terminal (at most ten times a
 * second), otherwise prints a line at every 10 % step of large files and at the end of each file.
 */
export class ProgressBar {
  readonly #write: (text: string) => void;
  readonly #terminal: boolean;
  readonly #now: () => number;
  #file = "";
  #started = 0;
  #lastDraw = -Infinity;
  #lastStep = -1;
  #open = false;

  /**
   * @param write where lines go (standard error in the CLI)
   * @param terminal redraw in place (`\r`) instead of printing lines
   * @param now clock in milliseconds, for the rate
   */
  constructor(
    write: (text: string) => void,
    terminal: boolean,
    now: () => number = performance.now.bind(performance),
  ) {
    this.#write = write;
    this.#terminal = terminal;
    this.#now = now;
  }

  /** Takes one progress report. */
  update(progress: DownloadProgress): void {
    const now = this.#now();
    if (progress.fileName !== this.#file) {
      this.finish();
      this.#file = progress.fileName;
      this.#started = now;
      this.#lastDraw = -Infinity;
      this.#lastStep = -1;
    }
    const complete = progress.receivedBytes >= progress.totalBytes;
    const elapsed = (now - this.#started) / 1000;
    const rate = elapsed > 0 ? progress.receivedBytes / elapsed : null;
    if (this.#terminal) {
      if (!complete && now - this.#lastDraw < REDRAW_INTERVAL_MS) return;
      this.#lastDraw = now;
      this.#write(`\r\x1b[2K${formatProgressLine(progress, rate)}`);
      this.#open = true;
      if (complete) this.finish();
      return;
    }
    const small = progress.totalBytes < SMALL_FILE_BYTES;
    const step = complete
      ? 10
      : small
      ? -1
      : Math.floor((progress.receivedBytes / progress.totalBytes) * 10);
    if (step <= this.#lastStep) return;
    this.#lastStep = step;
    this.#write(`${formatProgressLine(progress, rate)}\n`);
  }

  /** Ends an in-place line (on a terminal); harmless to call twice. */
  finish(): void {
    if (this.#open) this.#write("\n");
    this.#open = false;
  }
}

interface Context {
  readonly io: CliIo;
  readonly modelsDir: string;
  readonly catalog: Catalog;
  readonly catalogPath: string;
  readonly baseUrl?: string;
  readonly force: boolean;
  readonly json: boolean;
}

/**
 * Runs the CLI.
 *
 * @param args command-line arguments (without the program name)
 * @param io output streams and environment; the process's own by default
 * @returns the exit code: 0 on success, 1 on any error
 */
export async function runModelsCli(
  args: readonly string[],
  io: CliIo = defaultIo(),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        "models-dir": { type: "string" },
        "catalog": { type: "string" },
        "base-url": { type: "string" },
        "force": { type: "boolean", default: false },
        "json": { type: "boolean", default: false },
        "help": { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [command, ...ids] = positionals;
  if (values.help || command === "help") {
    io.stdout(USAGE);
    return 0;
  }
  if (command === undefined) {
    io.stderr(`error: no command given\n\n${USAGE}`);
    return 1;
  }
  const catalogPath = values.catalog ?? DEFAULT_CATALOG_PATH;
  let catalog: Catalog;
  try {
    catalog = await loadCatalog(catalogPath);
  } catch (error) {
    const message = error instanceof CatalogError ? error.message : String(error);
    io.stderr(`error: ${message}\nFix the catalogue or point --catalog at a valid one.\n`);
    return 1;
  }
  const baseUrl = values["base-url"] ?? nonEmpty(io.env("TTS_MODELS_BASE_URL"));
  if (baseUrl !== undefined && !/^https?:\/\/\S+$/.test(baseUrl)) {
    io.stderr(`error: base URL ${JSON.stringify(baseUrl)} is not an http(s) URL\n`);
    return 1;
  }
  const ctx: Context = {
    io,
    modelsDir: values["models-dir"] ?? nonEmpty(io.env("TTS_MODELS_DIR")) ?? DEFAULT_MODELS_DIR,
    catalog,
    catalogPath,
    baseUrl,
    force: values.force,
    json: values.json,
  };
  switch (command) {
    case "list":
      if (ids.length > 0) {
        io.stderr(`error: list takes no arguments\n`);
        return 1;
      }
      return await listCommand(ctx);
    case "pull":
      if (ids.length === 0) {
        io.stderr(
          `error: pull needs a model id, e.g. deno task models pull ${
            catalog.voices[0]?.id ?? "<id>"
          }\nRun "deno task models list" to see the ids.\n`,
        );
        return 1;
      }
      return await pullCommand(ctx, ids);
    case "verify":
      return await verifyCommand(ctx, ids);
    default:
      io.stderr(`error: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 1;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** Scans the models directory, printing its problems as warnings; `null` when it is unreadable. */
async function scanOrReport(ctx: Context): Promise<ScanResult | null> {
  const store = new ModelStore({ modelsDir: ctx.modelsDir, catalog: ctx.catalog });
  try {
    const scan = await store.scan();
    for (const p of scan.problems) {
      ctx.io.stderr(`warning: ${store.modelsDir}/${p.path}: ${p.reason}\n`);
    }
    return scan;
  } catch (error) {
    ctx.io.stderr(`error: cannot read models directory ${store.modelsDir}: ${error}\n`);
    return null;
  }
}

async function listCommand(ctx: Context): Promise<number> {
  const scan = await scanOrReport(ctx);
  if (scan === null) return 1;
  const { models } = scan;
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify(models, null, 2)}\n`);
    return 0;
  }
  const rows = models.map((m) => [
    m.id,
    m.family,
    m.family === "espeak" ? "built-in" : m.downloaded ? "yes" : "no",
    m.sizeBytes > 0 ? formatBytes(m.sizeBytes) : "-",
    m.license,
    m.languages.join(","),
    String(m.sampleRate),
    String(m.numSpeakers),
  ]);
  const header = ["ID", "FAMILY", "DOWNLOADED", "SIZE", "LICENSE", "LANGUAGES", "RATE", "SPEAKERS"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ") + "\n";
  ctx.io.stdout(line(header) + rows.map(line).join(""));
  ctx.io.stdout(`\nModels directory: ${resolve(ctx.modelsDir)}\n`);
  ctx.io.stdout(`Download a voice with: deno task models pull <id>\n`);
  return 0;
}

async function pullCommand(ctx: Context, ids: readonly string[]): Promise<number> {
  const { io } = ctx;
  let failed = 0;
  for (const id of ids) {
    const problem = validateModelId(id);
    if (problem) {
      io.stderr(`error: ${problem}\n`);
      failed++;
      continue;
    }
    if (id.startsWith("espeak-")) {
      io.stderr(`${id} is a built-in espeak-ng voice; there is nothing to download.\n`);
      continue;
    }
    const entry = findCatalogEntry(ctx.catalog, id);
    if (!entry) {
      io.stderr(
        `error: unknown model id ${JSON.stringify(id)} (not in ${ctx.catalogPath}).\n` +
          `Known ids: ${ctx.catalog.voices.map((v) => v.id).join(", ")}\n`,
      );
      failed++;
      continue;
    }
    const bar = new ProgressBar(io.stderr, io.stderrIsTerminal);
    const source = ctx.baseUrl ?? `${entry.sourceBaseUrl} (revision ${entry.revision})`;
    io.stderr(
      `Pulling ${id} (${
        formatBytes(entry.model.sizeBytes + entry.config.sizeBytes)
      }) from ${source}\n`,
    );
    try {
      const result = await pullModel(entry, ctx.modelsDir, {
        baseUrl: ctx.baseUrl,
        force: ctx.force,
        onProgress: (p) => bar.update(p),
      });
      bar.finish();
      const check = result.verified
        ? "sha256 verified"
        : "size checked; the catalogue has no sha256";
      const what = result.skipped ? "already present and intact" : "stored";
      io.stderr(`${id}: ${what} (${check}): ${result.modelPath}\n`);
    } catch (error) {
      bar.finish();
      io.stderr(`error: ${id}: ${describePullError(error, ctx)}\n`);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

function describePullError(error: unknown, ctx: Context): string {
  if (error instanceof IntegrityError) {
    return `${error.message}\nNothing was kept. Try again; if it fails again the file upstream ` +
      `differs from ${ctx.catalogPath}, which then needs updating.`;
  }
  if (error instanceof DownloadError) {
    const hint = error.status === undefined
      ? "Check the network connection, or set TTS_MODELS_BASE_URL / --base-url to a reachable mirror."
      : error.status === 404
      ? "The file is not at that address: check the catalogue entry, or the mirror given by TTS_MODELS_BASE_URL / --base-url."
      : "The server refused or failed; try again later or use a mirror (TTS_MODELS_BASE_URL).";
    return `${error.message}\n${hint}`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `${error.message}\nMake the models directory ${ctx.modelsDir} writable, or choose another with --models-dir.`;
  }
  return errorMessage(error);
}

async function verifyCommand(ctx: Context, ids: readonly string[]): Promise<number> {
  const { io } = ctx;
  const scan = await scanOrReport(ctx);
  if (scan === null) return 1;
  const { models, problems } = scan;
  const store = new ModelStore({ modelsDir: ctx.modelsDir, catalog: ctx.catalog });
  let targets: ModelDescriptor[];
  let failed = 0;
  if (ids.length === 0) {
    targets = models.filter((m) => m.family !== "espeak" && m.downloaded);
    if (targets.length === 0 && problems.length === 0) {
      io.stdout(`No downloaded voices in ${store.modelsDir}.\n`);
    }
    // A voice that the scan had to leave out (broken config, missing file...) fails too.
    if (problems.length > 0) {
      io.stderr(
        `error: ${problems.length} problem(s) in ${store.modelsDir} (see the warnings above)\n`,
      );
      failed += problems.length;
    }
  } else {
    targets = [];
    for (const id of ids) {
      const model = models.find((m) => m.id === id);
      const broken = unusableVoice(scan, id);
      if (broken) {
        io.stderr(`error: ${id} cannot be used: ${broken.reason}\n`);
        failed++;
      } else if (!model) {
        const problem = validateModelId(id);
        io.stderr(`error: ${problem ?? `unknown model id ${JSON.stringify(id)}`}\n`);
        failed++;
      } else targets.push(model);
    }
  }
  for (const model of targets) {
    const result = await store.check(model);
    io.stdout(`${result.status.padEnd(12)} ${result.message}\n`);
    if (result.status === "mismatch" || result.status === "missing") failed++;
  }
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await runModelsCli(Deno.args));
}
