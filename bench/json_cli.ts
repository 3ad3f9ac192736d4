/**
 * The command-line shape shared by the benchmarks and the soak: parse the flags (a usage message
 * instead where they are wrong or `--help`), run, then print one JSON object on stdout and a
 * summary for people on stderr, and write the JSON to a dated result file and to `--json`.
 *
 * @module
 */
import type { UsageMessage } from "./cli_args.ts";

/** Options every such CLI has. */
export interface JsonCliOptions {
  /** Extra file to write the JSON to. */
  readonly json?: string;
  /** Directory of the dated result files, for a CLI that keeps them. */
  readonly resultsDir?: string;
}

/** One JSON-printing CLI: how it parses, runs and reports. */
export interface JsonCli<O extends JsonCliOptions, R> {
  /** Name in error messages (`bench`, `bench:ep`, `soak`). */
  readonly name: string;
  /** Parses the flags, or says why not (with the usage). */
  parse(args: string[]): O | UsageMessage;
  /** Runs the measurement. */
  run(options: O): Promise<R>;
  /** A short text for people, printed on stderr. */
  summary(result: R): string;
  /** Name of the dated result file, kept in `options.resultsDir`, for a CLI that keeps one. */
  resultFileName?(result: R): string;
  /** The exit code of a run that completed; 0 when not given. */
  exitCode?(result: R): number;
}

/** Where the JSON goes: stdout by default. */
export interface JsonCliOutput {
  /** Writes the JSON text. */
  print(json: string): Promise<void>;
}

const STDOUT: JsonCliOutput = {
  async print(json) {
    await Deno.stdout.write(new TextEncoder().encode(json));
  },
};

/**
 * Runs `cli` on `args`; returns the exit code: 0 (or the CLI's own code) after a run, 0 for
 * `--help`, 2 for wrong flags, 1 when the run throws.
 */
export async function runJsonCli<O extends JsonCliOptions, R>(
  cli: JsonCli<O, R>,
  args: string[],
  output: JsonCliOutput = STDOUT,
): Promise<number> {
  const options = cli.parse(args);
  if ("message" in options) {
    console.error(options.message);
    return options.help ? 0 : 2;
  }
  let result: R;
  try {
    result = await cli.run(options);
  } catch (error) {
    console.error(`${cli.name} failed: ${error instanceof Error ? error.stack : error}`);
    return 1;
  }
  const json = JSON.stringify(result, null, 2) + "\n";
  const written: string[] = [];
  if (cli.resultFileName && options.resultsDir !== undefined) {
    const path = `${options.resultsDir.replace(/\/$/, "")}/${cli.resultFileName(result)}`;
    await Deno.mkdir(options.resultsDir, { recursive: true });
    await Deno.writeTextFile(path, json);
    written.push(path);
  }
  if (options.json) {
    await Deno.writeTextFile(options.json, json);
    written.push(options.json);
  }
  console.error(cli.summary(result));
  if (written.length > 0) console.error(`written to ${written.join(" and ")}`);
  await output.print(json);
  return cli.exitCode?.(result) ?? 0;
}
