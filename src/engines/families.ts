/**
 * The registry of model families. A new family is one adapter module plus one line here; the
 * pipeline, sessions and RPC layer never change for it.
 *
 * @module
 */
import type { EngineAdapter } from "./engine.ts";
import { espeakAdapter } from "./espeak/espeak_engine.ts";
import { piperAdapter } from "./piper/piper_engine.ts";

/** Every family this worker can run, by family name. */
export const ENGINE_FAMILIES: ReadonlyMap<string, EngineAdapter> = new Map<string, EngineAdapter>([
  [espeakAdapter.family, espeakAdapter],
  [piperAdapter.family, piperAdapter],
]);

/** Returns the adapter of a family, or throws an Error naming the families that exist. */
export function engineAdapterFor(family: string): EngineAdapter {
  const adapter = ENGINE_FAMILIES.get(family);
  if (!adapter) {
    throw new Error(
      `unknown model family "${family}"; known families: ${[...ENGINE_FAMILIES.keys()].join(", ")}`,
    );
  }
  return adapter;
}
