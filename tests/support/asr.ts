/**
 * Speech recognition for tests, with Debian's CMU PocketSphinx (`pocketsphinx_continuous`
 * from the `pocketsphinx` package, US English model from `pocketsphinx-en-us`) and `sox`.
 * Crude, but enough to tell speech that says the right words from noise or wrong words.
 *
 * @module
 */

import { encodeWav } from "./wav.ts";
import { createTempDir } from "./temp_dir.ts";

/** Where `pocketsphinx-en-us` installs its acoustic model, language model and dictionary. */
export const POCKETSPHINX_MODEL_DIR = "/usr/share/pocketsphinx/model/en-us";

/**
 * Recognises English speech: writes `pcm` as a WAV file, converts it with `sox` to 16 kHz mono
 * 16-bit (what the model expects), runs `pocketsphinx_continuous -infile` on it and returns the
 * hypothesis, utterances joined by spaces, lower-cased; empty when nothing was recognised.
 * Half a second of silence is added at both ends before recognition.
 *
 * @throws {Error} naming the Debian package to install when `sox` or PocketSphinx is missing.
 */
export async function recognise(pcm: Int16Array, sampleRate: number): Promise<string> {
  await using dir = await createTempDir("asr_");
  const input = `${dir.path}/input.wav`;
  const converted = `${dir.path}/16k.wav`;
  await Deno.writeFile(input, encodeWav(pcm, sampleRate));
  // Half a second of silence on either side helps PocketSphinx find where speech starts.
  // -D: no dither, so the same audio always gives the same hypothesis.
  await run("sox", [
    "-D",
    input,
    "-r",
    "16000",
    "-c",
    "1",
    "-b",
    "16",
    "-e",
    "signed-integer",
    converted,
    "pad",
    "0.5",
    "0.5",
  ]);
  const stdout = await run("pocketsphinx_continuous", [
    "-infile",
    converted,
    "-hmm",
    `${POCKETSPHINX_MODEL_DIR}/en-us`,
    "-lm",
    `${POCKETSPHINX_MODEL_DIR}/en-us.lm.bin`,
    "-dict",
    `${POCKETSPHINX_MODEL_DIR}/cmudict-en-us.dict`,
    "-logfn",
    "/dev/null",
  ]);
  return stdout.split("\n").map((line) => line.trim()).filter((line) => line !== "").join(" ")
    .toLowerCase();
}

const PACKAGES: Record<string, string> = {
  sox: "sox",
  pocketsphinx_continuous: "pocketsphinx pocketsphinx-en-us",
};

async function run(command: string, args: string[]): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${command} is not installed: install it with "apt-get install ${PACKAGES[command]}"`,
      );
    }
    throw error;
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(
      `${command} failed (exit code ${output.code}): ${decoder.decode(output.stderr).trim()}`,
    );
  }
  return decoder.decode(output.stdout);
}
