/**
 * Loads the wire contract: `proto/tts.proto` together with the gRPC health service's own proto, so
 * that one package definition serves the handlers and server reflection lists both services.
 *
 * @module
 */
import * as protoLoader from "@grpc/proto-loader";
import * as grpc from "@grpc/grpc-js";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { fileURLToPath } from "node:url";

/** Absolute path of the `tts.proto` shipped with the worker. */
export const TTS_PROTO_PATH: string = fileURLToPath(
  new URL("../../proto/tts.proto", import.meta.url),
);

/** proto-loader options: field names as written in the .proto, int64 as JS numbers. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The loaded package definition and the `tts.TTSService` service definition. */
export interface LoadedProtos {
  /** Everything loaded: `tts` and `grpc.health.v1` (given to reflection). */
  readonly packageDefinition: protoLoader.PackageDefinition;
  /** `tts.TTSService`, ready for `server.addService` and for client constructors. */
  readonly ttsService: grpc.ServiceDefinition;
  /** A client constructor for `tts.TTSService` (tests, the `say` CLI). */
  readonly TtsClient: grpc.ServiceClientConstructor;
}

/** Loads `tts.proto` and the health proto into one package definition. */
export function loadProtos(): LoadedProtos {
  const packageDefinition = protoLoader.loadSync(
    [TTS_PROTO_PATH, healthProtoPath],
    PROTO_LOADER_OPTIONS,
  );
  const grpcObject = grpc.loadPackageDefinition(packageDefinition);
  const tts = grpcObject.tts as grpc.GrpcObject;
  const TtsClient = tts.TTSService as grpc.ServiceClientConstructor;
  return { packageDefinition, ttsService: TtsClient.service, TtsClient };
}
