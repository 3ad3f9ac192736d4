/**
 * The structured logger: JSON lines through pino, one event a line.
 *
 * @module
 */
import { pino } from "pino";

/** The logger type used across the worker. */
export type Logger = pino.Logger;

/** Log levels accepted by `--log-level`. */
export const LOG_LEVELS: readonly string[] = ["trace", "debug", "info", "warn", "error", "fatal"];

/** Creates the worker's logger writing JSON lines to stdout. */
export function createLogger(level = "info"): Logger {
  return pino({ level, base: { service: "tts-worker" } });
}
