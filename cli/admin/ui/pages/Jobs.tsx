/** Jobs: the filterable, sortable, paginated list of one node's jobs or of all nodes', polled. */
import { useState } from "react";
import { nodePath } from "../api.ts";
import { ErrorNote, Loading } from "../components/Notice.tsx";
import { useGet } from "../hooks.ts";
import {
  DEFAULT_QUERY,
  FILTER_STATES,
  type JobsQuery,
  jobsSearch,
  pageInfo,
  toggleSort,
} from "../lib/jobs_query.ts";
import { ALL_NODES, useCanMutate, useNode, useSession } from "../session.ts";
import type { Job } from "../types.ts";
import { JobsTable } from "./JobsTable.tsx";
import { RunJobDialog } from "./RunJobDialog.tsx";

interface JobsAnswer {
  jobs: Job[];
  total?: number;
  errors?: { node: string; message: string }[];
}

export function Jobs() {
  const { selected } = useSession();
  const node = useNode();
  const all = selected === ALL_NODES;
  const canMutate = useCanMutate();
  const [query, setQuery] = useState<JobsQuery>(DEFAULT_QUERY);
  const [running, setRunning] = useState(false);
  const path = all
    ? `/api/jobs?${jobsSearch(query, true)}`
    : `${nodePath(node.name, "jobs")}?${jobsSearch(query)}`;
  const { data, error } = useGet<JobsAnswer>(path, 2000);
  const total = data?.total ?? data?.jobs.length ?? 0;
  const { page, pages } = pageInfo(query, total);
  const update = (q: Partial<JobsQuery>) => setQuery((old) => ({ ...old, offset: 0, ...q }));

  return (
    <>
      <header className="page-head">
        <h1>Jobs</h1>
        <span className="muted">{all ? "All nodes" : `Node ${node.name}`}</span>
        <span className="spacer" />
        {canMutate
          ? <button type="button" className="primary" onClick={() => setRunning(true)}>Run job</button>
          : null}
      </header>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Filter jobs{" "}
          <input
            type="search"
            value={query.q}
            onChange={(e) => update({ q: e.target.value })}
            placeholder="name, id or command"
          />
        </label>
        <fieldset className="states">
          <legend>States</legend>
          {FILTER_STATES.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                checked={query.statuses.includes(s)}
                onChange={(e) =>
                  update({
                    statuses: e.target.checked
                      ? [...query.statuses, s]
                      : query.statuses.filter((x) => x !== s),
                  })}
              />{" "}
              {s}
            </label>
          ))}
        </fieldset>
      </form>
      <ErrorNote error={error} />
      {(data?.errors ?? []).map((e) => (
        <p key={e.node} role="alert" className="error">Node {e.node}: {e.message}</p>
      ))}
      {data
        ? (
          <JobsTable
            jobs={data.jobs}
            caption="Jobs"
            sort={query.sort}
            onSort={(k) => update({ sort: toggleSort(query.sort, k) })}
          />
        )
        : <Loading what="jobs" />}
      <nav className="pager" aria-label="Pages">
        <button
          type="button"
          disabled={page <= 1}
          onClick={() => setQuery((q) => ({ ...q, offset: Math.max(0, q.offset - q.limit) }))}
        >
          Previous page
        </button>
        <span>
          Page {page} of {pages} · {total} jobs
        </span>
        <button
          type="button"
          disabled={page >= pages}
          onClick={() => setQuery((q) => ({ ...q, offset: q.offset + q.limit }))}
        >
          Next page
        </button>
        <label>
          Rows per page{" "}
          <select value={query.limit} onChange={(e) => update({ limit: Number(e.target.value) })}>
            {[25, 50, 100, 200].map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
      </nav>
      {running ? <RunJobDialog node={node.name} onClose={() => setRunning(false)} /> : null}
    </>
  );
}
