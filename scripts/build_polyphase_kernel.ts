/**
 * Assembles src/pipeline/polyphase_kernel.wat (WebAssembly text, SIMD) with wabt and writes the
 * binary, base64-encoded, into src/pipeline/polyphase_kernel_wasm.ts. Run after editing the .wat:
 *
 *   deno run -A scripts/build_polyphase_kernel.ts
 *
 * `src/pipeline/polyphase_kernel_test.ts` checks that the embedded binary is this assembly of the
 * .wat, so the two cannot drift apart.
 *
 * @module
 */
import { assemblePolyphaseKernel } from "./polyphase_kernel_assembly.ts";

const TARGET = new URL("../src/pipeline/polyphase_kernel_wasm.ts", import.meta.url);

/** The TypeScript module that embeds `binary`. */
export function kernelModuleSource(binary: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...binary));
  const lines = base64.match(/.{1,96}/g) ?? [];
  return `/**
 * The polyphase resampler's inner loop, compiled: src/pipeline/polyphase_kernel.wat assembled by
 * scripts/build_polyphase_kernel.ts (generated file, do not edit).
 *
 * @module
 */

/** The WebAssembly binary of polyphase_kernel.wat, base64-encoded. */
export const POLYPHASE_KERNEL_WASM_BASE64 =
${lines.map((line) => `  "${line}"`).join(" +\n")};
`;
}

if (import.meta.main) {
  const binary = await assemblePolyphaseKernel();
  await Deno.writeTextFile(TARGET, kernelModuleSource(binary));
  console.error(`wrote ${TARGET.pathname} (${binary.length} bytes of WebAssembly)`);
}
