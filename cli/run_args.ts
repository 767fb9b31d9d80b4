/**
 * The command line of `rnx job run`: flags are read only before the first positional argument; that argument is
 * the command and everything after it is passed to the job verbatim — including `--`, `-la` and `--json`:
 *
 *   rnx job run -e A=1 sh -c 'echo $1 $2' -- a b   →  command "sh", args ["-c", "echo $1 $2", "--", "a", "b"]
 *   rnx job run ls -la                              →  command "ls", args ["-la"]
 *   rnx job run -- -weird-name x                    →  command "-weird-name", args ["x"]  (a leading `--` ends flags)
 *
 * commander does the splitting (`passThroughOptions`; the parent commands need `enablePositionalOptions`);
 * `toRunArgs` validates what it found.
 */
import { type Command, Option } from "commander";
import { ENV_NAME, formatIssues, JobSpecSchema } from "../agent/domain/spec.ts";
import {
  type JobLimits,
  parseCpuCores,
  parseCpuPercent,
  parseIoBps,
  parseMemory,
  parsePids,
  parseTimeout,
} from "../agent/domain/limits.ts";
import { JobletError } from "../agent/domain/errors.ts";
import { checkScheduleSyntax } from "../agent/domain/schedule.ts";
import { checkTimeZone } from "../agent/domain/cron.ts";
import type { MissedPolicy, RetryPolicy } from "../agent/domain/job.ts";
import { parseDuration } from "../agent/domain/units.ts";
import { checkVolumeMounts, parseVolumeMount, type VolumeMount } from "../agent/domain/volume.ts";
import { runtimeName } from "../agent/domain/runtime.ts";
import { parseMaxDisk } from "../agent/domain/workspace.ts";
import { parseNetRate } from "../agent/domain/network.ts";
import { UsageError } from "./errors.ts";

export interface RunArgs {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  /** `--upload PATH`: a file lands in /work/<basename>, a directory in /work/<dirname>/… */
  uploads: string[];
  /** `--upload-dir DIR`: the directory's contents land in /work. */
  uploadDirs: string[];
  follow: boolean;
  json: boolean;
  /** Limits given on the command line; the rest take the agent's defaults. */
  limits: Partial<JobLimits>;
  /** `--schedule` and its companions ("" = run now). */
  schedule: string;
  timezone: string;
  allowOverlap: boolean;
  missed: MissedPolicy | "";
  retry: RetryPolicy;
  /** `--workflow=FILE[:JOB]`: the file and the one job to run ("" = all). */
  workflow?: { file: string; job: string };
  /** `--volume NAME[:ro]` (repeatable): mounted at /volumes/NAME. */
  volumes?: VolumeMount[];
  /** `--network=NAME`: bridge, isolated, none or a custom network ("" = the agent's default). */
  network?: string;
  /** `--runtime=NAME` (also NAME@VERSION, NAME:VERSION): the runtime's name. */
  runtime?: string;
  /** `--max-disk=SIZE`: the size of the job's /work. */
  maxDiskBytes?: number;
  /** `--max-net-bw=RATE`: the job's traffic limit each way, bytes per second. */
  maxNetBwBytes?: number;
}

/** The options commander collects for `job run`. */
export interface RawRunOptions {
  name?: string;
  env?: string[];
  secretEnv?: string[];
  upload?: string[];
  uploadDir?: string[];
  follow?: boolean;
  json?: boolean;
  maxCpu?: string;
  cpuCores?: string;
  maxMemory?: string;
  maxIobps?: string;
  maxPids?: string;
  timeout?: string;
  schedule?: string;
  tz?: string;
  allowOverlap?: boolean;
  missed?: string;
  retries?: string;
  retryDelay?: string;
  noRetryOn?: string;
  workflow?: string;
  volume?: string[];
  network?: string;
  runtime?: string;
  maxDisk?: string;
  maxNetBw?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Adds the flags and arguments of `job run` to `cmd`. */
export function defineRunCommand(cmd: Command): Command {
  return cmd
    .description("Run a command as a job; everything after the command is passed to it unchanged")
    .passThroughOptions()
    .option("--name <name>", "a name for the job (letters, digits, '.', '_', '-'; at most 63)")
    .option("-e, --env <NAME=VALUE>", "environment variable for the job (repeatable)", collect)
    .option(
      "-s, --secret-env <NAME=VALUE>",
      "secret environment variable, shown as *** (repeatable)",
      collect,
    )
    .option("--upload <path>", "upload a file or directory into /work (repeatable)", collect)
    .option("--upload-dir <dir>", "upload the contents of a directory into /work (repeatable)", collect)
    .option(
      "--max-cpu <percent>",
      "CPU limit in percent of one core (100 = one core, 50 = half, 0 = unlimited)",
    )
    .option("--cpu-cores <list>", "cores the job may use, e.g. 0-3, 0,2,4 or 0-2,5")
    .option("--max-memory <size>", "memory limit, e.g. 512 (MB), 512MB, 2GB; swap is disabled")
    .option("--max-iobps <rate>", "block I/O limit in bytes/s for reads and writes, e.g. 10MB or 100MB/s")
    .option("--max-pids <n>", "most processes and threads at once")
    .option(
      "--timeout <duration>",
      "stop the job after this long, e.g. 30s, 5m, 2h (state TIMEOUT, exit 124)",
    )
    .option(
      "--schedule <when>",
      'run later: a delay (30s, 5min, 1h30m), a time (2025-08-03T15:00:00Z) or "cron:*/5 * * * *"',
    )
    .option("--tz <zone>", "time zone of a cron schedule, e.g. Europe/Berlin (default UTC)")
    .option("--allow-overlap", "cron: start a run even while the previous one still runs")
    .option("--missed <policy>", "cron: ticks missed while the agent was down: once (default) or skip")
    .option("--retries <n>", "run a failed job again up to n times (never after an OOM kill)")
    .option("--retry-delay <duration>", "wait before the first retry, doubled each time (default 1s)")
    .addOption(noRetryOn())
    .option("--workflow <file[:job]>", "run the jobs of a workflow YAML file (or one job of it)")
    .option(
      "--volume <name[:ro]>",
      "mount a volume at /volumes/NAME, read-only with :ro (repeatable)",
      collect,
    )
    .option("--network <name>", "bridge, isolated, none (loopback only) or a custom network")
    .option("--runtime <name>", "run in an installed runtime, e.g. python-3.11 (rnx runtime list)")
    .option("--max-disk <size>", "size of the job's /work, uploads included, e.g. 512MB or 2GB")
    .option(
      "--max-net-bw <rate>",
      "limit the job's network traffic each way, e.g. 10mbit, 8Mbps (megabits) or 100MB/s (megabytes)",
    )
    .option("-f, --follow", "stream the job's output and exit with its exit code")
    .option("--json", "print the job as JSON")
    .argument("[command]", "program to run inside the job")
    .argument("[args...]", "arguments for the program, passed verbatim");
}

/** commander reads "--no-x" as the negation of "--x"; this flag is a plain list of exit codes. */
function noRetryOn(): Option {
  const o = new Option("--no-retry-on <codes>", "exit codes never retried, e.g. 2,3");
  o.negate = false;
  return o;
}

/**
 * Validates what commander parsed; throws UsageError naming the bad flag and value. The job itself is checked
 * with the agent's own rules (agent/domain/spec.ts), so a spec rnx accepts is one the agent accepts.
 */
export function toRunArgs(command: string | undefined, args: string[], raw: RawRunOptions): RunArgs {
  if (raw.workflow !== undefined) return toWorkflowArgs(command, args, raw);
  if (command === undefined) throw new UsageError("missing the command to run (or --workflow=FILE)");
  const env = parseAssignments("--env", raw.env ?? []);
  const secretEnv = parseAssignments("--secret-env", raw.secretEnv ?? []);
  const spec = { name: raw.name ?? "", command, args: [...args], env, secretEnv };
  const checked = JobSpecSchema.safeParse(spec);
  if (!checked.success) throw new UsageError(`invalid job: ${formatIssues(checked.error)}`);
  return {
    ...spec,
    uploads: raw.upload ?? [],
    uploadDirs: raw.uploadDir ?? [],
    follow: raw.follow ?? false,
    json: raw.json ?? false,
    limits: parseLimitFlags(raw),
    ...parseScheduleFlags(raw),
    retry: parseRetryFlags(raw),
    volumes: parseVolumeFlags(raw.volume ?? []),
    ...(raw.network === undefined ? {} : { network: parseNetworkFlag(raw.network) }),
    ...(raw.runtime === undefined ? {} : { runtime: parseRuntimeFlag(raw.runtime) }),
    ...(raw.maxDisk === undefined ? {} : { maxDiskBytes: usage(() => parseMaxDisk(raw.maxDisk!)) }),
    ...(raw.maxNetBw === undefined ? {} : { maxNetBwBytes: parseNetBwFlag(raw.maxNetBw, raw.network) }),
  };
}

/** `--max-net-bw=RATE` (tc-style, domain/network.ts); refused with --network=none, which has nothing to limit. */
export function parseNetBwFlag(value: string, network: string | undefined): number {
  const bytes = usage(() => parseNetRate(value));
  if (network === "none") {
    throw new UsageError(
      "--max-net-bw needs a network: --network=none has only loopback, nothing to limit",
    );
  }
  return bytes;
}

/** Runs an agent-side parser; its InvalidArgument becomes a usage error (exit 2). */
function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(e.message);
    throw e;
  }
}

/** `--volume NAME[:ro]`, each volume once. */
export function parseVolumeFlags(items: string[]): VolumeMount[] {
  try {
    return checkVolumeMounts(items.map(parseVolumeMount));
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(e.message);
    throw e;
  }
}

function toWorkflowArgs(command: string | undefined, args: string[], raw: RawRunOptions): RunArgs {
  if (command !== undefined) {
    throw new UsageError(
      `--workflow runs the jobs of a file; do not also give a command ("${[command, ...args].join(" ")}")`,
    );
  }
  const other = Object.entries(raw).filter(([k, v]) =>
    v !== undefined && !["workflow", "json", "follow", "config", "node"].includes(k)
  ).map(([k]) => "--" + k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase()));
  if (other.length > 0) {
    throw new UsageError(`--workflow takes its settings from the file; remove ${other.join(", ")}`);
  }
  const spec = raw.workflow!;
  const m = /^(.*\.ya?ml)(?::([^:/]+))?$/i.exec(spec);
  if (!m) {
    throw new UsageError(`--workflow "${spec}" must name a .yaml or .yml file, optionally with :job-name`);
  }
  return {
    name: "",
    command: "",
    args: [],
    env: {},
    secretEnv: {},
    uploads: [],
    uploadDirs: [],
    follow: false,
    json: raw.json ?? false,
    limits: {},
    schedule: "",
    timezone: "",
    allowOverlap: false,
    missed: "",
    retry: { retries: 0, delayMs: 0, noRetryOn: [] },
    workflow: { file: m[1], job: m[2] ?? "" },
  };
}

/** `--network`: a name the agent may know (it says whether the network exists). */
export function parseNetworkFlag(value: string | undefined): string {
  if (value === undefined) return "";
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(value)) {
    throw new UsageError(`--network "${value}" is not a network name (1-32 letters, digits, '-' or '_')`);
  }
  return value;
}

/** --schedule and the cron flags, checked without a clock (the agent resolves relative times). */
export function parseScheduleFlags(
  raw: RawRunOptions,
): Pick<RunArgs, "schedule" | "timezone" | "allowOverlap" | "missed"> {
  const schedule = raw.schedule ?? "";
  try {
    if (schedule) checkScheduleSyntax(schedule);
    if (raw.tz) checkTimeZone(raw.tz);
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(e.message);
    throw e;
  }
  const isCron = schedule.trim().toLowerCase().startsWith("cron:");
  if (!isCron && (raw.tz !== undefined || raw.allowOverlap || raw.missed !== undefined)) {
    throw new UsageError('--tz, --allow-overlap and --missed need a cron schedule (--schedule="cron:…")');
  }
  if (raw.missed !== undefined && raw.missed !== "once" && raw.missed !== "skip") {
    throw new UsageError(`--missed "${raw.missed}" is not a policy (use once or skip)`);
  }
  return {
    schedule,
    timezone: raw.tz ?? "",
    allowOverlap: raw.allowOverlap ?? false,
    missed: (raw.missed ?? "") as MissedPolicy | "",
  };
}

/** --retries, --retry-delay, --no-retry-on. */
export function parseRetryFlags(raw: RawRunOptions): RetryPolicy {
  const retry: RetryPolicy = { retries: 0, delayMs: 0, noRetryOn: [] };
  if (raw.retries !== undefined) {
    if (!/^\d{1,3}$/.test(raw.retries) || Number(raw.retries) > 100) {
      throw new UsageError(`--retries "${raw.retries}" must be a whole number from 0 to 100`);
    }
    retry.retries = Number(raw.retries);
  }
  if (raw.retryDelay !== undefined) {
    try {
      retry.delayMs = parseDuration(raw.retryDelay);
    } catch (e) {
      throw new UsageError(`--retry-delay ${(e as Error).message}`);
    }
  } else if (retry.retries > 0) retry.delayMs = 1000;
  if (raw.noRetryOn !== undefined) {
    retry.noRetryOn = raw.noRetryOn.split(",").map((c) => c.trim()).filter((c) => c !== "").map((c) => {
      if (!/^\d{1,3}$/.test(c) || Number(c) > 255) {
        throw new UsageError(`--no-retry-on "${c}" is not an exit code (0-255; e.g. --no-retry-on=2,3)`);
      }
      return Number(c);
    });
  }
  if ((raw.retryDelay !== undefined || raw.noRetryOn !== undefined) && retry.retries === 0) {
    throw new UsageError("--retry-delay and --no-retry-on need --retries=N");
  }
  return retry;
}

/** The limit flags, each parsed by the agent's own rules; errors name the flag. */
export function parseLimitFlags(raw: RawRunOptions): Partial<JobLimits> {
  const out: Partial<JobLimits> = {};
  try {
    if (raw.maxCpu !== undefined) out.cpuPercent = parseCpuPercent(raw.maxCpu);
    if (raw.cpuCores !== undefined) out.cpuCores = parseCpuCores(raw.cpuCores);
    if (raw.maxMemory !== undefined) out.memoryBytes = parseMemory(raw.maxMemory);
    if (raw.maxIobps !== undefined) out.ioBps = parseIoBps(raw.maxIobps);
    if (raw.maxPids !== undefined) out.pids = parsePids(raw.maxPids);
    if (raw.timeout !== undefined) out.timeoutMs = parseTimeout(raw.timeout);
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(e.message);
    throw e;
  }
  return out;
}

/** Parses `NAME=VALUE` pairs; the value may be empty or contain '='; a later NAME wins. */
export function parseAssignments(flag: string, items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const [key, value] = parseAssignment(flag, item);
    out[key] = value;
  }
  return out;
}

export function parseAssignment(flag: string, item: string): [string, string] {
  const eq = item.indexOf("=");
  if (eq < 0) throw new UsageError(`${flag} "${item}" must have the form NAME=VALUE`);
  const key = item.slice(0, eq);
  if (!ENV_NAME.test(key)) {
    throw new UsageError(
      `${flag}: variable name "${key}" is not valid (use letters, digits and '_', not starting with a digit)`,
    );
  }
  return [key, item.slice(eq + 1)];
}

/** `--runtime`: `python-3.11`, `python@3.11` or `python:3.11` → the runtime's name (the agent says if it exists). */
export function parseRuntimeFlag(value: string): string {
  try {
    return runtimeName(value);
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(`--runtime: ${e.message}`);
    throw e;
  }
}
