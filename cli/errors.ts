/**
 * How rnx fails. Two kinds of failure, two exit codes:
 * - `UsageError` (exit 2): the command line itself is wrong; rnx prints the message and the command's usage line.
 * - everything else (exit 1): config problems, server errors (`rpcError` turns a gRPC status into a message a
 *   person can act on), local I/O.
 */
import { JobletError } from "../agent/domain/errors.ts";
import { type ServiceError, status } from "@grpc/grpc-js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake on the command line; rnx exits 2 and shows the command's usage. */
export class UsageError extends JobletError {
  constructor(message: string) {
    super("InvalidArgument", message);
    this.name = "UsageError";
  }
}

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === "number" &&
    "details" in err && "metadata" in err;
}

const CODES: Partial<Record<number, JobletError["code"]>> = {
  [status.INVALID_ARGUMENT]: "InvalidArgument",
  [status.NOT_FOUND]: "NotFound",
  [status.ALREADY_EXISTS]: "AlreadyExists",
  [status.FAILED_PRECONDITION]: "FailedPrecondition",
  [status.PERMISSION_DENIED]: "PermissionDenied",
  [status.UNAUTHENTICATED]: "Unauthenticated",
  [status.RESOURCE_EXHAUSTED]: "ResourceExhausted",
  [status.UNAVAILABLE]: "Unavailable",
};

/**
 * Turns a failed call into the error rnx prints. The agent's own message (the status details) is shown as the
 * server wrote it ("job 1234 not found"); transport failures get a hint about what to check.
 */
const TLS_FAILURE = /certificate|handshake|unknown ca|alert|self.signed|verify/i;
const CLOSED_IN_SETUP = /No connection established\. Last error: .*(EPIPE|ECONNRESET)/;
const VAGUE_CONNECT = /Last error: Failed to connect/;
const NETWORK_ERROR = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN/;

export function rpcError(err: ServiceError, address: string): JobletError {
  // grpc-js ends some UNAVAILABLE details with an empty "Resolution note:"; drop it.
  const details = (err.details || status[err.code] || "unknown error").replace(/\s*Resolution note:\s*$/, "");
  const code = CODES[err.code] ?? "Internal";
  switch (err.code) {
    case status.UNAVAILABLE:
      // mTLS is checked in the handshake: a certificate from another CA (ours or the agent's) or none at all
      // surfaces here, not as UNAUTHENTICATED. Say so instead of suggesting the agent is down.
      if (TLS_FAILURE.test(details)) {
        return new JobletError(
          "Unauthenticated",
          `TLS handshake with agent at ${address} failed: ${details} (do the CA and certificate in this rnx ` +
            `config belong to that agent? \`joblet certs issue\` on the agent makes a matching config)`,
          { cause: err },
        );
      }
      // With TLS 1.3 the agent checks our certificate after we think the handshake is done, so its refusal
      // reaches us as a broken connection rather than an alert.
      if (CLOSED_IN_SETUP.test(details)) {
        return new JobletError(
          "Unauthenticated",
          `agent at ${address} closed the connection during set-up: ${details} (if joblet is running there, it ` +
            `refused this rnx config's certificate: is it from that agent's CA?)`,
          { cause: err },
        );
      }
      // A bare "Failed to connect" (no ECONNREFUSED and the like) can also be the same refusal, when it lands
      // before grpc-js has a socket error to report; name both causes rather than guess.
      if (VAGUE_CONNECT.test(details) && !NETWORK_ERROR.test(details)) {
        return new JobletError(
          code,
          `cannot reach agent at ${address}: ${details} (is joblet running? if it is, it may have refused this ` +
            `rnx config's certificate: is it from that agent's CA?)`,
          { cause: err },
        );
      }
      return new JobletError(code, `cannot reach agent at ${address} (is joblet running?): ${details}`, {
        cause: err,
      });
    case status.DEADLINE_EXCEEDED:
      return new JobletError("Unavailable", `agent at ${address} did not answer in time: ${details}`, {
        cause: err,
      });
    case status.UNAUTHENTICATED:
      return new JobletError(code, `agent at ${address} did not accept our certificate: ${details}`, {
        cause: err,
      });
    case status.CANCELLED:
      return new JobletError("Unavailable", `call to ${address} was cancelled: ${details}`, { cause: err });
    default:
      return new JobletError(code, details, { cause: err });
  }
}

/** The one line printed for an error (without the `rnx: ` prefix). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
