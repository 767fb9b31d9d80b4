/**
 * The agent's memory from /proc/<pid>/status. VmHWM is the peak resident set since the process started or
 * since the last `5` written to /proc/<pid>/clear_refs (Linux ≥ 4.0, root), so a phase can be measured alone.
 * https://docs.kernel.org/filesystems/proc.html (clear_refs)
 */

/** Current (VmRSS) and peak (VmHWM) resident set in MiB. */
export function agentMemory(pid: number): { rssMiB: number; hwmMiB: number } {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  return { rssMiB: field(text, "VmRSS", pid), hwmMiB: field(text, "VmHWM", pid) };
}

/** Resets VmHWM to the current RSS; false when the kernel refuses (the peak then counts from start-up). */
export function resetPeak(pid: number): boolean {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

function field(text: string, name: string, pid: number): number {
  const m = new RegExp(`^${name}:\\s*(\\d+) kB`, "m").exec(text);
  if (!m) throw new Error(`/proc/${pid}/status has no ${name} line`);
  return Number(m[1]) / 1024;
}
