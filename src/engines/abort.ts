/**
 * Abort handling shared by the engines and their Workers.
 *
 * @module
 */

/**
 * `promise`, or a rejection as soon as `signal` aborts: with the signal's reason, or with what
 * `reasonOf` makes of the signal. Without a signal, `promise` itself.
 */
export function rejectOnAbort<T>(
  promise: Promise<T>,
  signal?: AbortSignal,
  reasonOf: (signal: AbortSignal) => unknown = (aborted) => aborted.reason,
): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reasonOf(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
