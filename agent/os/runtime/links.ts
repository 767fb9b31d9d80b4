/**
 * A spec's `links`, made inside a runtime root: what a package's `update-alternatives --install` would make
 * (`/usr/bin/java` → the JDK's `bin/java`), but as one direct relative link, since a runtime has no
 * `/etc/alternatives` to choose between providers. Targets may hold `*` within a name, so specs need not name
 * the architecture (`java-17-openjdk-*` is `java-17-openjdk-amd64` on x86-64).
 */
import { dirname, join, posix } from "node:path";
import { invalidArgument } from "../../domain/errors.ts";

/** Paths in `root` (as the job sees them, sorted) that `pattern` matches; `*` matches within one name. */
export function globInRoot(root: string, pattern: string): string[] {
  let paths = ["/"];
  for (const part of pattern.split("/").filter((p) => p !== "")) {
    const next: string[] = [];
    for (const at of paths) {
      if (!part.includes("*")) {
        const p = posix.join(at, part);
        if (exists(join(root, p))) next.push(p);
        continue;
      }
      const re = new RegExp(`^${part.split("*").map(escape).join(".*")}$`);
      try {
        for (const e of Deno.readDirSync(join(root, at))) {
          if (re.test(e.name)) next.push(posix.join(at, e.name));
        }
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
      }
    }
    paths = next;
  }
  return paths.sort();
}

/**
 * Makes each link (`LINK: TARGET`; a LINK ending in "/" gets one link per match, named like it, and keeps what is
 * already there). A TARGET that matches nothing, or more than one path for a plain LINK, is an InvalidArgument
 * naming it. Returns the links made, as `link → target`.
 */
export function makeLinks(root: string, links: Record<string, string>): string[] {
  const made: string[] = [];
  for (const [link, target] of Object.entries(links)) {
    const matches = globInRoot(root, target);
    if (matches.length === 0) {
      throw invalidArgument(`links: "${target}" (for ${link}) matches nothing in the runtime's packages`);
    }
    if (link.endsWith("/")) {
      for (const m of matches) {
        const at = link + posix.basename(m);
        if (exists(join(root, at))) continue;
        symlink(root, at, m);
        made.push(`${at} → ${m}`);
      }
      continue;
    }
    if (matches.length > 1) {
      throw invalidArgument(
        `links: "${target}" (for ${link}) matches ${matches.length} paths (${matches.join(", ")}); ` +
          `it must match exactly one`,
      );
    }
    const info = lstat(join(root, link));
    if (info && !info.isSymlink) {
      throw invalidArgument(
        `links: ${link} is already a file or directory in the runtime; it cannot be a link`,
      );
    }
    if (info) Deno.removeSync(join(root, link));
    symlink(root, link, matches[0]);
    made.push(`${link} → ${matches[0]}`);
  }
  return made;
}

/** A relative link, so it points into the runtime both in a job and when read from the host. */
function symlink(root: string, link: string, target: string): void {
  Deno.mkdirSync(join(root, dirname(link)), { recursive: true });
  Deno.symlinkSync(posix.relative(posix.dirname(link), target), join(root, link));
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

function lstat(p: string): Deno.FileInfo | undefined {
  try {
    return Deno.lstatSync(p);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return undefined;
    throw e;
  }
}

function exists(p: string): boolean {
  return lstat(p) !== undefined;
}
