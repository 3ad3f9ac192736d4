/**
 * A temporary folder for tests that removes itself when its scope ends, with explicit
 * resource management:
 *
 * ```ts
 * await using dir = await createTempDir("example_");
 * await Deno.writeTextFile(`${dir.path}/a.txt`, "a");
 * // The folder and everything in it are gone once the block is left, even by a throw.
 * ```
 *
 * @module
 */

/** A temporary folder that {@linkcode createTempDir} made; disposing it removes it. */
export interface TempDir extends AsyncDisposable {
  /** The folder's absolute path. */
  readonly path: string;
}

/**
 * Makes a new temporary folder whose name starts with `prefix` (as `Deno.makeTempDir`) and
 * returns it as a {@linkcode TempDir}: its `[Symbol.asyncDispose]` removes the folder and
 * everything in it, and does nothing when the folder is already gone.
 */
export async function createTempDir(prefix: string): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      try {
        await Deno.remove(path, { recursive: true });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    },
  };
}
