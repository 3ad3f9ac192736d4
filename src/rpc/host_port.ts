/**
 * `host:port` addresses as gRPC and its tools write them.
 *
 * @module
 */

/** `host:port`, an IPv6 literal in brackets (`[::1]:7001`). */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
