/**
 * The polyphase resampler's inner loop, compiled: src/pipeline/polyphase_kernel.wat assembled by
 * scripts/build_polyphase_kernel.ts (generated file, do not edit).
 *
 * @module
 */

/** The WebAssembly binary of polyphase_kernel.wat, base64-encoded. */
export const POLYPHASE_KERNEL_WASM_BASE64 =
  "AGFzbQEAAAABDgFgCn9/f39/f39/f38AAwIBAAUDAQABBxMCBm1lbW9yeQIABnJlbmRlcgAACv0BAfoBAgR/AnsgBEECdCEK" +
  "AkAgA0UNAANAIAAgCSAKbGohCyABIAhBAnRqIQwgCyAKaiEN/QwAAAAAAAAAAAAAAAAAAAAAIQ79DAAAAAAAAAAAAAAAAAAA" +
  "AAAhDwNAIA4gC/0ABAAgDP0ABAD95gH95AEhDiAPIAv9AAQQIAz9AAQQ/eYB/eQBIQ8gC0EgaiELIAxBIGohDCALIA1JDQAL" +
  "IA4gD/3kASEOIAIgDv0fACAO/R8BkiAO/R8CIA79HwOSkjgCACACQQRqIQIgCCAGaiEIIAkgB2ohCSAJIAVPBEAgCSAFayEJ" +
  "IAhBAWohCAsgA0EBayEDIAMNAAsLCw==";
