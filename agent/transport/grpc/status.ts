/** The one place that turns agent errors into gRPC statuses. Unknown errors never leak internals. */
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { type ErrorCode, JobletError } from "../../domain/errors.ts";

const CODES: Record<ErrorCode, status> = {
  InvalidArgument: status.INVALID_ARGUMENT,
  NotFound: status.NOT_FOUND,
  AlreadyExists: status.ALREADY_EXISTS,
  FailedPrecondition: status.FAILED_PRECONDITION,
  PermissionDenied: status.PERMISSION_DENIED,
  Unauthenticated: status.UNAUTHENTICATED,
  ResourceExhausted: status.RESOURCE_EXHAUSTED,
  Unavailable: status.UNAVAILABLE,
  Internal: status.INTERNAL,
};

export function toServiceError(e: unknown, log: (msg: string) => void): Partial<ServiceError> {
  if (e instanceof JobletError) {
    if (e.code === "Internal") log(`internal error: ${e.message}${e.cause ? `: ${describe(e.cause)}` : ""}`);
    return { code: CODES[e.code], details: e.message, metadata: new Metadata() };
  }
  const id = crypto.randomUUID().slice(0, 8);
  log(`unexpected error ${id}: ${describe(e)}`);
  return { code: status.INTERNAL, details: `internal error (reference ${id} in the agent's log)` };
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
