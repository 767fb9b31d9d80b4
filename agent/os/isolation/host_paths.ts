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

export function resolveHostPaths(patterns: readonly string[]): HostPath[] {
  const out: HostPath[] = [];
  for (const pattern of patterns) {
    for (const path of expand(pattern)) {
      const entry = inspect(path);
      if (entry && !out.some((e) => e.path === entry.path)) out.push(entry);
    }
  }
  return out;
}

function expand(pattern: string): string[] {
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
    for (const e of Deno.readDirSync(dir)) if (e.name.startsWith(prefix)) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return names.sort().map((n) => `${dir === "/" ? "" : dir}/${n}`);
}

function inspect(path: string): HostPath | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  if (info.isSymlink) return { path, kind: "symlink", linkTarget: Deno.readLinkSync(path) };
  return { path, kind: info.isDirectory ? "dir" : "file" };
}
