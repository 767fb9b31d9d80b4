/**
 * The closed set of error codes the agent uses. They mirror gRPC status codes so that each transport maps
 * them in one place (transport/grpc/status.ts); context travels in `cause`, never in the code.
 */
export type ErrorCode =
  | "InvalidArgument"
  | "NotFound"
  | "AlreadyExists"
  | "FailedPrecondition"
  | "PermissionDenied"
  | "Unauthenticated"
  | "ResourceExhausted"
  | "Unavailable"
  | "Internal";

export class JobletError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "JobletError";
    this.code = code;
  }
}

export const invalidArgument = (msg: string, cause?: unknown) =>
  new JobletError("InvalidArgument", msg, { cause });
export const notFound = (msg: string) => new JobletError("NotFound", msg);
export const failedPrecondition = (msg: string) => new JobletError("FailedPrecondition", msg);
export const internal = (msg: string, cause?: unknown) => new JobletError("Internal", msg, { cause });
