/**
 * The job list's query string — `status=RUNNING,FAILED&q=text&limit=100&offset=0&sort=-created` — checked with
 * zod, and applied to the jobs the agent returned: filter by text, sort, page. The agent filters by state.
 */
import { z } from "zod";
import { JOB_STATUSES, type JobStatus } from "../../../agent/domain/job.ts";
import type { JobJson } from "../../output/json.ts";

export const SORT_KEYS = ["created", "name", "status", "duration"] as const;
export type SortKey = typeof SORT_KEYS[number];

export const MAX_LIMIT = 1000;

const StatusList = z.string().transform((s, ctx) => {
  const out: JobStatus[] = [];
  for (const part of s.split(",").map((p) => p.trim().toUpperCase()).filter((p) => p !== "")) {
    if (!(JOB_STATUSES as readonly string[]).includes(part)) {
      ctx.addIssue({
        code: "custom",
        message: `"${part}" is not a job state (use ${JOB_STATUSES.join(", ")})`,
      });
      return z.NEVER;
    }
    out.push(part as JobStatus);
  }
  return out;
});

const whole = (name: string, max: number) =>
  z.string().regex(/^\d{1,9}$/, `${name} must be a whole number`).transform(Number).refine(
    (n) => n <= max,
    `${name} must be at most ${max}`,
  );

export const JobQuerySchema = z.strictObject({
  status: StatusList.optional(),
  q: z.string().max(200).optional(),
  limit: whole("limit", MAX_LIMIT).optional(),
  offset: whole("offset", 1_000_000_000).optional(),
  sort: z.string().regex(
    /^-?(created|name|status|duration)$/,
    `sort must be one of ${SORT_KEYS.join(", ")}, optionally with a leading "-" for descending`,
  ).optional(),
  node: z.string().optional(),
});

export interface JobQuery {
  statuses: JobStatus[];
  q: string;
  limit: number;
  offset: number;
  sort: SortKey;
  descending: boolean;
}

/** Parses a query string's values; throws a ZodError naming the parameter. */
export function parseJobQuery(params: Record<string, string>): JobQuery {
  const p = JobQuerySchema.parse(params);
  const sort = p.sort ?? "-created";
  return {
    statuses: p.status ?? [],
    q: (p.q ?? "").trim().toLowerCase(),
    limit: p.limit ?? 100,
    offset: p.offset ?? 0,
    sort: sort.replace(/^-/, "") as SortKey,
    descending: sort.startsWith("-"),
  };
}

type Listed = Pick<JobJson, "id" | "name" | "command" | "args" | "status" | "created_time" | "duration_ms">;

function matches(job: Listed & { node?: string }, q: string): boolean {
  if (q === "") return true;
  const hay = [job.id, job.name, job.command, ...job.args, job.node ?? ""].join(" ").toLowerCase();
  return hay.includes(q);
}

function compare(a: Listed, b: Listed, key: SortKey): number {
  switch (key) {
    case "created":
      return (a.created_time ?? "").localeCompare(b.created_time ?? "");
    case "name":
      return (a.name || a.command).localeCompare(b.name || b.command);
    case "status":
      return a.status.localeCompare(b.status);
    case "duration":
      return (a.duration_ms ?? -1) - (b.duration_ms ?? -1);
  }
}

/** Filters by text, sorts (ties: newest first, then id) and takes one page; `total` counts every match. */
export function applyJobQuery<T extends Listed>(jobs: T[], query: JobQuery): { jobs: T[]; total: number } {
  const found = jobs.filter((j) => matches(j, query.q));
  const sign = query.descending ? -1 : 1;
  found.sort((a, b) =>
    sign * compare(a, b, query.sort) || -compare(a, b, "created") || a.id.localeCompare(b.id)
  );
  return { jobs: found.slice(query.offset, query.offset + query.limit), total: found.length };
}
