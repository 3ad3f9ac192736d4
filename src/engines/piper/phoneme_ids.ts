/**
 * Turns a phoneme string into Piper model input ids, exactly as Piper does.
 *
 * @module
 */
import { PIPER_BOS, PIPER_EOS, PIPER_PAD } from "./piper_config.ts";

/** A phoneme-to-ids map, as in {@linkcode PiperVoiceConfig.phonemeIdMap}. */
export type PhonemeIdLookup = ReadonlyMap<string, readonly number[]>;

/** Called once per phoneme occurrence that the id map lacks (the phoneme is skipped). */
export type MissingPhonemeCallback = (phoneme: string) => void;

function idsOf(map: PhonemeIdLookup, symbol: string): readonly number[] {
  const ids = map.get(symbol);
  if (!ids) throw new Error(`phoneme id map lacks the required symbol "${symbol}"`);
  return ids;
}

/**
 * Maps phonemes to ids: BOS `^`, pad `_`, then each phoneme's id(s) followed by pad, then EOS `$`.
 * The string is walked by Unicode codepoint (not UTF-16 unit). Phonemes missing from the map are
 * skipped; `onMissing` is told of each one so it can be logged.
 */
export function phonemesToIds(
  phonemes: string,
  map: PhonemeIdLookup,
  onMissing?: MissingPhonemeCallback,
): number[] {
  const pad = idsOf(map, PIPER_PAD);
  const ids: number[] = [...idsOf(map, PIPER_BOS), ...pad];
  for (const phoneme of phonemes) {
    const phonemeIds = map.get(phoneme);
    if (!phonemeIds) {
      onMissing?.(phoneme);
      continue;
    }
    ids.push(...phonemeIds, ...pad);
  }
  ids.push(...idsOf(map, PIPER_EOS));
  return ids;
}

/** A ready-made tally for {@linkcode phonemesToIds}: counts each missing phoneme. */
export function countMissing(): {
  readonly counts: Map<string, number>;
  readonly onMissing: MissingPhonemeCallback;
} {
  const counts = new Map<string, number>();
  return { counts, onMissing: (phoneme) => counts.set(phoneme, (counts.get(phoneme) ?? 0) + 1) };
}

/**
 * Applies a Piper `phoneme_map` (each phoneme codepoint to replacement phonemes) to a phoneme
 * string; phonemes without an entry are kept. An empty map returns the string unchanged.
 */
export function applyPhonemeMap(
  phonemes: string,
  phonemeMap: ReadonlyMap<string, readonly string[]>,
): string {
  if (phonemeMap.size === 0) return phonemes;
  let mapped = "";
  for (const phoneme of phonemes) {
    const replacement = phonemeMap.get(phoneme);
    mapped += replacement ? replacement.join("") : phoneme;
  }
  return mapped;
}
