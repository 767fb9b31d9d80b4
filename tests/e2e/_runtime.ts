/**
 * What the runtime e2e tests share: when they can run (root, cgroups, apt), the .deb cache they install from,
 * and readings of the host that an install must leave unchanged.
 */
import { skip } from "../_requires.ts";

/** The `ignore:` of a runtime e2e test: it needs root, cgroups, apt-get and dpkg-deb. */
export function skipRuntime(): boolean {
  return skip("root", "cgroup") || noApt();
}

function noApt(): boolean {
  try {
    Deno.statSync("/usr/bin/apt-get");
    Deno.statSync("/usr/bin/dpkg-deb");
    return false;
  } catch {
    console.warn("skipping: needs apt-get and dpkg-deb (a Debian or Ubuntu host)");
    return true;
  }
}

/** .debs kept between runs on this machine (docs/runtimes.md); a clean machine downloads them. */
export function useTestDebCache(): void {
  Deno.env.set(
    "JOBLET_RUNTIME_DEB_CACHE",
    Deno.env.get("JOBLET_RUNTIME_DEB_CACHE") || "/var/cache/joblet-test/debs",
  );
}

/** `dpkg -l` of the host. */
export async function dpkgList(): Promise<string> {
  const out = await new Deno.Command("dpkg", { args: ["-l"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout);
}

/** A directory's entry names and mtime, or "-" when it is missing. */
export function dirListing(dir: string): string {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort().join(",") +
      `@${Deno.statSync(dir).mtime?.getTime()}`;
  } catch {
    return "-";
  }
}

/** A file's size and mtime, or "-" when it is missing. */
export function fileStamp(file: string): string {
  try {
    const s = Deno.statSync(file);
    return `${file} ${s.size} ${s.mtime?.getTime()}`;
  } catch {
    return `${file} -`;
  }
}
