/**
 * The gRPC server: `tts.TTSService`, `grpc.health.v1.Health` (grpc-health-check) and server
 * reflection v1 + v1alpha (@grpc/reflection) on one port, plaintext or TLS (optionally mutual),
 * optionally behind a bearer token (health stays open), with bounded message sizes and streams.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { ReflectionService } from "@grpc/reflection";
import { bearerAuthInterceptor } from "./bearer_auth.ts";
import { hostPort } from "./host_port.ts";
import { loadProtos } from "./proto.ts";
import { listenTls, type ServerTls, type TlsListener } from "./tls_listener.ts";
import type { TtsService } from "./tts_service.ts";

/** Health service names the worker reports: the whole server ("") and `tts.TTSService`. */
export const HEALTH_SERVICES: readonly string[] = ["", "tts.TTSService"];

export type { ServerTls } from "./tls_listener.ts";

/** Transport security and resource limits of the server. */
export interface ServerOptions {
  /** TLS material; absent: plaintext. */
  readonly tls?: ServerTls;
  /** Time a TLS client has to complete its handshake before it is cut off (default 10 s). */
  readonly tlsHandshakeTimeoutMs?: number;
  /** Bearer token every call but health must carry; absent: no token asked. */
  readonly authToken?: string;
  /** Largest message accepted, in bytes (default 4 MiB). */
  readonly maxReceiveMessageBytes?: number;
  /** Most concurrent streams one HTTP/2 connection may open (default 100). */
  readonly maxConcurrentStreams?: number;
}

/** A bound, started server. */
export interface RunningServer {
  /** The grpc-js server. */
  readonly server: grpc.Server;
  /** Health statuses; NOT_SERVING until the default model is resident. */
  readonly health: HealthImplementation;
  /** The port actually bound (the chosen one when 0 was asked). */
  readonly port: number;
  /** Marks every health service SERVING or NOT_SERVING. */
  setServing(serving: boolean): void;
  /** Stops accepting calls, waits up to `graceMs` for calls in flight, then forces. */
  shutdown(graceMs?: number): Promise<void>;
  /**
   * Stops the TLS port, if there is one, and removes its private socket directory; connections
   * already made and the HTTP/2 sessions on them are left alone (no GOAWAY). For the end of a
   * process that does not call {@linkcode RunningServer.shutdown}. Safe to call twice.
   */
  closeTls(): void;
}

/** Binds `host:port` and starts serving the handlers of `service`. */
export async function startServer(
  service: TtsService,
  host: string,
  port: number,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const protos = loadProtos();
  const server = new grpc.Server({
    "grpc.max_receive_message_length": options.maxReceiveMessageBytes ?? 4 * 1024 * 1024,
    "grpc.max_concurrent_streams": options.maxConcurrentStreams ?? 100,
    interceptors: options.authToken === undefined ? [] : [bearerAuthInterceptor(options.authToken)],
  });
  server.addService(protos.ttsService, service.handlers());
  const health = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((name) => [name, "NOT_SERVING"])),
  );
  health.addToServer(server);
  new ReflectionService(protos.packageDefinition).addToServer(server);
  const address = hostPort(host, port);
  let tlsListener: TlsListener | undefined;
  if (options.tls) {
    tlsListener = await listenTls(server, host, port, options.tls, options.tlsHandshakeTimeoutMs);
  }
  const boundPort = tlsListener?.port ?? await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(new Error(`cannot listen on ${address}: ${error.message}`));
      else resolve(bound);
    });
  });
  const setServing = (serving: boolean) => {
    for (const name of HEALTH_SERVICES) health.setStatus(name, serving ? "SERVING" : "NOT_SERVING");
  };
  const shutdown = (graceMs = 5000) =>
    new Promise<void>((resolve) => {
      setServing(false);
      tlsListener?.close();
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    server,
    health,
    port: boundPort,
    setServing,
    shutdown,
    closeTls: () => tlsListener?.close(),
  };
}
