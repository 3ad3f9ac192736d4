/**
 * Streaming SHA-256 of files, for checking downloaded voices against the catalogue.
 *
 * `crypto.subtle` has no incremental digest, so this uses `node:crypto`, which hashes a file
 * of any size in constant memory.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Result of hashing a file. */
export interface FileDigest {
  /** Lower-case hex SHA-256. */
  readonly sha256: string;
  /** Number of bytes read. */
  readonly sizeBytes: number;
}

/**
 * Hashes a file by streaming it.
 *
 * @param path file to read
 * @param onBytes called with the running byte count after each chunk (for progress output)
 */
export async function sha256File(
  path: string,
  onBytes?: (bytesRead: number) => void,
): Promise<FileDigest> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  using file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) {
    hash.update(chunk);
    sizeBytes += chunk.byteLength;
    onBytes?.(sizeBytes);
  }
  return { sha256: hash.digest("hex"), sizeBytes };
}
