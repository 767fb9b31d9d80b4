/**
 * Run a workflow from a YAML file: pick (or paste) the YAML, add the files it uploads (a folder keeps the paths
 * relative to the YAML's folder), submit. Validation issues are shown inline under the YAML lines they name.
 */
import { type FormEvent, useState } from "react";
import { ApiError, errorText, nodePath, post } from "../api.ts";
import { Dialog } from "../components/Dialog.tsx";
import { ErrorNote } from "../components/Notice.tsx";
import { YamlView } from "../components/YamlView.tsx";
import { navigate } from "../hooks.ts";
import { hrefFor } from "../lib/route.ts";
import { type Issue, issueFromText } from "../lib/yaml_issues.ts";
import type { Workflow } from "../types.ts";

/** A folder's files as paths inside the folder (the picked folder's own name dropped). */
function insideFolder(f: File): string {
  const rel = f.webkitRelativePath || f.name;
  const slash = rel.indexOf("/");
  return slash > 0 ? rel.slice(slash + 1) : rel;
}

export function RunWorkflowDialog({ node, onClose }: { node: string; onClose: () => void }) {
  const [yaml, setYaml] = useState("");
  const [fileName, setFileName] = useState("workflow.yaml");
  const [files, setFiles] = useState<File[]>([]);
  const [folder, setFolder] = useState<File[]>([]);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const pick = async (f: File | undefined) => {
    if (!f) return;
    setFileName(f.name);
    setYaml(await f.text());
    setIssues([]);
    setError("");
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError("");
    setIssues([]);
    if (!yaml.trim()) {
      setError("Workflow YAML: choose a .yaml file or paste its text");
      return;
    }
    const body = new FormData();
    // As a file, so the agent's messages name it as the user knows it.
    body.append("yaml", new File([yaml], fileName, { type: "application/yaml" }));
    for (const f of files) body.append("file", f, f.name);
    for (const f of folder) body.append("file", f, insideFolder(f));
    setBusy(true);
    try {
      const w = await post<Workflow>(nodePath(node, "workflows"), body);
      onClose();
      navigate(hrefFor({ page: "workflow", node: w.node || node, id: w.id }));
    } catch (err) {
      if (err instanceof ApiError && (err.issues.length || err.status === 400)) {
        const found = err.issues.length
          ? err.issues
          : err.message.split("\n").filter(Boolean).map(issueFromText);
        setIssues(found);
        setError(
          found.length > 1 ? `The workflow has ${found.length} problems, shown at their lines.` : err.message,
        );
      } else {
        setError(errorText(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Run workflow" onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <p className="muted">On node {node}.</p>
        <div className="grid2">
          <label>
            Workflow YAML file
            <input type="file" accept=".yaml,.yml" onChange={(e) => pick(e.target.files?.[0])} autoFocus />
          </label>
          <label>
            Files
            <input type="file" multiple onChange={(e) => setFiles([...(e.target.files ?? [])])} />
          </label>
          <label>
            Folder
            <input
              type="file"
              multiple
              {...{ webkitdirectory: "", directory: "" }}
              onChange={(e) => setFolder([...(e.target.files ?? [])])}
            />
          </label>
        </div>
        <label>
          Text of the workflow
          <textarea
            rows={10}
            className="mono"
            value={yaml}
            onChange={(e) => {
              setYaml(e.target.value);
              setIssues([]);
            }}
            spellCheck={false}
          />
        </label>
        <ErrorNote error={error} />
        {issues.length ? <YamlView yaml={yaml} issues={issues} label="Validation issues" /> : null}
        <div className="actions">
          <button type="button" onClick={onClose}>Back</button>
          <button type="submit" className="primary" disabled={busy}>Run workflow</button>
        </div>
      </form>
    </Dialog>
  );
}
