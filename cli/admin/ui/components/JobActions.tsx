/**
 * Stop (running), Cancel (waiting) and Delete (finished) for one job, each behind a confirm dialog. Hidden for a
 * readonly role; the agent enforces roles anyway.
 */
import { useState } from "react";
import { del, errorText, nodePath, post } from "../api.ts";
import { useCanMutate } from "../session.ts";
import type { Job } from "../types.ts";
import { ConfirmDialog } from "./Dialog.tsx";

type Action = "Stop" | "Cancel" | "Delete";

const FINISHED = new Set(["COMPLETED", "FAILED", "STOPPED", "TIMEOUT", "CANCELED"]);
const WAITING = new Set(["SCHEDULED", "PENDING"]);

export function actionsFor(status: string): Action[] {
  if (FINISHED.has(status)) return ["Delete"];
  if (WAITING.has(status)) return ["Cancel", "Stop"];
  return ["Stop"];
}

const WORDS: Record<Action, string> = {
  Stop: "Stop the job? Its processes get SIGTERM, then SIGKILL.",
  Cancel: "Cancel the job before it runs?",
  Delete: "Delete the job's record, logs and /work? This cannot be undone.",
};

export function JobActions({ job, onDone }: { job: Job; onDone: (action: Action) => void }) {
  const canMutate = useCanMutate(job.node);
  const [open, setOpen] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  if (!canMutate) return null;
  const run = async (a: Action) => {
    setBusy(true);
    setError("");
    try {
      const base = nodePath(job.node, `jobs/${encodeURIComponent(job.id)}`);
      if (a === "Delete") await del(base);
      else await post(`${base}/${a.toLowerCase()}`);
      setOpen(null);
      onDone(a);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="actions">
      {actionsFor(job.status).map((a) => (
        <button
          key={a}
          type="button"
          className={a === "Delete" ? "danger" : ""}
          onClick={() => setOpen(a)}
        >
          {a}
        </button>
      ))}
      {open
        ? (
          <ConfirmDialog
            title={`${open} job ${job.name || job.id.slice(0, 8)}`}
            message={WORDS[open]}
            busy={busy}
            error={error}
            onConfirm={() => run(open)}
            onClose={() => {
              setOpen(null);
              setError("");
            }}
          />
        )
        : null}
    </div>
  );
}
