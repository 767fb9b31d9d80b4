/**
 * What a client may ask for, as zod schemas: the single place where a job request is checked. Transports run
 * these on every request and hand core an already-valid JobSpec; the messages name the field and the rule.
 */
import { z } from "zod";
import type { JobSpec } from "./job.ts";
import { invalidArgument } from "./errors.ts";
import { VOLUME_NAME } from "./volume.ts";
import { RUNTIME_NAME } from "./runtime.ts";
import { MAX_DISK_BYTES, MIN_DISK_BYTES } from "./workspace.ts";
import { formatSize } from "./units.ts";
import { MAX_NET_BW_BYTES, MIN_NET_BW_BYTES } from "./network.ts";

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Variables the agent sets itself; a job may not override them. */
export const RESERVED_ENV = new Set(["HOME", "USER", "LOGNAME", "PWD"]);

/** The environment every job starts with, before the user's variables. */
export const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/work",
  USER: "nobody",
  PWD: "/work",
};

const MAX_ARG_BYTES = 128 * 1024;

const envMap = (field: string) =>
  z.record(z.string(), z.string()).superRefine((env, ctx) => {
    for (const [name, value] of Object.entries(env)) {
      if (!ENV_NAME.test(name)) {
        ctx.addIssue({
          code: "custom",
          message:
            `${field} name "${name}" is not valid (letters, digits and '_', not starting with a digit)`,
        });
      } else if (RESERVED_ENV.has(name) || name.startsWith("JOBLET_")) {
        ctx.addIssue({
          code: "custom",
          message: `${field} name "${name}" is reserved: the agent sets it (reserved: ${
            [...RESERVED_ENV].join(", ")
          }, JOBLET_*)`,
        });
      }
      if (value.includes("\0")) {
        ctx.addIssue({ code: "custom", message: `${field} "${name}" contains a NUL byte` });
      }
    }
  });

export const JobSpecSchema = z.object({
  name: z.string().max(63, "name must be at most 63 characters").regex(
    /^([A-Za-z0-9][A-Za-z0-9._-]*)?$/,
    "name may use letters, digits, '.', '_' and '-', starting with a letter or digit",
  ),
  command: z.string().min(1, "command is required").max(4096).refine((c) => !c.includes("\0"), {
    message: "command contains a NUL byte",
  }),
  args: z.array(z.string().refine((a) => !a.includes("\0"), { message: "argument contains a NUL byte" }))
    .max(4096, "at most 4096 arguments")
    .refine((a) => a.reduce((n, s) => n + s.length, 0) <= MAX_ARG_BYTES, {
      message: `arguments are limited to ${MAX_ARG_BYTES} bytes in all`,
    }),
  env: envMap("env"),
  secretEnv: envMap("secret env"),
  limits: z.strictObject({
    cpuPercent: z.number().int().nonnegative(),
    cpuCores: z.array(z.number().int().nonnegative()),
    memoryBytes: z.number().int().nonnegative(),
    ioBps: z.number().int().nonnegative(),
    pids: z.number().int().nonnegative(),
    timeoutMs: z.number().int().nonnegative(),
  }).partial().default({}),
  volumes: z.array(z.strictObject({
    name: z.string().regex(
      VOLUME_NAME,
      "volume name must be 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit",
    ),
    readOnly: z.boolean(),
  })).max(64, "at most 64 volumes").optional(),
  network: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "network must be 1-32 letters, digits, '-' or '_'")
    .optional(),
  /** An installed runtime's name (the transport turns `python@3.11` and `openjdk:21` into it). */
  runtime: z.string().regex(RUNTIME_NAME, "runtime must be a runtime name such as python-3.11").optional(),
  /** Size of /work in bytes (uploads included); absent = the agent's jobs.max_disk. */
  maxDiskBytes: z.number().int()
    .min(MIN_DISK_BYTES, `max disk must be at least ${formatSize(MIN_DISK_BYTES)}`)
    .max(MAX_DISK_BYTES, `max disk must be at most ${formatSize(MAX_DISK_BYTES)}`).optional(),
  /** Traffic limit each way in bytes per second (rnx reads tc-style rates; domain/network.ts). */
  maxNetBwBytes: z.number().int()
    .min(MIN_NET_BW_BYTES, "max net bw must be at least 8kbit (1000 bytes/s)")
    .max(MAX_NET_BW_BYTES, "max net bw must be at most 100gbit").optional(),
}).superRefine((s, ctx) => {
  const names = (s.volumes ?? []).map((v) => v.name);
  for (const [i, n] of names.entries()) {
    if (names.indexOf(n) !== i) ctx.addIssue({ code: "custom", message: `volume "${n}" is given twice` });
  }
  for (const name of Object.keys(s.secretEnv)) {
    if (name in s.env) {
      ctx.addIssue({ code: "custom", message: `"${name}" is given both as env and secret env` });
    }
  }
  if (s.maxNetBwBytes !== undefined && s.network === "none") {
    ctx.addIssue({
      code: "custom",
      message: "--max-net-bw needs a network: a job on network none has only loopback, nothing to limit",
    });
  }
});

/** Parses untrusted input into a JobSpec or throws InvalidArgument listing every problem. */
export function parseJobSpec(input: unknown): JobSpec {
  const r = JobSpecSchema.safeParse(input);
  if (!r.success) throw invalidArgument(`invalid job: ${formatIssues(r.error)}`);
  return r.data;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => {
    const path = i.path.length ? `${i.path.join(".")}: ` : "";
    return path + i.message;
  }).join("; ");
}

/** The job's complete environment: the base, then the user's variables, then the secrets. */
export function jobEnvironment(
  spec: Pick<JobSpec, "env" | "secretEnv">,
  /** A runtime's environment: over the base, under the user's. */
  runtimeEnv: Record<string, string> = {},
): Record<string, string> {
  return { ...BASE_ENV, ...runtimeEnv, ...spec.env, ...spec.secretEnv };
}
