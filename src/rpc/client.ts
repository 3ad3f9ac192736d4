/**
 * A small typed client of `tts.TTSService` over grpc-js, for the `say` CLI, benchmarks and tests.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { loadProtos } from "./proto.ts";
import type {
  AudioFrame,
  ControlCommandName,
  ControlResponse,
  EndSessionResponse,
  GetCapabilitiesResponse,
  ListModelsResponse,
  LoadModelResponse,
  StartSessionResponse,
  TextChunk,
  UnloadModelResponse,
} from "./messages.ts";

/** A bidirectional Synthesize call. */
export type SynthesizeCall = grpc.ClientDuplexStream<TextChunk, AudioFrame>;

/** Promise-returning unary calls plus the raw Synthesize stream. */
export interface TtsClient {
  /** The underlying grpc-js client. */
  readonly raw: grpc.Client;
  /** StartSession. */
  startSession(
    sessionId: string,
    modelId?: string,
    options?: Record<string, string>,
  ): Promise<StartSessionResponse>;
  /** EndSession. */
  endSession(sessionId: string): Promise<EndSessionResponse>;
  /** Control. */
  control(sessionId: string, command: ControlCommandName | number): Promise<ControlResponse>;
  /** ListModels. */
  listModels(): Promise<ListModelsResponse>;
  /** LoadModel. */
  loadModel(modelId: string, preloadOnly?: boolean): Promise<LoadModelResponse>;
  /** UnloadModel. */
  unloadModel(modelId: string): Promise<UnloadModelResponse>;
  /** GetCapabilities. */
  getCapabilities(): Promise<GetCapabilitiesResponse>;
  /** Opens a Synthesize stream. */
  synthesize(options?: grpc.CallOptions): SynthesizeCall;
  /** Closes the channel. */
  close(): void;
}

type RawClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** Connects to a worker at `address` (`host:port`), plaintext. */
export function createTtsClient(address: string): TtsClient {
  const { TtsClient } = loadProtos();
  const raw = new TtsClient(address, grpc.credentials.createInsecure()) as unknown as RawClient;
  const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      raw[method](request, (error: grpc.ServiceError | null, response: T) => {
        if (error) reject(error);
        else resolve(response);
      });
    });
  return {
    raw,
    startSession: (session_id, model_id = "", options = {}) =>
      call("StartSession", { session_id, model_id, options }),
    endSession: (session_id) => call("EndSession", { session_id }),
    control: (session_id, command) => call("Control", { session_id, command }),
    listModels: () => call("ListModels", {}),
    loadModel: (model_id, preload_only = false) => call("LoadModel", { model_id, preload_only }),
    unloadModel: (model_id) => call("UnloadModel", { model_id }),
    getCapabilities: () => call("GetCapabilities", {}),
    synthesize: (options = {}) => raw.Synthesize(options) as SynthesizeCall,
    close: () => raw.close(),
  };
}

/** Concatenates frames' `audio_data` (s16le, 960 samples each) into one sample array. */
export function framesToPcm(frames: readonly AudioFrame[]): Int16Array {
  const samples = new Int16Array(
    frames.reduce((n, frame) => n + frame.audio_data.byteLength / 2, 0),
  );
  let offset = 0;
  for (const frame of frames) {
    const bytes = frame.audio_data;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < bytes.byteLength >> 1; i++) samples[offset++] = view.getInt16(i * 2, true);
  }
  return samples;
}
