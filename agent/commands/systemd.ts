/** The little of systemd that install and uninstall need: is it PID 1, and systemctl. */
import { JobletError } from "../domain/errors.ts";

export function systemdRunning(): boolean {
  try {
    return Deno.statSync("/run/systemd/system").isDirectory;
  } catch {
    return false;
  }
}

/** Runs systemctl; throws (with its stderr) on failure unless `check: false`; returns the exit code. */
export async function systemctl(args: string[], opts: { check?: boolean } = {}): Promise<number> {
  const out = await new Deno.Command("systemctl", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success && opts.check !== false) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new JobletError("Internal", `systemctl ${args.join(" ")} failed (exit ${out.code}): ${err}`);
  }
  return out.code;
}
