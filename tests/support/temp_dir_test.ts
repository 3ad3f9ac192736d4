import assert from "node:assert/strict";
import { createTempDir } from "./temp_dir.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test("createTempDir makes a folder that is removed, with its contents, at scope end", async () => {
  let path: string;
  {
    await using dir = await createTempDir("temp_dir_test_");
    path = dir.path;
    assert.ok((await Deno.stat(path)).isDirectory);
    assert.match(path.split("/").at(-1)!, /^temp_dir_test_/);
    await Deno.mkdir(`${path}/nested`);
    await Deno.writeTextFile(`${path}/nested/file.txt`, "contents");
  }
  assert.equal(await exists(path), false);
});

Deno.test("createTempDir's folder is removed when the block throws", async () => {
  let path: string | undefined;
  await assert.rejects(async () => {
    await using dir = await createTempDir("temp_dir_test_");
    path = dir.path;
    await Deno.writeTextFile(`${path}/file.txt`, "contents");
    assert.ok(await exists(path));
    throw new Error("boom");
  }, /boom/);
  assert.ok(path !== undefined);
  assert.equal(await exists(path), false);
});

Deno.test("disposing a TempDir whose folder is already gone does not throw", async () => {
  const dir = await createTempDir("temp_dir_test_");
  await Deno.remove(dir.path, { recursive: true });
  await dir[Symbol.asyncDispose]();
  {
    await using again = await createTempDir("temp_dir_test_");
    await Deno.remove(again.path);
  }
});
