/**
 * gRPC status errors for handlers: one place that turns a failure into a status and details.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";

/** Limit of session id length, in characters. */
export const MAX_SESSION_ID_LENGTH = 256;

/** A gRPC error with a status code and details a client can act on. */
export function rpcError(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details, metadata: new grpc.Metadata() };
}

/** Checks a session id: null when valid, otherwise the INVALID_ARGUMENT details. */
export function sessionIdProblem(sessionId: string): string | null {
  if (sessionId === "") return "session_id is empty; give every session a unique id";
  if (sessionId.length > MAX_SESSION_ID_LENGTH) {
    return `session_id is ${sessionId.length} characters long; the limit is ${MAX_SESSION_ID_LENGTH}`;
  }
  return null;
}
