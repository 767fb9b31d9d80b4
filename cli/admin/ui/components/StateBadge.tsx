/** A job's or workflow's state as a coloured badge whose text is the state itself. */
export function StateBadge({ status }: { status: string }) {
  return <span className={`badge state-${status}`}>{status}</span>;
}
