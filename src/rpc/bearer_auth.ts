/**
 * Bearer-token authentication as a grpc-js server interceptor: every call but those of
 * `grpc.health.v1.Health` must carry the metadata `authorization: Bearer <token>`, else it is
 * answered UNAUTHENTICATED before its handler runs. Reflection is protected like the TTS service.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { createHash, timingSafeEqual } from "node:crypto";

/** Method-path prefixes that need no token: load balancers and orchestrators probe health. */
export const UNAUTHENTICATED_PREFIXES: readonly string[] = ["/grpc.health.v1.Health/"];

/** The `authorization` metadata value a client sends for `token`. */
export function bearerHeader(token: string): string {
  return `Bearer ${token}`;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Why a call's `authorization` values do not carry `token`, or `undefined` when they do.
 * Compares digests in constant time, so timing tells nothing about the token.
 */
export function authorizationProblem(
  values: readonly grpc.MetadataValue[],
  token: string,
): string | undefined {
  if (values.length === 0) {
    return 'missing bearer token: send the metadata "authorization: Bearer <token>"';
  }
  const value = String(values[0]);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!match) return 'malformed authorization metadata: expected "Bearer <token>"';
  return timingSafeEqual(digest(match[1]), digest(token)) ? undefined : "wrong bearer token";
}

/** A server interceptor that refuses calls without the bearer `token` (health stays open). */
export function bearerAuthInterceptor(token: string): grpc.ServerInterceptor {
  return (method, call) => {
    if (UNAUTHENTICATED_PREFIXES.some((prefix) => method.path.startsWith(prefix))) {
      return new grpc.ServerInterceptingCall(call);
    }
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, pass) => {
            const problem = authorizationProblem(metadata.get("authorization"), token);
            if (problem === undefined) pass(metadata);
            else call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: problem });
          },
        });
      },
    });
  };
}
