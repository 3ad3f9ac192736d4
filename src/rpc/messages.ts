/**
 * TypeScript shapes of the `tts` messages as proto-loader delivers them (`keepCase`, int64 as
 * number, enums as names). Written once here; handlers and clients use these.
 *
 * @module
 */

/** `tts.StartSessionRequest`. */
export interface StartSessionRequest {
  session_id: string;
  model_id: string;
  options: Record<string, string>;
}

/** `tts.StartSessionResponse`. */
export interface StartSessionResponse {
  success: boolean;
  message: string;
}

/** `tts.EndSessionRequest`. */
export interface EndSessionRequest {
  session_id: string;
}

/** `tts.EndSessionResponse`. */
export interface EndSessionResponse {
  success: boolean;
}

/** `tts.TextChunk`. */
export interface TextChunk {
  session_id: string;
  text: string;
  is_final: boolean;
  sequence_number: number;
}

/** `tts.AudioFrame`. */
export interface AudioFrame {
  session_id: string;
  audio_data: Uint8Array;
  sample_rate: number;
  frame_duration_ms: number;
  sequence_number: number;
  is_final: boolean;
}

/** `tts.ControlCommand` names; an unknown number arrives as a number. */
export type ControlCommandName = "PAUSE" | "RESUME" | "STOP" | "RELOAD";

/** `tts.ControlRequest`. */
export interface ControlRequest {
  session_id: string;
  command: ControlCommandName | number;
}

/** `tts.ControlResponse`. */
export interface ControlResponse {
  success: boolean;
  message: string;
  timestamp_ms: number;
}

/** `tts.ListModelsRequest`. */
export type ListModelsRequest = Record<string, never>;

/** `tts.ModelInfo`. */
export interface ModelInfo {
  model_id: string;
  family: string;
  is_loaded: boolean;
  languages: string[];
  metadata: Record<string, string>;
}

/** `tts.ListModelsResponse`. */
export interface ListModelsResponse {
  models: ModelInfo[];
}

/** `tts.LoadModelRequest`. */
export interface LoadModelRequest {
  model_id: string;
  preload_only: boolean;
}

/** `tts.LoadModelResponse`. */
export interface LoadModelResponse {
  success: boolean;
  message: string;
  load_duration_ms: number;
}

/** `tts.UnloadModelRequest`. */
export interface UnloadModelRequest {
  model_id: string;
}

/** `tts.UnloadModelResponse`. */
export interface UnloadModelResponse {
  success: boolean;
  message: string;
}

/** `tts.GetCapabilitiesRequest`. */
export type GetCapabilitiesRequest = Record<string, never>;

/** `tts.Capabilities`. */
export interface Capabilities {
  streaming: boolean;
  zero_shot: boolean;
  lora: boolean;
  cpu_ok: boolean;
  languages: string[];
  emotive_zero_prompt: boolean;
  max_concurrent_sessions: number;
}

/** `tts.GetCapabilitiesResponse`. */
export interface GetCapabilitiesResponse {
  capabilities: Capabilities;
  resident_models: string[];
  metrics: Record<string, number>;
}
