/**
 * Validation of `StartSessionRequest.options` into `SynthesisOptions`.
 *
 * @module
 */
import type { SynthesisOptions, VoiceInfo } from "../engines/engine.ts";

/** Option keys the worker understands; others are ignored (and logged by the caller). */
export const KNOWN_SESSION_OPTIONS: readonly string[] = [
  "speed",
  "language",
  "speaker",
  "noise_scale",
  "audio_lead_ms",
];

/** Largest `audio_lead_ms` option: ten minutes. */
const MAX_AUDIO_LEAD_MS = 600_000;

/** The outcome of parsing session options. */
export type SessionOptionsResult =
  | {
    readonly ok: true;
    readonly options: SynthesisOptions;
    /** The session's own `audio_lead_ms` (pacing of its frames), when it gave one. */
    readonly audioLeadMs?: number;
    readonly ignored: string[];
  }
  | { readonly ok: false; readonly message: string };

function parseNumber(raw: string): number {
  return raw.trim() === "" ? NaN : Number(raw);
}

/**
 * Validates the option map against the voice. Each failure message names the option and what is
 * allowed, e.g. `option "speed" must be a number from 0.25 to 4.0, got "fast"`.
 */
export function parseSessionOptions(
  raw: Readonly<Record<string, string>>,
  voice: VoiceInfo,
): SessionOptionsResult {
  const ignored = Object.keys(raw).filter((key) => !KNOWN_SESSION_OPTIONS.includes(key));
  let speed = 1;
  if (raw.speed !== undefined) {
    speed = parseNumber(raw.speed);
    if (!Number.isFinite(speed) || speed < 0.25 || speed > 4) {
      return {
        ok: false,
        message: `option "speed" must be a number from 0.25 to 4.0, got "${raw.speed}"`,
      };
    }
  }
  let noiseScale: number | undefined;
  if (raw.noise_scale !== undefined) {
    noiseScale = parseNumber(raw.noise_scale);
    if (!Number.isFinite(noiseScale) || noiseScale < 0 || noiseScale > 2) {
      return {
        ok: false,
        message: `option "noise_scale" must be a number from 0 to 2, got "${raw.noise_scale}"`,
      };
    }
  }
  let audioLeadMs: number | undefined;
  if (raw.audio_lead_ms !== undefined) {
    audioLeadMs = parseNumber(raw.audio_lead_ms);
    if (!Number.isInteger(audioLeadMs) || audioLeadMs < 0 || audioLeadMs > MAX_AUDIO_LEAD_MS) {
      return {
        ok: false,
        message: `option "audio_lead_ms" must be a whole number from 0 to ${MAX_AUDIO_LEAD_MS} ` +
          `(0: frames as fast as they are made), got "${raw.audio_lead_ms.slice(0, 64)}"`,
      };
    }
  }
  let language: string | undefined;
  if (raw.language !== undefined && raw.language !== "") {
    language = raw.language.trim().toLowerCase().replaceAll("_", "-");
    if (!/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(language)) {
      return {
        ok: false,
        message: `option "language" must be a language code such as "en" or "en-us", got "${
          raw.language.slice(0, 64)
        }"`,
      };
    }
  }
  let speaker: string | undefined;
  if (raw.speaker !== undefined && raw.speaker !== "") {
    speaker = raw.speaker;
    const index = /^\d+$/.test(speaker) ? Number(speaker) : NaN;
    const known = voice.speakers.includes(speaker) ||
      (Number.isInteger(index) && index < Math.max(voice.speakers.length, 1));
    if (voice.speakers.length === 0 && speaker !== "0") {
      return {
        ok: false,
        message:
          `option "speaker": voice "${voice.id}" has a single speaker; use "0" or leave it out`,
      };
    }
    if (!known) {
      return {
        ok: false,
        message: `option "speaker" must be one of ${
          voice.speakers.map((name) => `"${name}"`).join(", ")
        } or an index below ${voice.speakers.length}, got "${speaker.slice(0, 64)}"`,
      };
    }
  }
  return { ok: true, options: { speed, noiseScale, speaker, language }, audioLeadMs, ignored };
}
