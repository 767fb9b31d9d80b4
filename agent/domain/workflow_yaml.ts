/**
 * The workflow file: a `jobs:` map whose jobs name what they `require:`.
 *
 *   jobs:
 *     extract:
 *       command: python3
 *       args: ["extract.py"]
 *       uploads: { files: ["extract.py"] }        # relative to the YAML file; land in /work/<basename>
 *       environment: { STAGE: "1" }
 *       secret_environment: { TOKEN: "…" }
 *       resources: { max_cpu: 50, max_memory: 512MB, max_iobps: 10MB, cpu_cores: "0-1", max_pids: 100,
 *                    max_disk: 1GB,                 # max_disk: the size of /work, as --max-disk
 *                    max_net_bw: 10mbit }           # max_net_bw: network rate each way, as --max-net-bw
 *       runtime: python-3.11                      # an installed runtime, as --runtime
 *       retries: 2                                # and retry_delay: 10s, no_retry_on: [2]
 *     train:
 *       command: python3
 *       requires:
 *         - extract: "COMPLETED"                  # any final status: COMPLETED, FAILED, STOPPED, TIMEOUT, CANCELED
 *
 * parseWorkflow() checks everything before anything starts and reports every problem at once, each as
 * "file:line:col: message": YAML syntax, unknown keys (with a did-you-mean), a missing command, requirements
 * naming unknown jobs, dependency cycles (named), invalid environment names, a key in both environment maps,
 * bad limits, bad volume and runtime names. Given the target node's checks (`NodeChecks`, the agent passes them),
 * volumes, networks and runtimes the node does not have are reported the same way.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";
import { invalidArgument } from "./errors.ts";
import type { JobSpec, Requirement, RetryPolicy } from "./job.ts";
import { ENV_NAME, RESERVED_ENV } from "./spec.ts";
import {
  type JobLimits,
  parseCpuCores,
  parseCpuPercent,
  parseIoBps,
  parseMemory,
  parsePids,
  parseTimeout,
} from "./limits.ts";
import { parseDuration } from "./units.ts";
import { checkUploadPath } from "./upload.ts";
import { parseVolumeMount, type VolumeMount } from "./volume.ts";
import { runtimeName } from "./runtime.ts";
import { parseMaxDisk } from "./workspace.ts";
import { parseNetRate } from "./network.ts";

export interface WorkflowJobDef {
  /** Its key under `jobs:`. */
  name: string;
  spec: JobSpec;
  requires: Requirement[];
  /** Upload paths as written (relative to the YAML file). */
  uploads: string[];
}

export interface ParsedWorkflow {
  name: string;
  /** In the file's order. */
  jobs: WorkflowJobDef[];
}

/**
 * What the target node has, to check a workflow's names against before anything starts. Each throws, with a
 * message saying what exists, for a name the node does not have. rnx has none of these; the agent has all.
 */
export interface NodeChecks {
  volume?(mount: VolumeMount): void;
  network?(name: string): void;
  runtime?(name: string): void;
}

export interface WorkflowOptions {
  node?: NodeChecks;
  /** Check only this job against the node (`--workflow=FILE:JOB` runs it alone). */
  only?: string;
}

const FINAL_STATUSES = ["COMPLETED", "FAILED", "STOPPED", "TIMEOUT", "CANCELED"] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const sizeLike = z.union([z.string(), z.number()]).transform(String);

const ResourcesYaml = z.strictObject({
  max_cpu: sizeLike.optional(),
  max_memory: sizeLike.optional(),
  max_iobps: sizeLike.optional(),
  max_io_bps: sizeLike.optional(),
  cpu_cores: sizeLike.optional(),
  max_pids: sizeLike.optional(),
  timeout: z.string().optional(),
  /** Size of the job's /work, uploads included (as --max-disk). */
  max_disk: sizeLike.optional(),
  /** Egress and ingress rate of the job's network (as --max-net-bw), e.g. 10mbit. */
  max_net_bw: sizeLike.optional(),
});

const JobYaml = z.strictObject({
  command: z.string({ error: "command is required (the program to run)" }).min(1, "command is empty"),
  args: z.array(scalar).optional(),
  description: z.string().optional(),
  /** An installed runtime (checked against the node's runtimes at submit), as --runtime. */
  runtime: z.string().optional(),
  /** bridge, isolated, none or a custom network (checked against the agent's networks at submit). */
  network: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "network must be 1-32 letters, digits, '-' or '_'")
    .optional(),
  /** Volume names, each "NAME" or "NAME:ro", mounted at /volumes/NAME. */
  volumes: z.array(z.string()).optional(),
  uploads: z.strictObject({ files: z.array(z.string()) }).optional(),
  environment: z.record(z.string(), scalar).optional(),
  secret_environment: z.record(z.string(), scalar).optional(),
  resources: ResourcesYaml.optional(),
  requires: z.array(z.record(z.string(), z.string())).optional(),
  retries: z.number().int().min(0).max(100).optional(),
  retry_delay: z.string().optional(),
  no_retry_on: z.array(z.number().int()).optional(),
});

const WorkflowYaml = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  version: scalar.optional(),
  jobs: z.record(z.string(), z.unknown(), { error: "jobs: a map of job names to jobs is required" }),
});

type Path = (string | number)[];

interface Issue {
  path: Path;
  /** Point at the key rather than the value. */
  atKey?: boolean;
  message: string;
}

/** Parses and checks a workflow file; throws InvalidArgument listing every problem as file:line:col. */
export function parseWorkflow(text: string, file: string, opts: WorkflowOptions = {}): ParsedWorkflow {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lc.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    throw invalidArgument(
      report(file, doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split("\n")[0]}`)),
    );
  }
  const issues: Issue[] = [];
  const raw = doc.toJS() ?? {};
  const parsed = WorkflowYaml.safeParse(raw);
  if (!parsed.success) addZodIssues([], parsed.error, issues);
  const rawJobs = raw && typeof raw === "object" && raw.jobs && typeof raw.jobs === "object" ? raw.jobs : {};
  // Each job on its own, so that one bad job does not hide the problems of the others.
  const jobs: Record<string, JobData> = {};
  for (const [name, j] of Object.entries(rawJobs as Record<string, unknown>)) {
    const r = JobYaml.safeParse(j);
    if (r.success) jobs[name] = r.data;
    else addZodIssues(["jobs", name], r.error, issues);
  }
  if (parsed.success) {
    checkJobs(jobs, Object.keys(rawJobs), issues);
    if (opts.node) checkOnNode(jobs, opts.node, opts.only, issues);
  }
  if (issues.length > 0) {
    const lines = issues.map((i) =>
      `${at(offsetOf(doc.contents as Node | null, i.path, i.atKey))}: ${i.message}`
    );
    throw invalidArgument(report(file, lines));
  }
  return {
    name: parsed.data!.name ?? baseName(file),
    jobs: Object.entries(jobs).map(([name, j]) => buildJob(name, j)),
  };
}

function addZodIssues(prefix: Path, error: z.ZodError, issues: Issue[]): void {
  for (const i of error.issues) {
    const path = [...prefix, ...i.path as Path];
    if (i.code === "unrecognized_keys") {
      const allowed = allowedKeys(path);
      for (const key of i.keys) {
        const hint = didYouMean(key, allowed);
        issues.push({
          path: [...path, key],
          atKey: true,
          message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}`,
        });
      }
    } else issues.push({ path, message: `${path.length ? path.join(".") + ": " : ""}${i.message}` });
  }
}

function report(file: string, lines: string[]): string {
  return `workflow ${file} is not valid (${lines.length} ${lines.length === 1 ? "problem" : "problems"}):\n` +
    lines.join("\n");
}

type JobData = z.infer<typeof JobYaml>;

/** Checks across fields and jobs; `jobs` holds the jobs whose shape is valid, `names` every job's name. */
function checkJobs(jobs: Record<string, JobData>, names: string[], issues: Issue[]): void {
  const data = { jobs };
  if (names.length === 0) issues.push({ path: ["jobs"], message: "jobs: the workflow has no jobs" });
  for (const [name, job] of Object.entries(data.jobs)) {
    const here = ["jobs", name];
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
      issues.push({
        path: here,
        atKey: true,
        message: `job name "${name}" is not valid (letters, digits, '.', '_', '-'; at most 63)`,
      });
    }
    if (job.runtime !== undefined) {
      try {
        runtimeName(job.runtime);
      } catch (e) {
        issues.push({ path: [...here, "runtime"], message: `${name}: ${(e as Error).message}` });
      }
    }
    for (const field of ["environment", "secret_environment"] as const) {
      for (const env of Object.keys(job[field] ?? {})) {
        if (!ENV_NAME.test(env)) {
          issues.push({
            path: [...here, field, env],
            atKey: true,
            message: `${name}: ${field} name "${env}" is not valid (letters, digits and '_', not starting ` +
              `with a digit)`,
          });
        } else if (RESERVED_ENV.has(env) || env.startsWith("JOBLET_")) {
          issues.push({
            path: [...here, field, env],
            atKey: true,
            message: `${name}: ${field} name "${env}" is reserved: the agent sets it`,
          });
        }
      }
    }
    for (const env of Object.keys(job.secret_environment ?? {})) {
      if (job.environment && env in job.environment) {
        issues.push({
          path: [...here, "secret_environment", env],
          atKey: true,
          message: `${name}: "${env}" is in both environment and secret_environment`,
        });
      }
    }
    (job.uploads?.files ?? []).forEach((f, i) => {
      const base = f.replace(/\/+$/, "").split("/").pop() ?? "";
      try {
        if (f.startsWith("/") || f.split("/").includes("..")) {
          throw new Error(`upload "${f}" must be a path inside the workflow's folder`);
        }
        checkUploadPath(base);
      } catch (e) {
        issues.push({ path: [...here, "uploads", "files", i], message: `${name}: ${(e as Error).message}` });
      }
    });
    const volumeNames = (job.volumes ?? []).map((v) => v.replace(/:(ro|rw)$/, ""));
    (job.volumes ?? []).forEach((v, i) => {
      try {
        parseVolumeMount(v);
        if (volumeNames.indexOf(volumeNames[i]) !== i) {
          throw new Error(`volume "${volumeNames[i]}" is listed twice`);
        }
      } catch (e) {
        issues.push({ path: [...here, "volumes", i], message: `${name}: ${(e as Error).message}` });
      }
    });
    try {
      limitsOf(job);
    } catch (e) {
      issues.push({ path: [...here, "resources"], atKey: true, message: `${name}: ${(e as Error).message}` });
    }
    try {
      maxDiskOf(job);
    } catch (e) {
      issues.push({
        path: [...here, "resources", "max_disk"],
        message: `${name}: ${(e as Error).message}`,
      });
    }
    try {
      maxNetBwOf(job);
    } catch (e) {
      issues.push({
        path: [...here, "resources", "max_net_bw"],
        message: `${name}: ${(e as Error).message}`,
      });
    }
    try {
      retryOf(job);
    } catch (e) {
      issues.push({
        path: [...here, "retry_delay"],
        message: `${name}: retry_delay ${(e as Error).message}`,
      });
    }
    (job.requires ?? []).forEach((req, i) => {
      const entries = Object.entries(req);
      if (entries.length !== 1) {
        issues.push({
          path: [...here, "requires", i],
          message: `${name}: each requirement is one "job-name: STATUS" pair`,
        });
        return;
      }
      const [dep, status] = entries[0];
      if (!names.includes(dep)) {
        const hint = didYouMean(dep, names);
        issues.push({
          path: [...here, "requires", i, dep],
          atKey: true,
          message: `${name} requires "${dep}", which is not a job in this workflow` +
            (hint ? ` (did you mean "${hint}"?)` : ""),
        });
      } else if (dep === name) {
        issues.push({ path: [...here, "requires", i, dep], atKey: true, message: `${name} requires itself` });
      }
      if (!(FINAL_STATUSES as readonly string[]).includes(status.toUpperCase())) {
        issues.push({
          path: [...here, "requires", i, dep],
          message: `${name}: required status "${status}" is not a final job status (use ${
            FINAL_STATUSES.join(", ")
          })`,
        });
      }
    });
  }
  const cycle = findCycle(data);
  if (cycle) {
    issues.push({
      path: ["jobs", cycle[0], "requires"],
      atKey: true,
      message: `dependency cycle: ${cycle.join(" → ")}`,
    });
  }
}

/** Names the node does not have, each at its place in the file; jobs whose names are malformed are left out. */
function checkOnNode(
  jobs: Record<string, JobData>,
  node: NodeChecks,
  only: string | undefined,
  issues: Issue[],
): void {
  const check = (path: Path, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      issues.push({ path, message: `${path[1]}: ${(e as Error).message}` });
    }
  };
  for (const [name, job] of Object.entries(jobs)) {
    if (only && name !== only) continue;
    const here = ["jobs", name];
    if (job.runtime !== undefined && node.runtime && valid(() => runtimeName(job.runtime!))) {
      check([...here, "runtime"], () => node.runtime!(job.runtime!));
    }
    if (job.network !== undefined && node.network) {
      check([...here, "network"], () => node.network!(job.network!));
    }
    (job.volumes ?? []).forEach((v, i) => {
      if (!node.volume || !valid(() => parseVolumeMount(v))) return;
      check([...here, "volumes", i], () => node.volume!(parseVolumeMount(v)));
    });
  }
}

function valid(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

/** The first cycle of `requires` found, as [a, b, …, a], or undefined. */
export function findCycle(
  data: { jobs: Record<string, { requires?: Record<string, string>[] }> },
): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const req of data.jobs[name]?.requires ?? []) {
      for (const dep of Object.keys(req)) {
        if (dep === name || !(dep in data.jobs)) continue;
        const c = visit(dep);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of Object.keys(data.jobs)) {
    const c = visit(name);
    if (c) return c;
  }
  return undefined;
}

function limitsOf(job: JobData): Partial<JobLimits> {
  const r = job.resources ?? {};
  const out: Partial<JobLimits> = {};
  if (r.max_cpu !== undefined) out.cpuPercent = parseCpuPercent(r.max_cpu);
  if (r.cpu_cores !== undefined) out.cpuCores = parseCpuCores(r.cpu_cores);
  if (r.max_memory !== undefined) out.memoryBytes = parseMemory(r.max_memory);
  const io = r.max_iobps ?? r.max_io_bps;
  if (io !== undefined) out.ioBps = parseIoBps(io);
  if (r.max_pids !== undefined) out.pids = parsePids(r.max_pids);
  if (r.timeout !== undefined) out.timeoutMs = parseTimeout(r.timeout);
  for (const [k, v] of Object.entries(out)) {
    if (v === 0 || (Array.isArray(v) && v.length === 0)) delete out[k as keyof JobLimits];
  }
  return out;
}

function maxDiskOf(job: JobData): number | undefined {
  const v = job.resources?.max_disk;
  return v === undefined ? undefined : parseMaxDisk(v, "max_disk");
}

function maxNetBwOf(job: JobData): number | undefined {
  const v = job.resources?.max_net_bw;
  return v === undefined ? undefined : parseNetRate(v, "max_net_bw");
}

function retryOf(job: JobData): RetryPolicy {
  return {
    retries: job.retries ?? 0,
    delayMs: job.retry_delay === undefined ? 1000 : parseDuration(job.retry_delay),
    noRetryOn: job.no_retry_on ?? [],
  };
}

function buildJob(name: string, j: JobData): WorkflowJobDef {
  return {
    name,
    spec: {
      name,
      command: j.command,
      args: j.args ?? [],
      env: j.environment ?? {},
      secretEnv: j.secret_environment ?? {},
      limits: limitsOf(j),
      retry: retryOf(j),
      ...(j.volumes?.length ? { volumes: j.volumes.map(parseVolumeMount) } : {}),
      ...(j.network ? { network: j.network } : {}),
      ...(j.runtime ? { runtime: j.runtime } : {}),
      ...(j.resources?.max_disk !== undefined ? { maxDiskBytes: maxDiskOf(j) } : {}),
      ...(j.resources?.max_net_bw !== undefined ? { maxNetBwBytes: maxNetBwOf(j) } : {}),
    },
    requires: (j.requires ?? []).map((r) => {
      const [job, status] = Object.entries(r)[0];
      return { job, status: status.toUpperCase() as Requirement["status"] };
    }),
    uploads: j.uploads?.files ?? [],
  };
}

function allowedKeys(path: Path): string[] {
  if (path.length === 0) return Object.keys(WorkflowYaml.shape);
  if (path.length === 2 && path[0] === "jobs") return Object.keys(JobYaml.shape);
  if (path[path.length - 1] === "resources") return Object.keys(ResourcesYaml.shape);
  if (path[path.length - 1] === "uploads") return ["files"];
  return [];
}

/** The closest allowed word, within an edit distance of a third of its length (at least 1). */
export function didYouMean(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of choices) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD < word.length && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** Where `path` starts in the source: the key's offset with `atKey`, else the value's; else the nearest parent. */
function offsetOf(root: Node | null, path: Path, atKey = false): number {
  let node: unknown = root;
  let best = 0;
  if (root && (root as Node).range) best = (root as Node).range![0];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return best;
      const key = pair.key as Node;
      if (last && atKey && key.range) return key.range[0];
      const value = pair.value as Node | null;
      best = value?.range?.[0] ?? key.range?.[0] ?? best;
      node = value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item) return best;
      best = item.range?.[0] ?? best;
      node = item;
    } else return best;
  }
  return best;
}

function baseName(file: string): string {
  return (file.split("/").pop() ?? file).replace(/\.ya?ml$/i, "");
}
