/** Inline messages: an error (role="alert") and a loading line. */
export function ErrorNote({ error }: { error: string }) {
  return error ? <p role="alert" className="error">{error}</p> : null;
}

export function Loading({ what }: { what: string }) {
  return <p className="muted" aria-busy="true">Loading {what}…</p>;
}
