/**
 * Assembles the polyphase kernel's WebAssembly text with wabt (the WebAssembly Binary Toolkit,
 * compiled to JavaScript), for the build script and for the test that pins the embedded binary.
 *
 * @module
 */
import initWabt from "wabt";

const SOURCE = new URL("../src/pipeline/polyphase_kernel.wat", import.meta.url);

/** The binary of src/pipeline/polyphase_kernel.wat (SIMD enabled, no names section). */
export async function assemblePolyphaseKernel(): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await initWabt();
  const text = await Deno.readTextFile(SOURCE);
  const module = wabt.parseWat("polyphase_kernel.wat", text, { simd: true });
  try {
    module.validate();
    const { buffer } = module.toBinary({ log: false, write_debug_names: false });
    return Uint8Array.from(buffer);
  } finally {
    module.destroy();
  }
}
