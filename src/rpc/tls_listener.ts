/**
 * TLS for a grpc-js server in Deno: a `node:tls` listener terminates TLS (and verifies client
 * certificates for mutual TLS) and relays each decrypted connection to the gRPC server, which
 * listens in plaintext only on a Unix socket in a private (0700) temporary directory.
 *
 * Why not `grpc.ServerCredentials.createSsl`: in Deno 2.9 grpc-js's secure HTTP/2 server
 * (`http2.createSecureServer`) writes its HTTP/2 frames past the TLS layer after the handshake,
 * so every client fails with "wrong version number" / "excessive message size". Injecting the
 * `node:tls` sockets into the HTTP/2 server (grpc-js's connection injector) serves calls but
 * aborts the whole process in nghttp2 (`find_stream_on_goaway_func`) when a client closes. A
 * relay to a real socket has neither problem.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import * as net from "node:net";
import * as tls from "node:tls";
import { hostPort } from "./host_port.ts";

/** PEM material for a TLS port. */
export interface ServerTls {
  /** Certificate chain of the server. */
  readonly cert: Uint8Array;
  /** Its private key. */
  readonly key: Uint8Array;
  /** CA bundle: when given, clients must present a certificate it signed. */
  readonly clientCa?: Uint8Array;
}

/** A listening TLS port feeding a gRPC server. */
export interface TlsListener {
  /** The port bound (the chosen one when 0 was asked). */
  readonly port: number;
  /**
   * Stops accepting connections and removes the private socket directory; connections already
   * relayed stay open. Safe to call twice.
   */
  close(): void;
}

/** How long a client has to complete the TLS handshake unless told otherwise. */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** The `node:tls` server options for `material`: HTTP/2 only, client certificates with a CA. */
export function tlsServerOptions(material: ServerTls): tls.TlsOptions {
  const clientCa = material.clientCa;
  return {
    cert: Buffer.from(material.cert),
    key: Buffer.from(material.key),
    ALPNProtocols: ["h2"],
    minVersion: "TLSv1.2",
    ...(clientCa === undefined
      ? {}
      : { ca: Buffer.from(clientCa), requestCert: true, rejectUnauthorized: true }),
  };
}

/** Binds `server` in plaintext to a Unix socket only this user can reach; returns its path. */
async function bindPrivateSocket(server: grpc.Server): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "tts-worker-tls-" });
  await Deno.chmod(dir, 0o700);
  const path = `${dir}/grpc.sock`;
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix:${path}`, grpc.ServerCredentials.createInsecure(), (error) => {
      if (error) reject(new Error(`cannot listen on unix:${path}: ${error.message}`));
      else resolve();
    });
  });
  return { dir, path };
}

/** Copies bytes both ways between a TLS connection and the private socket until either ends. */
function relay(secure: tls.TLSSocket, socketPath: string): void {
  const inner = net.connect(socketPath);
  const end = () => {
    secure.destroy();
    inner.destroy();
  };
  secure.on("error", end).on("close", end);
  inner.on("error", end).on("close", end);
  secure.pipe(inner);
  inner.pipe(secure);
}

/**
 * Listens on `host:port` with TLS and relays every connection that completes the handshake (with
 * a trusted client certificate when `material.clientCa` is set) to `server`. A connection that has
 * not completed its handshake after `handshakeTimeoutMs` is closed, so that peers that say nothing
 * cannot hold sockets open.
 */
export async function listenTls(
  server: grpc.Server,
  host: string,
  port: number,
  material: ServerTls,
  handshakeTimeoutMs = DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
): Promise<TlsListener> {
  const inner = await bindPrivateSocket(server);
  // rejectUnauthorized ends handshakes without a trusted client certificate before this runs.
  const listener = tls.createServer(
    { ...tlsServerOptions(material), handshakeTimeout: handshakeTimeoutMs },
    (secure) => relay(secure, inner.path),
  );
  // A failed handshake (plaintext, no or untrusted client certificate, the handshake timeout)
  // ends that connection only. Deno's node:tls reports a timeout here without closing the socket.
  listener.on("tlsClientError", (_error: Error, socket?: tls.TLSSocket) => socket?.destroy());
  const address = hostPort(host, port);
  let boundPort: number;
  try {
    boundPort = await new Promise<number>((resolve, reject) => {
      listener.once("error", (error) => reject(new Error(`cannot listen on ${address}: ${error}`)));
      listener.listen(port, host, () => {
        const bound = listener.address();
        resolve(typeof bound === "object" && bound !== null ? bound.port : port);
      });
    });
  } catch (error) {
    Deno.removeSync(inner.dir, { recursive: true });
    throw error;
  }
  let closed = false;
  return {
    port: boundPort,
    close: () => {
      if (closed) return;
      closed = true;
      listener.close();
      Deno.removeSync(inner.dir, { recursive: true });
    },
  };
}
