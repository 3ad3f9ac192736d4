/**
 * Minimal WAV writer for tests: 16-bit little-endian PCM, mono.
 *
 * @module
 */

/** Size of the canonical RIFF/WAVE header written by {@linkcode encodeWav}, in bytes. */
export const WAV_HEADER_BYTES = 44;

/**
 * Encodes mono 16-bit samples as a canonical 44-byte-header WAV file (`RIFF`, `fmt ` chunk
 * with PCM format 1, `data` chunk).
 *
 * @example
 * ```ts
 * await Deno.writeFile("out.wav", encodeWav(new Int16Array(22050), 22050));
 * ```
 */
export function encodeWav(pcm: Int16Array, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`sample rate must be a positive integer, got ${sampleRate}`);
  }
  const dataBytes = pcm.length * 2;
  const bytes = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < pcm.length; i++) view.setInt16(WAV_HEADER_BYTES + i * 2, pcm[i], true);
  return bytes;
}
