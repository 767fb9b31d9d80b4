/**
 * Resources: the node's networks, volumes and runtimes — list, create, remove (behind a confirm dialog), and
 * runtime installs with their progress streamed from the agent.
 */
import { type FormEvent, type ReactNode, useState } from "react";
import { del, errorText, nodePath, post, postStream } from "../api.ts";
import { ConfirmDialog } from "../components/Dialog.tsx";
import { ErrorNote, Loading } from "../components/Notice.tsx";
import { useGet } from "../hooks.ts";
import { humanBytes, localTime } from "../lib/format.ts";
import { useCanMutate, useNode } from "../session.ts";
import type { InstallProgress, Network, Runtime, Volume } from "../types.ts";

export function Resources() {
  const node = useNode();
  return (
    <>
      <header className="page-head">
        <h1>Resources</h1>
        <span className="muted">Node {node.name}</span>
      </header>
      <Networks key={`n-${node.name}`} node={node.name} />
      <Volumes key={`v-${node.name}`} node={node.name} />
      <Runtimes key={`r-${node.name}`} node={node.name} />
    </>
  );
}

/** A "Remove" button with its confirm dialog; `onRemoved` after the DELETE succeeded. */
function RemoveButton({ what, path, onRemoved }: { what: string; path: string; onRemoved: () => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)}>Remove</button>
      {open
        ? (
          <ConfirmDialog
            title={`Remove ${what}`}
            message={`Remove ${what}? This cannot be undone.`}
            busy={busy}
            error={error}
            onClose={() => {
              setOpen(false);
              setError("");
            }}
            onConfirm={async () => {
              setBusy(true);
              try {
                await del(path);
                setOpen(false);
                onRemoved();
              } catch (e) {
                setError(errorText(e));
              } finally {
                setBusy(false);
              }
            }}
          />
        )
        : null}
    </>
  );
}

/** A small create form: its fields, a submit button named by the action, and the agent's error if any. */
function CreateForm(
  { action, onSubmit, children }: { action: string; onSubmit: () => Promise<void>; children: ReactNode },
) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await onSubmit();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={action}>
      {children}
      <button type="submit" className="primary" disabled={busy}>{action}</button>
      <ErrorNote error={error} />
    </form>
  );
}

function Networks({ node }: { node: string }) {
  const canMutate = useCanMutate();
  const { data, error, reload } = useGet<{ networks: Network[] }>(nodePath(node, "networks"), 5000);
  const [name, setName] = useState("");
  const [cidr, setCidr] = useState("");
  return (
    <section aria-labelledby="networks-h">
      <h2 id="networks-h">Networks</h2>
      <ErrorNote error={error} />
      {data
        ? (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">CIDR</th>
                <th scope="col">Bridge</th>
                <th scope="col">Jobs</th>
                {canMutate ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.networks.map((n) => (
                <tr key={n.name}>
                  <td>{n.name}{n.builtin ? <span className="muted">(built in)</span> : null}</td>
                  <td className="mono">{n.cidr ?? "-"}</td>
                  <td className="mono">{n.bridge ?? "-"}</td>
                  <td>{n.jobs.length}</td>
                  {canMutate
                    ? (
                      <td>
                        {n.builtin ? null : (
                          <RemoveButton
                            what={`network ${n.name}`}
                            path={nodePath(node, `networks/${encodeURIComponent(n.name)}`)}
                            onRemoved={reload}
                          />
                        )}
                      </td>
                    )
                    : null}
                </tr>
              ))}
            </tbody>
          </table>
        )
        : error
        ? null
        : <Loading what="networks" />}
      {canMutate
        ? (
          <CreateForm
            action="Create network"
            onSubmit={async () => {
              await post(nodePath(node, "networks"), { name: name.trim(), cidr: cidr.trim() });
              setName("");
              setCidr("");
              reload();
            }}
          >
            <label>
              Network name <input value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <label>
              CIDR{" "}
              <input
                value={cidr}
                onChange={(e) => setCidr(e.target.value)}
                required
                placeholder="10.10.0.0/24"
              />
            </label>
          </CreateForm>
        )
        : null}
    </section>
  );
}

function Volumes({ node }: { node: string }) {
  const canMutate = useCanMutate();
  const { data, error, reload } = useGet<{ volumes: Volume[] }>(nodePath(node, "volumes"), 5000);
  const [name, setName] = useState("");
  const [size, setSize] = useState("");
  const [type, setType] = useState("filesystem");
  return (
    <section aria-labelledby="volumes-h">
      <h2 id="volumes-h">Volumes</h2>
      <ErrorNote error={error} />
      {data
        ? (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Size</th>
                <th scope="col">Used</th>
                <th scope="col">Jobs</th>
                <th scope="col">Created</th>
                {canMutate ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.volumes.length === 0
                ? (
                  <tr>
                    <td colSpan={7} className="muted">No volumes.</td>
                  </tr>
                )
                : null}
              {data.volumes.map((v) => (
                <tr key={v.name}>
                  <td>{v.name}</td>
                  <td>{v.type}{v.persistent ? "" : " (lost on reboot)"}</td>
                  <td>{humanBytes(v.size_bytes)}</td>
                  <td>
                    {v.error ? <span className="error-text">{v.error}</span> : humanBytes(v.used_bytes)}
                  </td>
                  <td>{v.jobs.length}</td>
                  <td>{localTime(v.created)}</td>
                  {canMutate
                    ? (
                      <td>
                        <RemoveButton
                          what={`volume ${v.name}`}
                          path={nodePath(node, `volumes/${encodeURIComponent(v.name)}`)}
                          onRemoved={reload}
                        />
                      </td>
                    )
                    : null}
                </tr>
              ))}
            </tbody>
          </table>
        )
        : error
        ? null
        : <Loading what="volumes" />}
      {canMutate
        ? (
          <CreateForm
            action="Create volume"
            onSubmit={async () => {
              await post(nodePath(node, "volumes"), { name: name.trim(), size: size.trim(), type });
              setName("");
              setSize("");
              reload();
            }}
          >
            <label>
              Volume name <input value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <label>
              Size <input value={size} onChange={(e) => setSize(e.target.value)} required placeholder="1GB" />
            </label>
            <label>
              Type{" "}
              <select value={type} onChange={(e) => setType(e.target.value)}>
                <option value="filesystem">filesystem (ext4 image)</option>
                <option value="memory">memory (tmpfs, lost on reboot)</option>
              </select>
            </label>
          </CreateForm>
        )
        : null}
    </section>
  );
}

interface InstallState {
  name: string;
  lines: string[];
  progress: InstallProgress | null;
  error: string;
  done: boolean;
}

function Runtimes({ node }: { node: string }) {
  const canMutate = useCanMutate();
  const { data, error, reload } = useGet<{ runtimes: Runtime[] }>(nodePath(node, "runtimes"), 10000);
  const [install, setInstall] = useState<InstallState | null>(null);
  const start = async (name: string) => {
    const st: InstallState = { name, lines: [], progress: null, error: "", done: false };
    setInstall(st);
    const update = (f: (s: InstallState) => InstallState) => setInstall((s) => (s ? f(s) : s));
    try {
      await postStream(nodePath(node, `runtimes/${encodeURIComponent(name)}/install`), {
        progress: (d) => {
          const p = d as InstallProgress;
          update((s) => ({ ...s, progress: p, lines: [...s.lines.slice(-199), `${p.phase}: ${p.message}`] }));
        },
        done: () => update((s) => ({ ...s, done: true })),
        error: (d) => {
          const e = (d as { error?: unknown }).error;
          const text = typeof e === "string" ? e : (e as { message?: string } | undefined)?.message;
          update((s) => ({ ...s, error: text ?? JSON.stringify(d) }));
        },
      });
      update((s) => ({ ...s, done: true }));
    } catch (e) {
      update((s) => ({ ...s, error: errorText(e), done: true }));
    }
    reload();
  };
  const busy = install !== null && !install.done;
  return (
    <section aria-labelledby="runtimes-h">
      <h2 id="runtimes-h">Runtimes</h2>
      <ErrorNote error={error} />
      {data
        ? (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Language</th>
                <th scope="col">Installed</th>
                <th scope="col">Size</th>
                <th scope="col">Jobs</th>
                {canMutate ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.runtimes.map((r) => (
                <tr key={r.name}>
                  <td title={r.description}>{r.name}</td>
                  <td>{r.version}</td>
                  <td>{r.language}</td>
                  <td>{r.installed ? localTime(r.installed_at) : "no"}</td>
                  <td>{r.installed ? humanBytes(r.size_bytes) : "-"}</td>
                  <td>{r.jobs.length}</td>
                  {canMutate
                    ? (
                      <td>
                        {r.installed
                          ? (
                            <RemoveButton
                              what={`runtime ${r.name}`}
                              path={nodePath(node, `runtimes/${encodeURIComponent(r.name)}`)}
                              onRemoved={reload}
                            />
                          )
                          : (
                            <button type="button" disabled={busy} onClick={() => start(r.name)}>
                              Install
                            </button>
                          )}
                      </td>
                    )
                    : null}
                </tr>
              ))}
            </tbody>
          </table>
        )
        : error
        ? null
        : <Loading what="runtimes" />}
      {install ? <InstallPanel st={install} /> : null}
    </section>
  );
}

function InstallPanel({ st }: { st: InstallState }) {
  const p = st.progress;
  const totalBytes = p?.total_bytes ?? p?.totalBytes ?? 0;
  const frac = p?.total ? (p.done ?? 0) / p.total : totalBytes ? (p?.bytes ?? 0) / totalBytes : undefined;
  return (
    <div className="card install" role="status" aria-label={`Installing ${st.name}`}>
      <h3>
        {st.error
          ? `Install of ${st.name} failed`
          : st.done
          ? `Installed ${st.name}`
          : `Installing ${st.name}…`}
      </h3>
      {!st.done
        ? (
          <progress
            aria-label="Install progress"
            max={1}
            {...(frac === undefined ? {} : { value: Math.min(1, frac) })}
          />
        )
        : null}
      {p ? <p>{p.phase}{p.total ? ` ${p.done}/${p.total}` : ""}: {p.message}</p> : null}
      <ErrorNote error={st.error} />
      <details>
        <summary>Install log ({st.lines.length} lines)</summary>
        <pre className="mono small">{st.lines.join("\n")}</pre>
      </details>
    </div>
  );
}
