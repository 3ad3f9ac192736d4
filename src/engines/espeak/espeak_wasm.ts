/**
 * The espeak-ng library, compiled to JavaScript by Emscripten
 * (`@echogarden/espeak-ng-emscripten`), behind a small typed interface.
 *
 * The Emscripten module is loaded lazily, once per JavaScript realm: every Deno Worker that
 * imports this file gets its own instance (about 250 ms and 24 MB of voice data to load).
 * espeak-ng keeps global state (current voice, rate, text options) and is not re-entrant, so
 * all access goes through {@linkcode withEspeak}, which runs tasks one after the other.
 *
 * Facts about this build, found by probing it: output is 16-bit mono at 22050 Hz; the
 * speaking rate is clamped by espeak-ng to {@linkcode ESPEAK_MIN_RATE}-{@linkcode ESPEAK_MAX_RATE}
 * words per minute (the build has no Sonic speed-up, so rates above 450 sound like 450); the
 * library's version string is not compiled in, but its data differs from Debian's 1.51
 * (e.g. `en_dict` is 167064 bytes against 166680), i.e. it is a newer espeak-ng.
 *
 * @module
 */

import Module from "@echogarden/espeak-ng-emscripten";

/** Slowest speaking rate espeak-ng accepts, in words per minute; lower values are raised to it. */
export const ESPEAK_MIN_RATE = 80;
/** Fastest speaking rate this build honours, in words per minute; higher values act as this. */
export const ESPEAK_MAX_RATE = 450;
/** espeak-ng's default speaking rate, in words per minute. */
export const ESPEAK_DEFAULT_RATE = 175;

/** One voice that the espeak-ng data offers. */
export interface EspeakVoiceEntry {
  /** Voice file identifier, e.g. `gmw/en-US`. */
  readonly identifier: string;
  /** Human-readable name, e.g. `English (America)`. */
  readonly name: string;
  /** Language codes the voice speaks, best match first, e.g. `["en-us", "en"]`. */
  readonly languages: readonly string[];
}

/** Raised when a voice name matches no espeak-ng voice. */
export class EspeakVoiceError extends Error {
  /** Creates the error for the voice name that was asked for. */
  constructor(voice: string) {
    super(
      `unknown espeak-ng voice "${voice}": use a voice file name or language code such as ` +
        `"en-us", "en-gb", "fr" or "de" (espeakVoiceIds() lists them)`,
    );
    this.name = "EspeakVoiceError";
  }
}

/** What a task run by {@linkcode withEspeak} may do with the library. */
export interface Espeak {
  /** Output sample rate in Hz (22050). */
  readonly sampleRate: number;
  /** Every voice in the espeak-ng data, in espeak-ng's order. */
  readonly voices: readonly EspeakVoiceEntry[];
  /**
   * Makes `voice` the current voice. `voice` is tried first as espeak-ng tries a voice name
   * (a voice file name such as `en-us` or `gmw/en-US`, a voice name, optionally with a
   * `+variant`), then, like the `espeak-ng -v` command, as a language code, but only one that
   * some voice lists exactly (so `en-gb` works while `en-zz` is refused instead of falling
   * back to a default voice).
   *
   * @returns the language code of the selected voice (best effort), e.g. `en-us`.
   * @throws {EspeakVoiceError} when nothing matches.
   */
  selectVoice(voice: string): string;
  /**
   * Translates text to IPA with espeak-ng's `espeak_TextToPhonemes`, clause by clause, using
   * the current voice. Each returned string is one clause as espeak-ng split it, phonemes
   * written without separators and stress marks kept (what phoneme mode `0x02` gives);
   * the clause punctuation itself is not part of the output. Plain text: no SSML, no
   * `[[phoneme]]` input.
   */
  textToPhonemes(text: string): string[];
  /**
   * Synthesises plain text with the current voice at `wordsPerMinute` (clamped to
   * {@linkcode ESPEAK_MIN_RATE}-{@linkcode ESPEAK_MAX_RATE}).
   *
   * @returns 16-bit mono samples at {@linkcode Espeak.sampleRate}, leading and trailing
   * silence as espeak-ng produced it.
   */
  synthesize(text: string, wordsPerMinute: number): Int16Array;
}

interface RawVoice {
  name: string;
  identifier: string;
  languages: { priority: number; name: string }[];
}

interface RawWorker {
  set_voice(name: string | null, language?: string): number;
  get_samplerate(): number;
  set_rate(wordsPerMinute: number): void;
  convert_to_phonemes(text: string, useIpa: boolean): { ptr: number };
  synthesize(text: string, callback: (samples: Int16Array, events: unknown[]) => unknown): void;
  synthesize_ipa(text: string): { code: number; ipa: string };
  list_voices(): RawVoice[];
}

interface RawModule {
  eSpeakNGWorker: new () => RawWorker;
  HEAPU8: Uint8Array;
  _free(pointer: number): void;
}

type ModuleFactory = (options?: Record<string, unknown>) => Promise<RawModule>;

/** The glue joins the clauses of `text_to_phonemes` with this. */
const CLAUSE_JOINER = " | ";
/** The glue asks espeak-ng to separate phonemes with this (phoneme mode `'_' << 8 | 0x02`). */
const PHONEME_SEPARATOR = /_/g;

let loading: Promise<Espeak> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `task` with exclusive use of this realm's espeak-ng instance, loading it on first use.
 * Tasks run one at a time, in call order; `task` must be synchronous so that no other task
 * can change the current voice or rate half-way through.
 *
 * @example Phonemise a word
 * ```ts
 * const ipa = await withEspeak((espeak) => {
 *   espeak.selectVoice("en-us");
 *   return espeak.textToPhonemes("hello");
 * });
 * ```
 */
export function withEspeak<T>(task: (espeak: Espeak) => T): Promise<T> {
  const run = queue.then(async () => task(await loadEspeak()));
  queue = run.catch(() => undefined);
  return run;
}

function loadEspeak(): Promise<Espeak> {
  loading ??= createEspeak().catch((error) => {
    loading = undefined;
    throw new Error(`cannot load the espeak-ng WASM module: ${error}`, { cause: error });
  });
  return loading;
}

async function createEspeak(): Promise<Espeak> {
  const module = await (Module as unknown as ModuleFactory)();
  const worker = new module.eSpeakNGWorker();
  const sampleRate = worker.get_samplerate();
  const voices: EspeakVoiceEntry[] = worker.list_voices().map((voice) => ({
    identifier: voice.identifier,
    name: voice.name,
    languages: voice.languages.map((language) => language.name),
  }));
  const languages = new Set(voices.flatMap((voice) => voice.languages));
  return {
    sampleRate,
    voices,
    selectVoice(voice: string): string {
      const wanted = voice.trim();
      // deno-lint-ignore no-control-regex -- a voice name with control characters is refused
      if (wanted !== "" && !/[\0-\x1f]/.test(wanted)) {
        if (worker.set_voice(wanted) === 0) return languageOfVoice(voices, wanted);
        const language = wanted.toLowerCase();
        if (languages.has(language) && worker.set_voice(null, language) === 0) return language;
      }
      throw new EspeakVoiceError(voice);
    },
    textToPhonemes(text: string): string[] {
      // espeak-ng keeps reader state between calls: `synthesize` leaves its SSML and
      // `[[phoneme]]` options on, and text ending in ".." leaves a character behind that the
      // next call reads ("dot"). Synthesising nothing with no options resets both (~0.2 ms).
      worker.synthesize_ipa("");
      const pointer = worker.convert_to_phonemes(plainText(text), true).ptr;
      if (pointer === 0) return [];
      let joined: string;
      try {
        const heap = module.HEAPU8;
        joined = new TextDecoder().decode(heap.subarray(pointer, heap.indexOf(0, pointer)));
      } finally {
        // The glue allocates the result with `new char[]` and never frees it.
        module._free(pointer);
      }
      if (joined === "") return [];
      return joined.split(CLAUSE_JOINER).map((clause) => clause.replace(PHONEME_SEPARATOR, ""));
    },
    synthesize(text: string, wordsPerMinute: number): Int16Array {
      const rate = Number.isFinite(wordsPerMinute)
        ? Math.round(wordsPerMinute)
        : ESPEAK_DEFAULT_RATE;
      worker.set_rate(Math.min(ESPEAK_MAX_RATE, Math.max(ESPEAK_MIN_RATE, rate)));
      const chunks: Int16Array[] = [];
      let length = 0;
      worker.synthesize(escapeForSynthesis(text), (samples) => {
        chunks.push(samples);
        length += samples.length;
        return 0; // 0: go on synthesising
      });
      const pcm = new Int16Array(length);
      let offset = 0;
      for (const chunk of chunks) {
        pcm.set(chunk, offset);
        offset += chunk.length;
      }
      return pcm;
    },
  };
}

/** The first language of the voice that espeak-ng selected for `name`, or `name` itself. */
function languageOfVoice(voices: readonly EspeakVoiceEntry[], name: string): string {
  const base = name.split("+")[0].toLowerCase();
  const match = voices.find((voice) =>
    voice.identifier.toLowerCase() === base ||
    voice.identifier.toLowerCase().split("/").pop() === base ||
    voice.name.toLowerCase() === base
  );
  return match?.languages[0] ?? base;
}

/** Control characters would end the C string (NUL) or start espeak-ng embedded commands. */
function plainText(text: string): string {
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  return text.replace(/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/g, " ");
}

/**
 * The glue synthesises with SSML and `[[phoneme]]` input turned on; escape what would be read
 * as markup so that text is spoken as text.
 */
function escapeForSynthesis(text: string): string {
  return plainText(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/\[(?=\[)/g, "[ ");
}
