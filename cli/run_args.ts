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
import type { Command } from "commander";
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
    .option("-f, --follow", "stream the job's output and exit with its exit code")
    .option("--json", "print the job as JSON")
    .argument("<command>", "program to run inside the job")
    .argument("[args...]", "arguments for the program, passed verbatim");
}

/**
 * Validates what commander parsed; throws UsageError naming the bad flag and value. The job itself is checked
 * with the agent's own rules (agent/domain/spec.ts), so a spec rnx accepts is one the agent accepts.
 */
export function toRunArgs(command: string, args: string[], raw: RawRunOptions): RunArgs {
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
  };
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
