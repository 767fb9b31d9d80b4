/**
 * The jobs table used by the Jobs page and the dashboard: a real <table>; each row's name is a link to the job
 * (so Tab walks the rows and Enter opens one). With `sort`, the column headers are buttons that sort.
 */
import { Link } from "../components/Link.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { ariaSort, type SortKey } from "../lib/jobs_query.ts";
import { humanDuration, localTime, shortId } from "../lib/format.ts";
import { hrefFor } from "../lib/route.ts";
import type { Job } from "../types.ts";

export function JobsTable(
  { jobs, caption, sort, onSort }: {
    jobs: Job[];
    caption: string;
    sort?: string;
    onSort?: (key: SortKey) => void;
  },
) {
  const head = (label: string, key?: SortKey) => {
    if (!key || !onSort || sort === undefined) return <th scope="col">{label}</th>;
    return (
      <th scope="col" aria-sort={ariaSort(sort, key)}>
        <button type="button" className="sort" onClick={() => onSort(key)}>
          {label}
          <span aria-hidden="true">
            {ariaSort(sort, key) === "ascending" ? " ▲" : ariaSort(sort, key) === "descending" ? " ▼" : ""}
          </span>
        </button>
      </th>
    );
  };
  return (
    <table className="table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {head("State", "status")}
          {head("Name", "name")}
          {head("ID")}
          {head("Node")}
          {head("Started", "created")}
          {head("Duration", "duration")}
          {head("Exit")}
        </tr>
      </thead>
      <tbody>
        {jobs.length === 0
          ? (
            <tr>
              <td colSpan={7} className="muted">No jobs.</td>
            </tr>
          )
          : null}
        {jobs.map((j) => (
          <tr key={`${j.node}/${j.id}`} className={`row state-${j.status}`}>
            <td>
              <StateBadge status={j.status} />
            </td>
            <td>
              <Link href={hrefFor({ page: "job", node: j.node, id: j.id })}>{j.name || shortId(j.id)}</Link>
            </td>
            <td className="mono">{shortId(j.id)}</td>
            <td>{j.node}</td>
            <td>{localTime(j.start_time ?? j.scheduled_time ?? j.created_time)}</td>
            <td>{humanDuration(j.duration_ms)}</td>
            <td>{j.exit_code ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
