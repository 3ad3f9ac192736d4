/**
 * Command-line parsing shared by the benchmark and the soak: `node:util` `parseArgs`, strict and
 * without positionals, where a wrong flag or `--help` becomes a message with the usage text.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** What a CLI prints instead of running: an error with the usage, or the usage for `--help`. */
export interface UsageMessage {
  /** The text to print. */
  readonly message: string;
  /** True for `--help` (exit 0), false for a mistake (exit 2). */
  readonly help: boolean;
}

/** The parsed flag values for `options`. */
export type CliValues<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>
>["values"];

/**
 * Parses `args` against `options` (which should include a boolean `help`); returns `{ values }`,
 * or a {@linkcode UsageMessage} for an unknown or malformed flag and for `--help`.
 */
export function parseCliArgs<T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
  usage: string,
): { readonly values: CliValues<T> } | UsageMessage {
  let values: CliValues<T>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error), usage);
  }
  if ((values as Record<string, unknown>).help) return { message: usage, help: true };
  return { values };
}

/** A mistake in the arguments: `message`, then the usage. */
export function usageError(message: string, usage: string): UsageMessage {
  return { message: `${message}\n${usage}`, help: false };
}
