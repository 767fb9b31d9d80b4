/**
 * The jobs list's query: status filter, text, sort and page → the API's query string, and the small rules of
 * the table (clicking a sorted column flips it; which page numbers exist). Pure.
 */
export type SortKey = "created" | "name" | "status" | "duration";

export interface JobsQuery {
  statuses: string[];
  q: string;
  /** Sort key, "-" first for descending. */
  sort: string;
  limit: number;
  offset: number;
}

export const DEFAULT_QUERY: JobsQuery = { statuses: [], q: "", sort: "-created", limit: 50, offset: 0 };

/** States a user may filter by, in the order the filter shows them. */
export const FILTER_STATES = [
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "STOPPED",
  "TIMEOUT",
  "SCHEDULED",
  "PENDING",
  "CANCELED",
  "INITIALIZING",
] as const;

/** `status=RUNNING,FAILED&q=…&limit=…&offset=…&sort=…` (+ `node=all` for the all-nodes list). */
export function jobsSearch(query: JobsQuery, allNodes = false): string {
  const p = new URLSearchParams();
  if (allNodes) p.set("node", "all");
  if (query.statuses.length) p.set("status", query.statuses.join(","));
  if (query.q.trim()) p.set("q", query.q.trim());
  p.set("limit", String(query.limit));
  p.set("offset", String(query.offset));
  p.set("sort", query.sort);
  return p.toString();
}

/** Clicking a column: the same key flips its direction, a new key starts ascending (created: newest first). */
export function toggleSort(current: string, key: SortKey): string {
  const desc = current.startsWith("-");
  const cur = desc ? current.slice(1) : current;
  if (cur === key) return desc ? key : `-${key}`;
  return key === "created" ? "-created" : key;
}

/** aria-sort for a column header. */
export function ariaSort(current: string, key: SortKey): "ascending" | "descending" | "none" {
  const desc = current.startsWith("-");
  if ((desc ? current.slice(1) : current) !== key) return "none";
  return desc ? "descending" : "ascending";
}

/** 1-based current page and page count for `total` rows. */
export function pageInfo(query: JobsQuery, total: number): { page: number; pages: number } {
  return {
    page: Math.floor(query.offset / query.limit) + 1,
    pages: Math.max(1, Math.ceil(total / query.limit)),
  };
}
