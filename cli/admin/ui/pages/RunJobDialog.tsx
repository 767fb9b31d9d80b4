/**
 * The run-job form, in a dialog: command and arguments, uploads (files, and folders through webkitdirectory,
 * landing in /work under their relative paths), limits, env and secret env, schedule, and runtime / network /
 * volume pickers fed from the node. Sends `POST jobs` as multipart and opens the new job.
 */
import { type FormEvent, useState } from "react";
import { ApiError, errorText, nodePath, post } from "../api.ts";
import { Dialog } from "../components/Dialog.tsx";
import { ErrorNote } from "../components/Notice.tsx";
import { navigate, useGet } from "../hooks.ts";
import { hrefFor } from "../lib/route.ts";
import { EMPTY_FORM, type RunForm, toSpec, uploadPath } from "../lib/run_spec.ts";
import { humanBytes } from "../lib/format.ts";
import type { Job, Network, Runtime, Volume } from "../types.ts";

const LIMITS: { key: keyof RunForm; label: string; hint: string }[] = [
  { key: "maxCpu", label: "Max CPU (%)", hint: "e.g. 50, or 200 for two cores" },
  { key: "cpuCores", label: "CPU cores", hint: "e.g. 0-3 or 0,2" },
  { key: "maxMemory", label: "Max memory", hint: "e.g. 512MB" },
  { key: "maxIobps", label: "Max I/O rate", hint: "e.g. 10MB" },
  { key: "maxPids", label: "Max processes", hint: "e.g. 100" },
  { key: "timeout", label: "Timeout", hint: "e.g. 30s, 10m" },
  { key: "maxDisk", label: "Max disk", hint: "size of /work, e.g. 1GB" },
  { key: "maxNetBw", label: "Max network rate", hint: "e.g. 10mbit" },
];

export function RunJobDialog({ node, onClose }: { node: string; onClose: () => void }) {
  const [form, setForm] = useState<RunForm>(EMPTY_FORM);
  const [files, setFiles] = useState<File[]>([]);
  const [folder, setFolder] = useState<File[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const runtimes = useGet<{ runtimes: Runtime[] }>(nodePath(node, "runtimes"));
  const networks = useGet<{ networks: Network[] }>(nodePath(node, "networks"));
  const volumes = useGet<{ volumes: Volume[] }>(nodePath(node, "volumes"));
  const set = (key: keyof RunForm) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));

  const toggleVolume = (name: string, mode: "off" | "rw" | "ro") =>
    setForm((f) => {
      const rest = f.volumes.filter((v) => v.replace(/:ro$/, "") !== name);
      return { ...f, volumes: mode === "off" ? rest : [...rest, mode === "ro" ? `${name}:ro` : name] };
    });
  const volumeMode = (name: string) =>
    form.volumes.includes(name) ? "rw" : form.volumes.includes(`${name}:ro`) ? "ro" : "off";

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError("");
    let spec: Record<string, unknown>;
    try {
      spec = toSpec(form);
    } catch (err) {
      setError(errorText(err));
      return;
    }
    const body = new FormData();
    body.append("spec", JSON.stringify(spec));
    for (const f of [...files, ...folder]) body.append("file", f, uploadPath(f));
    setBusy(true);
    try {
      const job = await post<Job>(nodePath(node, "jobs"), body);
      onClose();
      navigate(hrefFor({ page: "job", node: job.node || node, id: job.id }));
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message}` : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const uploadBytes = [...files, ...folder].reduce((n, f) => n + f.size, 0);
  return (
    <Dialog title="Run job" onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <p className="muted">On node {node}.</p>
        <div className="grid2">
          <label>
            Command
            <input value={form.command} onChange={set("command")} required autoFocus placeholder="python3" />
          </label>
          <label>
            Arguments
            <input value={form.args} onChange={set("args")} placeholder="train.py --epochs 3" />
          </label>
          <label>
            Job name
            <input value={form.name} onChange={set("name")} placeholder="optional" />
          </label>
          <label>
            Schedule
            <input
              value={form.schedule}
              onChange={set("schedule")}
              placeholder="e.g. 5m, 2025-01-02T03:00, cron:*/5 * * * *"
            />
          </label>
        </div>
        <fieldset>
          <legend>Uploads (into /work)</legend>
          <div className="grid2">
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
          {files.length + folder.length
            ? <p className="muted">{files.length + folder.length} files, {humanBytes(uploadBytes)}</p>
            : null}
        </fieldset>
        <fieldset>
          <legend>Limits</legend>
          <div className="grid4">
            {LIMITS.map((l) => (
              <label key={l.key}>
                {l.label}
                <input value={form[l.key] as string} onChange={set(l.key)} placeholder={l.hint} />
              </label>
            ))}
          </div>
        </fieldset>
        <div className="grid2">
          <label>
            Environment (NAME=VALUE per line)
            <textarea rows={3} value={form.env} onChange={set("env")} />
          </label>
          <label>
            Secret environment (NAME=VALUE per line, never shown again)
            <textarea rows={3} value={form.secretEnv} onChange={set("secretEnv")} />
          </label>
        </div>
        <div className="grid2">
          <label>
            Runtime
            <select value={form.runtime} onChange={set("runtime")}>
              <option value="">None (host /usr)</option>
              {(runtimes.data?.runtimes ?? []).filter((r) => r.installed).map((r) => (
                <option key={r.name} value={r.name}>{r.name}</option>
              ))}
            </select>
          </label>
          <label>
            Network
            <select value={form.network} onChange={set("network")}>
              <option value="">Agent default</option>
              {(networks.data?.networks ?? []).map((n) => (
                <option key={n.name} value={n.name}>{n.name}</option>
              ))}
            </select>
          </label>
        </div>
        {(volumes.data?.volumes ?? []).length
          ? (
            <fieldset>
              <legend>Volumes (mounted at /volumes/NAME)</legend>
              {volumes.data!.volumes.map((v) => (
                <label key={v.name} className="inline">
                  {`Volume ${v.name}`}
                  <select
                    value={volumeMode(v.name)}
                    onChange={(e) => toggleVolume(v.name, e.target.value as "off" | "rw" | "ro")}
                  >
                    <option value="off">not mounted</option>
                    <option value="rw">read-write</option>
                    <option value="ro">read-only</option>
                  </select>
                </label>
              ))}
            </fieldset>
          )
          : null}
        <ErrorNote error={error || runtimes.error || networks.error || volumes.error} />
        <div className="actions">
          <button type="button" onClick={onClose}>Back</button>
          <button type="submit" className="primary" disabled={busy}>Run job</button>
        </div>
      </form>
    </Dialog>
  );
}
