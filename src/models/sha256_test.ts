import assert from "node:assert/strict";
import { join } from "node:path";
import { sha256File } from "./sha256.ts";
import { createTempDir } from "../../tests/support/temp_dir.ts";

async function subtleHex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("sha256File matches the FIPS 180-2 test vectors", async () => {
  await using dir = await createTempDir("sha256_test_");
  const abc = join(dir.path, "abc");
  await Deno.writeTextFile(abc, "abc");
  assert.deepEqual(await sha256File(abc), {
    sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    sizeBytes: 3,
  });
  const empty = join(dir.path, "empty");
  await Deno.writeFile(empty, new Uint8Array());
  assert.equal(
    (await sha256File(empty)).sha256,
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test("sha256File streams a multi-chunk file and agrees with crypto.subtle", async () => {
  await using dir = await createTempDir("sha256_test_");
  const data = new Uint8Array(3 * 1024 * 1024 + 17);
  crypto.getRandomValues(data.subarray(0, 65536));
  for (let i = 65536; i < data.length; i++) data[i] = data[i - 65536] ^ (i & 0xff);
  const path = join(dir.path, "blob.bin");
  await Deno.writeFile(path, data);
  const counts: number[] = [];
  const result = await sha256File(path, (n) => counts.push(n));
  assert.equal(result.sha256, await subtleHex(data));
  assert.equal(result.sizeBytes, data.length);
  assert.ok(counts.length > 1, "expected several chunks");
  assert.equal(counts.at(-1), data.length);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i] > counts[i - 1]);
});

Deno.test("sha256File rejects a missing file", async () => {
  await assert.rejects(() => sha256File("/nonexistent/dir/file.onnx"), Deno.errors.NotFound);
});
