/**
 * The run-job form's `spec` field: JSON with the same spellings as `rnx job run`'s flags, checked with zod and
 * then turned into RunArgs by the very code rnx uses (cli/run_args.ts `toRunArgs`), so the UI accepts exactly
 * what rnx accepts and its messages name the flag ("--max-memory "12XB" is not a size …").
 */
import { z } from "zod";
import { formatCpuCores } from "../../../agent/domain/limits.ts";
import type { JobSpec } from "../../../proto/gen/joblet.ts";
import { type RawRunOptions, type RunArgs, toRunArgs } from "../../run_args.ts";

/** A flag value: a string, or a number written as one. */
const flag = z.union([z.string(), z.number()]).transform(String);

export const RunSpecSchema = z.strictObject({
  command: z.string().min(1, "command is required"),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
  secretEnv: z.record(z.string(), z.string()).default({}),
  name: z.string().optional(),
  maxCpu: flag.optional(),
  maxMemory: flag.optional(),
  maxIobps: flag.optional(),
  cpuCores: flag.optional(),
  maxPids: flag.optional(),
  timeout: flag.optional(),
  maxDisk: flag.optional(),
  maxNetBw: flag.optional(),
  network: z.string().optional(),
  volumes: z.array(z.string()).optional(),
  runtime: z.string().optional(),
  schedule: z.string().optional(),
  tz: z.string().optional(),
  allowOverlap: z.boolean().optional(),
  missed: z.string().optional(),
  retries: flag.optional(),
  retryDelay: flag.optional(),
  noRetryOn: flag.optional(),
});

export type RunSpec = z.input<typeof RunSpecSchema>;

/** Empty strings are "not given", as an empty form field is. */
function given(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}

/** Checks the spec (ZodError naming the field) and parses it like rnx's flags (UsageError naming the flag). */
export function parseRunSpec(value: unknown): RunArgs {
  const s = RunSpecSchema.parse(value);
  const raw: RawRunOptions = {
    name: given(s.name),
    env: Object.entries(s.env).map(([k, v]) => `${k}=${v}`),
    secretEnv: Object.entries(s.secretEnv).map(([k, v]) => `${k}=${v}`),
    maxCpu: given(s.maxCpu),
    maxMemory: given(s.maxMemory),
    maxIobps: given(s.maxIobps),
    cpuCores: given(s.cpuCores),
    maxPids: given(s.maxPids),
    timeout: given(s.timeout),
    maxDisk: given(s.maxDisk),
    maxNetBw: given(s.maxNetBw),
    network: given(s.network),
    volume: s.volumes?.filter((v) => v.trim() !== ""),
    runtime: given(s.runtime),
    schedule: given(s.schedule),
    tz: given(s.tz),
    allowOverlap: s.allowOverlap || undefined,
    missed: given(s.missed),
    retries: given(s.retries),
    retryDelay: given(s.retryDelay),
    noRetryOn: given(s.noRetryOn),
  };
  for (const k of Object.keys(raw) as (keyof RawRunOptions)[]) if (raw[k] === undefined) delete raw[k];
  return toRunArgs(s.command, s.args, raw);
}

/** The RunJob spec message for parsed arguments (as `rnx job run` sends it). */
export function jobSpecOf(args: RunArgs): Partial<JobSpec> {
  const l = args.limits;
  return {
    name: args.name,
    command: args.command,
    args: args.args,
    env: args.env,
    secretEnv: args.secretEnv,
    limits: {
      maxCpuPercent: l.cpuPercent ?? 0,
      cpuCores: l.cpuCores ? formatCpuCores(l.cpuCores) : "",
      maxMemoryBytes: l.memoryBytes ?? 0,
      maxIoBps: l.ioBps ?? 0,
      maxPids: l.pids ?? 0,
      timeoutMs: l.timeoutMs ?? 0,
    },
    schedule: args.schedule,
    timezone: args.timezone,
    allowOverlap: args.allowOverlap,
    missed: args.missed,
    retry: args.retry.retries > 0 ? args.retry : undefined,
    volumes: args.volumes ?? [],
    network: args.network ?? "",
    runtime: args.runtime ?? "",
    maxDiskBytes: args.maxDiskBytes ?? 0,
    maxNetBwBytes: args.maxNetBwBytes ?? 0,
  };
}
