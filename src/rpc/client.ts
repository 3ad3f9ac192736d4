/**
 * A small typed client of `tts.TTSService` over grpc-js, for the `say` CLI, benchmarks and tests.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { isIP } from "node:net";
import { checkServerIdentity } from "node:tls";
import { bearerHeader } from "./bearer_auth.ts";
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

/** How a client reaches a worker: plaintext by default; TLS when `ca` is given. */
export interface ClientSecurity {
  /** PEM CA bundle that signed the server's certificate; given: TLS. */
  readonly ca?: Uint8Array;
  /** PEM client certificate, for a worker that verifies clients (with `key`). */
  readonly cert?: Uint8Array;
  /** PEM private key of `cert`. */
  readonly key?: Uint8Array;
  /** Bearer token sent as `authorization: Bearer <token>` on every call. */
  readonly token?: string;
  /**
   * TLS without checking the server's certificate. Only for probing a worker on this machine
   * from its own settings (the health CLI), where there is no one in between to check for.
   */
  readonly unverifiedTls?: boolean;
}

/** File paths of a {@linkcode ClientSecurity}, as the CLIs take them. */
export interface ClientSecurityFiles {
  /** `--ca`: PEM CA bundle. */
  readonly ca?: string;
  /** `--cert`: PEM client certificate. */
  readonly cert?: string;
  /** `--key`: PEM client key. */
  readonly key?: string;
  /** `--token-file`: file holding the bearer token (trimmed). */
  readonly tokenFile?: string;
}

/** Reads the files a CLI was given into a {@linkcode ClientSecurity}. */
export async function readClientSecurity(files: ClientSecurityFiles): Promise<ClientSecurity> {
  const read = (path?: string) => path === undefined ? undefined : Deno.readFile(path);
  return {
    ca: await read(files.ca),
    cert: await read(files.cert),
    key: await read(files.key),
    token: files.tokenFile === undefined
      ? undefined
      : (await Deno.readTextFile(files.tokenFile)).trim(),
  };
}

/** Whether `security` asks for TLS. */
function usesTls(security: ClientSecurity): boolean {
  return security.ca !== undefined || security.cert !== undefined ||
    security.unverifiedTls === true;
}

/** The host of a `host:port` or `[v6]:port` address, when it is an IP literal. */
function ipHost(address: string): string | undefined {
  const host = address.startsWith("[")
    ? address.slice(1, address.indexOf("]"))
    : address.replace(/:\d+$/, "");
  return isIP(host) ? host : undefined;
}

/** Name sent as TLS SNI when the address is an IP literal (Deno refuses an IP there). */
const IP_TARGET_SNI = "localhost";

/**
 * Channel credentials for `security`: TLS when it has a CA or a client certificate. The server's
 * certificate must name the host of `address` (a DNS name or, for an IP literal, an IP SAN).
 */
export function channelCredentials(
  security: ClientSecurity = {},
  address = "",
): grpc.ChannelCredentials {
  if (!usesTls(security)) return grpc.credentials.createInsecure();
  const buffer = (bytes?: Uint8Array) => bytes ? Buffer.from(bytes) : null;
  const ip = ipHost(address);
  if (security.unverifiedTls && security.ca === undefined) {
    return grpc.credentials.createSsl(null, buffer(security.key), buffer(security.cert), {
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
  }
  return grpc.credentials.createSsl(
    buffer(security.ca),
    buffer(security.key),
    buffer(security.cert),
    // With an IP target, grpc-js would pass the IP as TLS servername, which Deno's node:tls
    // rejects (Node only warns); clientOptions() then sends another SNI name, and the
    // certificate is still checked against the IP here.
    ip === undefined ? {} : { checkServerIdentity: (_name, cert) => checkServerIdentity(ip, cert) },
  );
}

/**
 * Client options for `security` and `address`: an interceptor that adds the bearer token to every
 * call (it works over plaintext too, where grpc-js refuses call credentials), and the SNI name
 * for TLS to an IP literal.
 */
export function clientOptions(security: ClientSecurity = {}, address = ""): grpc.ClientOptions {
  const options: grpc.ClientOptions = usesTls(security) && ipHost(address) !== undefined
    ? { "grpc.ssl_target_name_override": IP_TARGET_SNI }
    : {};
  const token = security.token;
  if (token === undefined) return options;
  const addToken: grpc.Interceptor = (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set("authorization", bearerHeader(token));
        next(metadata, listener);
      },
    });
  return { ...options, interceptors: [addToken] };
}

/** Connects to a worker at `address` (`host:port`): plaintext, or as `security` says. */
export function createTtsClient(address: string, security: ClientSecurity = {}): TtsClient {
  const { TtsClient } = loadProtos();
  const raw = new TtsClient(
    address,
    channelCredentials(security, address),
    clientOptions(security, address),
  ) as unknown as RawClient;
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
