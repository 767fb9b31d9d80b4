/**
 * Tests that need something from the machine declare it, and are skipped with the reason when it is missing:
 *
 *   Deno.test({ name: "…", ignore: skip("root", "cgroup"), fn })
 *
 * `skip()` prints why a test is ignored, so a skipped run says what it would need.
 */
export type Need = "root" | "cgroup" | "cgroup2" | "tini" | "python-grpc" | "bwrap";

function has(need: Need): boolean {
  switch (need) {
    case "root":
      return Deno.uid() === 0;
    case "cgroup":
      return exists("/sys/fs/cgroup/cgroup.controllers") || exists("/sys/fs/cgroup/pids/cgroup.procs") ||
        exists("/sys/fs/cgroup/memory/cgroup.procs");
    case "cgroup2":
      return readText("/sys/fs/cgroup/cgroup.controllers")?.includes("memory") ?? false;
    case "tini":
      return exists("/usr/bin/tini");
    case "python-grpc":
      return exists("/usr/lib/python3/dist-packages/grpc") &&
        exists("/usr/lib/python3/dist-packages/grpc_tools");
    case "bwrap":
      return exists("/usr/bin/bwrap");
  }
}

const WHY: Record<Need, string> = {
  root: "must run as root",
  cgroup: "needs a cgroup v1 or v2 hierarchy",
  cgroup2: "needs cgroup v2 with the memory controller (run it under ../shared/tools/vmrun)",
  tini: "needs /usr/bin/tini (Debian package tini)",
  "python-grpc": "needs Debian's python3-grpcio and python3-grpc-tools",
  bwrap: "needs /usr/bin/bwrap (Debian package bubblewrap)",
};

/** Returns true (= ignore the test) when a need is missing, after saying which. */
export function skip(...needs: Need[]): boolean {
  const missing = needs.filter((n) => !has(n));
  if (missing.length === 0) return false;
  console.warn(`skipping: ${missing.map((m) => WHY[m]).join("; ")}`);
  return true;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}
