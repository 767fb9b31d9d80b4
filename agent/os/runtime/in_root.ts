/**
 * Runs a program of a runtime inside the runtime's root, as a maintainer script would run it on an installed
 * system, without touching the host: `unshare` gives it its own mount, PID and network namespaces (mounts are
 * private, so they vanish with it), `/proc`, a small `/dev` (null, zero, random, urandom) and a `/tmp` are
 * mounted there, then `chroot` enters the root. Only the runtime's own binaries and libraries run. Directories
 * made for those mounts are removed again, so the root is left as it was plus what the program wrote.
 */
import { join } from "node:path";
import { failedPrecondition, internal } from "../../domain/errors.ts";

/** The host side: mounts in the new namespaces, then chroot. $1 is the root, the rest the command. */
const ENTER = `set -e
R="$1"; shift
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=0755,size=64k tmpfs "$R/dev"
for d in null zero random urandom; do : > "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"; done
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
exec chroot "$R" "$@"`;

const MOUNT_POINTS = ["proc", "dev", "tmp"];

export interface InRootResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `argv` in `root` with a clean environment (PATH, LC_CTYPE=C.UTF-8, `env`); `stdin` is written to it.
 * Throws Internal naming the command and its last error lines when it fails.
 */
export async function runInRoot(
  root: string,
  argv: string[],
  opts: { stdin?: string; env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<InRootResult> {
  opts.signal?.throwIfAborted();
  const made = MOUNT_POINTS.filter((d) => {
    try {
      Deno.mkdirSync(join(root, d));
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) return false;
      throw e;
    }
  });
  try {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command("unshare", {
        args: ["--mount", "--pid", "--net", "--fork", "--kill-child", "sh", "-c", ENTER, "sh", root, ...argv],
        clearEnv: true,
        env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_CTYPE: "C.UTF-8", HOME: "/root", ...opts.env },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw failedPrecondition("cannot configure runtimes on this host: unshare (util-linux) is missing");
      }
      throw e;
    }
    const kill = () => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    };
    opts.signal?.addEventListener("abort", kill, { once: true });
    const writer = child.stdin.getWriter();
    const fed = writer.write(new TextEncoder().encode(opts.stdin ?? "")).then(() => writer.close()).catch(
      () => {},
    );
    const [out] = await Promise.all([child.output(), fed]);
    opts.signal?.removeEventListener("abort", kill);
    opts.signal?.throwIfAborted();
    const dec = new TextDecoder();
    const result = { stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    if (!out.success) {
      const tail = result.stderr.trim().split("\n").slice(-3).join(" | ");
      throw internal(`${argv.join(" ")} in the runtime root failed (exit ${out.code}): ${tail}`);
    }
    return result;
  } finally {
    // Not recursive: the mounts died with the namespace, so these are empty (anything else is a bug to see).
    for (const d of made) Deno.removeSync(join(root, d));
  }
}
