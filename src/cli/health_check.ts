/**
 * `deno task health [--address HOST:PORT] [--service tts.TTSService] [--ca CA.pem]
 * [--cert CLIENT.pem --key CLIENT.key]`: asks a worker's
 * `grpc.health.v1.Health/Check` and exits 0 when it answers SERVING, 1 otherwise. The container's
 * `HEALTHCHECK` runs it.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { parseArgs } from "node:util";
import {
  channelCredentials,
  clientOptions,
  type ClientSecurity,
  readClientSecurity,
} from "../rpc/client.ts";
import { loadProtos } from "../rpc/proto.ts";

/** What one health check found. */
export interface HealthCheckResult {
  /** `SERVING`, `NOT_SERVING`, `SERVICE_UNKNOWN`, or `UNREACHABLE` when the call failed. */
  readonly status: string;
  /** Why the call failed, when it did. */
  readonly error?: string;
}

/**
 * Calls `Health/Check` for `service` at `address`, waiting at most `timeoutMs`; over TLS when
 * `security` has a CA (health needs no token).
 */
export function checkHealth(
  address: string,
  service: string,
  timeoutMs: number,
  security: ClientSecurity = {},
): Promise<HealthCheckResult> {
  const { packageDefinition } = loadProtos();
  const root = grpc.loadPackageDefinition(packageDefinition) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  const client = new root.grpc.health.v1.Health(
    address,
    channelCredentials(security, address),
    clientOptions(security, address),
  ) as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  return new Promise((resolve) => {
    client.Check(
      { service },
      { deadline: Date.now() + timeoutMs },
      (error: grpc.ServiceError | null, response: { status: string }) => {
        client.close();
        if (error) resolve({ status: "UNREACHABLE", error: error.message });
        else resolve({ status: response.status });
      },
    );
  });
}

/** The CLI's usage text. */
export const HEALTH_USAGE = `usage: deno task health [options]
Asks a worker's grpc.health.v1.Health/Check; exits 0 when SERVING, 1 otherwise, 2 on bad options.
  --address HOST:PORT   the worker (default: TTS_ADDRESS, else 127.0.0.1:TTS_PORT or 7001)
  --service NAME        the service to ask about (default tts.TTSService; "" for the server)
  --timeout-ms N        how long to wait for the answer (default 3000)
  --ca CA.pem           speak TLS, trusting this CA
  --cert C.pem --key K.key   client certificate for mutual TLS
  --token-file FILE     bearer token (health itself needs none)
  --help                this text`;

/** `TTS_ADDRESS`, else the local worker on `TTS_PORT` (default 7001). */
function defaultAddress(): string {
  return Deno.env.get("TTS_ADDRESS") ?? `127.0.0.1:${Deno.env.get("TTS_PORT") || "7001"}`;
}

/** Runs the CLI; returns the exit code (0 SERVING, 1 anything else, 2 bad arguments). */
export async function healthCheck(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        address: { type: "string", default: defaultAddress() },
        service: { type: "string", default: "tts.TTSService" },
        "timeout-ms": { type: "string", default: "3000" },
        ca: { type: "string" },
        cert: { type: "string" },
        key: { type: "string" },
        "token-file": { type: "string" },
        help: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(HEALTH_USAGE);
    return 2;
  }
  if (values.help) {
    console.log(HEALTH_USAGE);
    return 0;
  }
  const timeoutMs = Number(values["timeout-ms"]);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    console.error(`--timeout-ms must be a positive number, got "${values["timeout-ms"]}"`);
    return 2;
  }
  let security;
  try {
    security = await readClientSecurity({
      ca: values.ca,
      cert: values.cert,
      key: values.key,
      tokenFile: values["token-file"],
    });
  } catch (error) {
    console.error(
      `cannot read a TLS or token file: ${error instanceof Error ? error.message : error}`,
    );
    return 2;
  }
  const result = await checkHealth(values.address, values.service, timeoutMs, security);
  console.log(JSON.stringify({ address: values.address, service: values.service, ...result }));
  return result.status === "SERVING" ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await healthCheck(Deno.args));
}
