/**
 * The operations endpoint: Prometheus metrics (`GET /metrics`) and a liveness probe
 * (`GET /healthz`) over HTTP on a port of their own, served with `Deno.serve`.
 *
 * @module
 */
import { errorMessage } from "../error_message.ts";

/** What the server exposes. */
export interface MetricsSource {
  /** The Prometheus text exposition. */
  exposition(): Promise<string>;
  /** Its content type. */
  readonly contentType: string;
}

/** How the server is started. */
export interface MetricsServerOptions {
  /** Address to bind. */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /** The metrics. */
  readonly metrics: MetricsSource;
  /** Whether the worker serves: `/healthz` answers 200 when it does, 503 when not. */
  readonly serving: () => boolean;
}

/** A running metrics server. */
export interface RunningMetricsServer {
  /** The bound port. */
  readonly port: number;
  /** Stops listening and ends open connections. */
  shutdown(): Promise<void>;
}

/** Answers one request: `/metrics`, `/healthz`, else 404 (405 for methods other than GET). */
export async function handleMetricsRequest(
  request: Request,
  options: Pick<MetricsServerOptions, "metrics" | "serving">,
): Promise<Response> {
  let pathname: string;
  try {
    pathname = new URL(request.url).pathname;
  } catch {
    // Deno builds the URL from the Host header: a malformed one is the client's error.
    return new Response("bad request: malformed Host header\n", { status: 400 });
  }
  if (pathname !== "/metrics" && pathname !== "/healthz") {
    return new Response("not found; try /metrics or /healthz\n", { status: 404 });
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  if (pathname === "/healthz") {
    const serving = options.serving();
    return new Response(serving ? "ok\n" : "not serving\n", {
      status: serving ? 200 : 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  try {
    const body = await options.metrics.exposition();
    return new Response(request.method === "HEAD" ? null : body, {
      headers: { "content-type": options.metrics.contentType },
    });
  } catch (error) {
    const message = errorMessage(error);
    return new Response(`metrics could not be collected: ${message}\n`, { status: 500 });
  }
}

/** Starts serving `/metrics` and `/healthz`; resolves once the port is bound. */
export function startMetricsServer(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const listening = Promise.withResolvers<number>();
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.host,
      port: options.port,
      onListen: ({ port }) => listening.resolve(port),
    }, (request) => handleMetricsRequest(request, options));
  } catch (error) {
    return Promise.reject(error);
  }
  return listening.promise.then((port) => ({
    port,
    shutdown: () => server.shutdown(),
  }));
}
