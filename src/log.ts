/**
 * The structured logger: JSON lines through pino, one event a line; human-readable (pino-pretty)
 * when stdout is a terminal.
 *
 * Log fields: `session_id`, `model_id`, `sequence_number` where they apply. The text a client
 * sends is never logged above `debug`.
 *
 * @module
 */
import { pino } from "pino";
import { PinoPretty } from "pino-pretty";

/** The logger type used across the worker. */
export type Logger = pino.Logger;

/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS: readonly string[] = ["trace", "debug", "info", "warn", "error", "fatal"];

/** How the logger writes. */
export interface LoggerOptions {
  /**
   * Human-readable, coloured lines instead of JSON. Default: when stdout is a terminal.
   */
  readonly pretty?: boolean;
  /** Where lines go. Default: stdout (coloured when pretty). */
  readonly destination?: pino.DestinationStream;
}

/** Creates the worker's logger: JSON lines on stdout, or readable lines on a terminal. */
export function createLogger(level = "info", options: LoggerOptions = {}): Logger {
  const settings: pino.LoggerOptions = { level, base: { service: "tts-worker" } };
  const pretty = options.pretty ?? Deno.stdout.isTerminal();
  if (pretty) {
    return pino(
      settings,
      PinoPretty({
        colorize: options.destination === undefined,
        sync: true,
        translateTime: "SYS:HH:MM:ss.l",
        ignore: "pid,hostname,service",
        destination: options.destination,
      }),
    );
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
