/**
 * Resolves the configured host paths for the job root (`/usr`, `/lib*`, …) into what is really there:
 * directories and files are bound read-only, symlinks are recreated (on Debian 12 `/bin` → `usr/bin`),
 * missing paths are left out. A `*` is allowed at the end of the last component only.
 */
import { invalidArgument } from "../../domain/errors.ts";

export interface HostPath {
  path: string;
  kind: "dir" | "file" | "symlink";
  /** For symlinks: the link text, verbatim. */
  linkTarget?: string;
  /** Host path bound at `path` when it is not `path` itself (a runtime's root: `<root>/usr` at /usr). */
  source?: string;
}

export const DEFAULT_HOST_BINDS: readonly string[] = [
  "/usr",
  "/bin",
  "/lib*",
  "/sbin",
  "/etc/ssl",
  "/etc/ca-certificates",
  "/usr/share/ca-certificates",
];

/** Resolves `patterns` as paths of the job; with `base`, what is at `<base><path>` on the host is shown there. */
export function resolveHostPaths(patterns: readonly string[], base = ""): HostPath[] {
  const out: HostPath[] = [];
  for (const pattern of patterns) {
    for (const path of expand(pattern, base)) {
      const entry = inspect(path, base);
      if (entry && !out.some((e) => e.path === entry.path)) out.push(entry);
    }
  }
  return out;
}

function expand(pattern: string, under: string): string[] {
  if (!pattern.startsWith("/") || pattern.includes("..")) {
    throw invalidArgument(`Host bind "${pattern}" must be an absolute path without ".." (e.g. /usr)`);
  }
  const slash = pattern.lastIndexOf("/");
  const dir = pattern.slice(0, slash) || "/";
  const base = pattern.slice(slash + 1);
  if (!pattern.includes("*")) return [pattern];
  if (dir.includes("*") || base.indexOf("*") !== base.length - 1) {
    throw invalidArgument(`Host bind "${pattern}" may only have "*" at its very end (e.g. /lib*)`);
  }
  const prefix = base.slice(0, -1);
  const names: string[] = [];
  try {
    for (const e of Deno.readDirSync(under + dir)) if (e.name.startsWith(prefix)) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return names.sort().map((n) => `${dir === "/" ? "" : dir}/${n}`);
}

function inspect(path: string, base: string): HostPath | undefined {
  const at = base + path;
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(at);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  const source = base ? { source: at } : {};
  if (info.isSymlink) return { path, kind: "symlink", linkTarget: Deno.readLinkSync(at), ...source };
  return { path, kind: info.isDirectory ? "dir" : "file", ...source };
}

/** The system directories a runtime replaces in a job. */
export const RUNTIME_SYSTEM_DIRS: readonly string[] = ["/usr", "/bin", "/lib*", "/sbin"];

/**
 * The job's binds with a runtime (docs/adr/0010-runtimes.md): the runtime root's /usr, /bin, /lib*, /sbin and
 * its `etc` paths replace the host's; host binds outside those (e.g. /opt/tools) stay.
 */
export function withRuntime(
  host: readonly HostPath[],
  runtime: { root: string; etc: readonly string[] },
): HostPath[] {
  if (!runtime.root.startsWith("/") || runtime.root === "/") {
    throw invalidArgument(`Runtime root "${runtime.root}" must be an absolute directory other than /`);
  }
  const replaced = (p: string) =>
    /^\/(usr|bin|sbin|lib[^/]*)(\/|$)/.test(p) || runtime.etc.some((e) => p === e || p.startsWith(e + "/"));
  return [
    ...host.filter((h) => !replaced(h.path)),
    ...resolveHostPaths([...RUNTIME_SYSTEM_DIRS, ...runtime.etc], runtime.root.replace(/\/+$/, "")),
  ];
}
