/**
 * How the admin API fails: every error becomes an HTTP status and the body
 * `{"error": {"code", "message", "issues"?}}`. A JobletError (also what `rpcError` makes of a failed gRPC call)
 * keeps its code and its message verbatim; a ZodError is InvalidArgument naming the field; anything else is
 * Internal with a generic message (the details go to the server's stderr, not to the browser).
 */
import { z } from "zod";
import { type ErrorCode, JobletError } from "../../../agent/domain/errors.ts";

/** gRPC code (as JobletError code) → HTTP status; docs/admin.md "Errors". */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  InvalidArgument: 400,
  NotFound: 404,
  AlreadyExists: 409,
  FailedPrecondition: 409,
  PermissionDenied: 403,
  Unauthenticated: 401,
  Unavailable: 502,
  ResourceExhausted: 500,
  Internal: 500,
};

/** One problem of a workflow file, at its line and column. */
export interface Issue {
  line: number;
  column: number;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; issues?: Issue[] };
}

export interface HttpError {
  status: number;
  body: ErrorBody;
}

/** An error that is not a gRPC code: CSRF, token. */
export class AdminHttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = "AdminHttpError";
  }
}

/** "FILE:LINE:COL: message" lines, as the workflow validator writes them (agent/domain/workflow_yaml.ts). */
const ISSUE_LINE = /^\s*(.*?):(\d+):(\d+): (.*)$/;

/** The file:line:col problems in a message; empty when it has none. */
export function parseIssues(message: string): Issue[] {
  const out: Issue[] = [];
  for (const l of message.split("\n")) {
    const m = ISSUE_LINE.exec(l);
    if (m) out.push({ line: Number(m[2]), column: Number(m[3]), message: m[4] });
  }
  return out;
}

/** "spec.maxMemory: expected string" for each issue, joined by "; ". */
export function zodMessage(err: z.ZodError, prefix = ""): string {
  return err.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter((p) => p !== "").join(".");
    return path ? `${path}: ${i.message}` : i.message;
  }).join("; ");
}

/** Any error as its HTTP status and body. `log` receives errors that are not the caller's fault. */
export function toHttpError(err: unknown, log: (e: unknown) => void = () => {}): HttpError {
  if (err instanceof AdminHttpError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  }
  if (err instanceof z.ZodError) {
    return { status: 400, body: { error: { code: "InvalidArgument", message: zodMessage(err) } } };
  }
  if (err instanceof JobletError) {
    const issues = err.code === "InvalidArgument" ? parseIssues(err.message) : [];
    return {
      status: HTTP_STATUS[err.code] ?? 500,
      body: { error: { code: err.code, message: err.message, ...(issues.length ? { issues } : {}) } },
    };
  }
  log(err);
  return {
    status: 500,
    body: { error: { code: "Internal", message: "internal error in rnx admin (see its output)" } },
  };
}
