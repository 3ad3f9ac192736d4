/**
 * `deno task health [--address HOST:PORT] [--service tts.TTSService] [--ca CA.pem]
 * [--cert CLIENT.pem --key CLIENT.key]`: asks a worker's
 * `grpc.health.v1.Health/Check` and exits 0 when it answers SERVING, 1 otherwise. The container's
 * `HEALTHCHECK` runs it: without `--address` it finds the worker of this machine through the
 * worker's own settings (see {@linkcode probeTarget}).
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
import { hostPort } from "../rpc/host_port.ts";
import { loadProtos } from "../rpc/proto.ts";
import { loadConfig } from "../config.ts";
import { errorMessage } from "../error_message.ts";

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
Asks a worker's grpc.health.v1.Health/Check; exits 0 when SERVING, 1 otherwise (also when the
worker's settings are invalid), 2 on bad options.
  --address HOST:PORT   the worker (default: TTS_ADDRESS, else where the worker's own settings
                        put it: TTS_HOST/TTS_PORT/TTS_CONFIG, over TLS when TTS_TLS_CERT is set)
  --service NAME        the service to ask about (default tts.TTSService; "" for the server)
  --timeout-ms N        how long to wait for the answer (default 3000)
  --ca CA.pem           speak TLS, trusting this CA
  --cert C.pem --key K.key   client certificate for mutual TLS
  --token-file FILE     bearer token (health itself needs none)
  --help                this text`;

/** Where to probe when no `--address` is given, and whether that worker speaks TLS. */
export interface ProbeTarget {
  /** `host:port` to call. */
  readonly address: string;
  /** The worker's own settings say its port speaks TLS. */
  readonly tls: boolean;
}

/**
 * `TTS_ADDRESS` when set (plaintext unless `--ca` says otherwise); else the worker of this machine
 * as its own settings place it: the same environment and `TTS_CONFIG` file the worker reads
 * (`TTS_HOST`, `TTS_PORT`, `TTS_TLS_CERT`, ...), its wildcard host probed on the loopback
 * address. So the container's HEALTHCHECK follows whatever port and TLS the worker was given.
 * The token and TLS files are not read: the probe needs none of them.
 * @throws {ConfigError} when those settings are invalid (the worker would not start either)
 */
export function probeTarget(env: Record<string, string | undefined>): ProbeTarget {
  if (env.TTS_ADDRESS) return { address: env.TTS_ADDRESS, tls: false };
  const config = loadConfig([], env, { readFiles: false });
  const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host === "::" ? "::1" : config.host;
  return { address: hostPort(host, config.port), tls: config.tlsCert !== undefined };
}

/** Runs the CLI; returns the exit code (0 SERVING, 1 anything else, 2 bad arguments). */
export async function healthCheck(
  args: string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        address: { type: "string" },
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
    console.error(errorMessage(error));
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
  let target: ProbeTarget;
  try {
    target = values.address === undefined
      ? probeTarget(env)
      : { address: values.address, tls: false };
  } catch (error) {
    console.error(
      `cannot tell where the worker listens: ${errorMessage(error)}`,
    );
    // Unhealthy rather than a usage error: Docker reserves a HEALTHCHECK's exit status 2.
    return 1;
  }
  let security: ClientSecurity;
  try {
    security = await readClientSecurity({
      ca: values.ca,
      cert: values.cert,
      key: values.key,
      tokenFile: values["token-file"],
    });
  } catch (error) {
    console.error(
      `cannot read a TLS or token file: ${errorMessage(error)}`,
    );
    return 2;
  }
  // The worker's own TLS port, and no CA given: the probe speaks TLS without checking whose
  // certificate it is (it asks this machine's worker whether it is alive, nothing more).
  if (target.tls && security.ca === undefined) security = { ...security, unverifiedTls: true };
  const result = await checkHealth(target.address, values.service, timeoutMs, security);
  console.log(JSON.stringify({ address: target.address, service: values.service, ...result }));
  return result.status === "SERVING" ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await healthCheck(Deno.args));
}
