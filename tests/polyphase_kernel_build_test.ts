import assert from "node:assert/strict";
import { assemblePolyphaseKernel } from "../scripts/polyphase_kernel_assembly.ts";
import { kernelModuleSource } from "../scripts/build_polyphase_kernel.ts";

const GENERATED = new URL("../src/pipeline/polyphase_kernel_wasm.ts", import.meta.url);

Deno.test("the embedded polyphase kernel is the assembly of polyphase_kernel.wat", async () => {
  const binary = await assemblePolyphaseKernel();
  assert.ok(WebAssembly.validate(binary), "wabt's output validates");
  assert.equal(
    await Deno.readTextFile(GENERATED),
    kernelModuleSource(binary),
    "src/pipeline/polyphase_kernel_wasm.ts is stale: run deno run -A scripts/build_polyphase_kernel.ts",
  );
});
