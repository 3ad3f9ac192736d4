/**
 * The text of a thrown value, for messages and logs.
 *
 * @module
 */

/** The message of any thrown value: an Error's `message`, anything else as a string. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
