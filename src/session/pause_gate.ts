/**
 * A gate that frames pass through: closed while a session is paused.
 *
 * @module
 */

/** Open by default; `pause()` closes it, `resume()` opens it and releases every waiter. */
export class PauseGate {
  #waiters: Array<() => void> = [];
  #paused = false;

  /** Whether the gate is closed. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Closes the gate: the next `wait()` blocks until `resume()`. */
  pause(): void {
    this.#paused = true;
  }

  /** Opens the gate and releases every waiter. */
  resume(): void {
    this.#paused = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const release of waiters) release();
  }

  /** Resolves at once when open, otherwise when the gate opens. */
  wait(): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
