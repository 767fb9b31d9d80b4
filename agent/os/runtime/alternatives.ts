/**
 * `update-alternatives --install` calls of the packages' postinst scripts, redone inside a runtime root: no
 * maintainer script runs there (ADR 0010), yet some libraries are only reachable through these links — numpy
 * needs `libblas.so.3`, which is libopenblas0-pthread's alternative. Only calls with literal paths are read
 * (OpenJDK's postinst loops over variables: the openjdk-17 spec names its links instead, links.ts). As dpkg
 * would, each alternative gets the path of highest priority that the root has, and its slaves with it.
 */
import { join, posix } from "node:path";

export interface Alternative {
  link: string;
  name: string;
  path: string;
  priority: number;
  slaves: Array<{ link: string; name: string; path: string }>;
}

/** The `--install` calls in one maintainer script; calls with shell variables or odd forms are skipped. */
export function parseAlternatives(script: string): Alternative[] {
  const out: Alternative[] = [];
  const joined = script.replace(/\\\n/g, " ");
  for (const line of joined.split("\n")) {
    const at = line.indexOf("update-alternatives --install ");
    if (at < 0 || line.includes("$")) continue;
    const words = line.slice(at).split(/\s+/).filter((w) => w !== "");
    const [, , link, name, path, prio, ...rest] = words;
    const priority = Number(prio);
    if (!link?.startsWith("/") || !path?.startsWith("/") || !Number.isInteger(priority)) continue;
    const slaves: Alternative["slaves"] = [];
    for (let i = 0; i + 3 < rest.length && rest[i] === "--slave"; i += 4) {
      if (rest[i + 1]?.startsWith("/") && rest[i + 3]?.startsWith("/")) {
        slaves.push({ link: rest[i + 1], name: rest[i + 2], path: rest[i + 3] });
      }
    }
    out.push({ link, name, path, priority, slaves });
  }
  return out;
}

/**
 * Makes, for each alternative name, the links of its best candidate present in `root` (relative links, so they
 * resolve inside the root). A link where the root already has a file or directory is left alone. Returns
 * `link → path` for each link made.
 */
export function applyAlternatives(root: string, alternatives: Alternative[]): string[] {
  const best = new Map<string, Alternative>();
  for (const a of alternatives) {
    if (!present(join(root, a.path))) continue;
    const had = best.get(a.name);
    if (!had || a.priority > had.priority) best.set(a.name, a);
  }
  const made: string[] = [];
  for (const a of [...best.values()].sort((x, y) => x.link.localeCompare(y.link))) {
    for (const l of [a, ...a.slaves]) {
      if (!present(join(root, l.path))) continue;
      const at = join(root, l.link);
      const info = lstat(at);
      if (info && !info.isSymlink) continue;
      if (info) Deno.removeSync(at);
      Deno.mkdirSync(join(root, posix.dirname(l.link)), { recursive: true });
      Deno.symlinkSync(posix.relative(posix.dirname(l.link), l.path), at);
      made.push(`${l.link} → ${l.path}`);
    }
  }
  return made;
}

function lstat(p: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(p);
  } catch {
    return undefined;
  }
}

function present(p: string): boolean {
  return lstat(p) !== undefined;
}
