/** One agent per state dir: <state>/joblet.pid names the running agent. */
import { join } from "node:path";

export function pidPath(stateDir: string): string {
  return join(stateDir, "joblet.pid");
}

/** The pid of a live joblet agent serving this state dir, if any. */
export function runningAgentPid(stateDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(Deno.readTextFileSync(pidPath(stateDir)).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === Deno.pid) return undefined;
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    return cmdline.includes("serve") ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePid(stateDir: string): void {
  Deno.writeTextFileSync(pidPath(stateDir), `${Deno.pid}\n`, { mode: 0o644 });
}

export function removePid(stateDir: string): void {
  try {
    if (Number(Deno.readTextFileSync(pidPath(stateDir)).trim()) === Deno.pid) {
      Deno.removeSync(pidPath(stateDir));
    }
  } catch { /* gone already */ }
}
