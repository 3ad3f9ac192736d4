import assert from "node:assert/strict";
import { rejectOnAbort } from "./abort.ts";

Deno.test("rejectOnAbort: settles as the promise does, or rejects at once on abort", async () => {
  assert.equal(await rejectOnAbort(Promise.resolve(1)), 1);
  assert.equal(await rejectOnAbort(Promise.resolve(2), new AbortController().signal), 2);

  const controller = new AbortController();
  const never = new Promise<number>(() => {});
  const waiting = rejectOnAbort(never, controller.signal);
  controller.abort(new Error("stopped"));
  await assert.rejects(waiting, /stopped/);

  const mapped = new AbortController();
  const pending = rejectOnAbort(never, mapped.signal, () => new Error("mapped"));
  mapped.abort();
  await assert.rejects(pending, /mapped/);
});
