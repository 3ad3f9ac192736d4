/**
 * WAV files for tests. The encoder is the worker's own ({@linkcode encodeWav} from
 * `src/pipeline/wav.ts`, which `deno task say` uses), re-exported here so that test support
 * code writes exactly the bytes people listen to, without a second copy of the format.
 *
 * @module
 */

export { encodeWav } from "../../src/pipeline/wav.ts";
