/**
 * Builds a runtime root from the distribution's packages with a PRIVATE apt state (ADR 0010): own Dir::State
 * (an empty dpkg status, so every dependency is resolved), Dir::Cache and a copy of the host's sources, all
 * under `dir`. Nothing is written to the host's dpkg database or anywhere outside `dir`; no maintainer script
 * runs. Steps: apt-get update → resolve (--print-uris) → download (--download-only) → unpack each .deb with
 * `dpkg-deb --fsys-tarfile | tar -x --keep-directory-symlink` into a merged-/usr root. The configure steps
 * (ldconfig, CA certificates, links, Java's cacerts) are maintainer.ts's.
 */
import { join } from "node:path";
import { failedPrecondition, internal, invalidArgument } from "../../domain/errors.ts";
import type { RuntimePackage } from "../../domain/runtime.ts";
import type { InstallPhase, InstallProgress } from "../../core/runtime_ports.ts";

export interface AptBuildOptions {
  /** Empty work directory; the root is built in `<dir>/root`, apt's state in `<dir>/apt`. */
  dir: string;
  packages: string[];
  /** Where the host's sources are read from (default /etc/apt). */
  aptEtc?: string;
  /**
   * A directory of .debs kept between builds (e.g. /var/cache/joblet/debs): a .deb found there is handed to apt,
   * which checks its hash before using it instead of downloading; new downloads are added. Optional.
   */
  debCache?: string;
  signal?: AbortSignal;
}

export interface AptBuildResult {
  root: string;
  packages: RuntimePackage[];
  /** The postinst scripts that call update-alternatives (alternatives.ts redoes those calls in the root). */
  alternativeScripts: string[];
}

/** One .deb as `apt-get --print-uris` names it. */
export interface DebToFetch {
  file: string;
  name: string;
  version: string;
  bytes: number;
}

/** Directories merged into /usr, as on Debian 12 hosts (`/bin` → `usr/bin`). */
const MERGED = ["bin", "sbin", "lib", "lib64"];

export async function* aptBuild(opts: AptBuildOptions): AsyncGenerator<InstallProgress, AptBuildResult> {
  const apt = join(opts.dir, "apt");
  const root = join(opts.dir, "root");
  const conf = writeAptConfig(apt, opts.aptEtc ?? "/etc/apt");
  const env = { APT_CONFIG: conf, DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C" };
  const step = (
    phase: InstallPhase,
    message: string,
    extra: Partial<InstallProgress> = {},
  ): InstallProgress => ({
    phase,
    message,
    done: 0,
    total: 0,
    bytes: 0,
    totalBytes: 0,
    ...extra,
  });

  yield step("index", "reading the distribution's package lists (private apt state)");
  await run("apt-get", ["-q", "update"], env, opts.signal);

  yield step("resolve", `resolving ${opts.packages.join(", ")}`);
  const resolved = await run(
    "apt-get",
    ["-q", "-y", "--print-uris", "--download-only", "install", "--", ...opts.packages],
    env,
    opts.signal,
  );
  const debs = parsePrintUris(resolved.stdout);
  if (debs.length === 0) throw internal(`apt-get resolved no packages for ${opts.packages.join(", ")}`);
  const totalBytes = debs.reduce((n, d) => n + d.bytes, 0);
  yield step("resolve", `${debs.length} packages to fetch`, {
    done: debs.length,
    total: debs.length,
    totalBytes,
  });

  const archives = join(apt, "cache", "archives");
  const seeded = opts.debCache ? seedFromCache(opts.debCache, archives, debs) : new Map<string, number>();
  let done = seeded.size;
  let bytes = debs.filter((d) => seeded.has(d.file)).reduce((n, d) => n + d.bytes, 0);
  if (done > 0) {
    yield step("download", `${done} of ${debs.length} packages from the cache ${opts.debCache}`, {
      done,
      total: debs.length,
      bytes,
      totalBytes,
    });
  }
  const byName = new Map(debs.map((d) => [d.name, d]));
  const progress: InstallProgress[] = [];
  let wake: (() => void) | undefined;
  const download = run(
    "apt-get",
    ["-q", "-y", "--download-only", "install", "--", ...opts.packages],
    env,
    opts.signal,
    (line) => {
      const m = /^Get:\d+ \S+ \S+ \S+ (\S+) \S+ (\S+) \[/.exec(line);
      if (!m) return;
      done++;
      bytes += byName.get(m[1])?.bytes ?? 0;
      progress.push(step("download", `${m[1]} ${m[2]}`, { done, total: debs.length, bytes, totalBytes }));
      wake?.();
    },
  );
  let finished = false;
  download.then(() => finished = true, () => finished = true).finally(() => wake?.());
  while (!finished || progress.length) {
    if (progress.length) yield progress.shift()!;
    else await new Promise<void>((r) => wake = r);
  }
  await download;
  if (opts.debCache) saveToCache(opts.debCache, archives, debs, seeded);

  for (const d of MERGED) Deno.mkdirSync(join(root, "usr", d), { recursive: true });
  for (const d of MERGED) Deno.symlinkSync(`usr/${d}`, join(root, d));
  let unpacked = 0;
  const alternativeScripts: string[] = [];
  for (const d of debs) {
    opts.signal?.throwIfAborted();
    await unpack(join(archives, d.file), root);
    const postinst = await controlFile(join(archives, d.file), "postinst");
    if (postinst.includes("update-alternatives")) alternativeScripts.push(postinst);
    unpacked++;
    yield step("unpack", `${d.name} ${d.version}`, {
      done: unpacked,
      total: debs.length,
      bytes: d.bytes,
      totalBytes,
    });
  }
  return { root, packages: debs.map((d) => ({ name: d.name, version: d.version })), alternativeScripts };
}

/** `'URI' FILE SIZE HASH` lines → the .debs; the name and version come from the file name. */
export function parsePrintUris(out: string): DebToFetch[] {
  const debs: DebToFetch[] = [];
  for (const line of out.split("\n")) {
    const m = /^'[^']+' (\S+\.deb) (\d+) /.exec(line);
    if (!m) continue;
    const [name, version] = m[1].slice(0, -4).split("_");
    debs.push({ file: m[1], name, version: decodeURIComponent(version ?? ""), bytes: Number(m[2]) });
  }
  return debs;
}

/**
 * Hands apt the .debs the cache has (same file name and size; apt checks the hash and downloads again on a
 * mismatch). Hard links where the cache is on the same filesystem, copies elsewhere. Returns file → inode.
 */
function seedFromCache(cache: string, archives: string, debs: DebToFetch[]): Map<string, number> {
  const seeded = new Map<string, number>();
  for (const d of debs) {
    const from = join(cache, d.file);
    try {
      if (Deno.statSync(from).size !== d.bytes) continue;
      const to = join(archives, d.file);
      linkOrCopy(from, to);
      seeded.set(d.file, Deno.statSync(to).ino ?? 0);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return seeded;
}

/**
 * Adds what apt downloaded to the cache (a seeded file apt kept has the same inode: skipped), each atomically
 * (a temp name, then rename), as builds may run at once.
 */
function saveToCache(cache: string, archives: string, debs: DebToFetch[], seeded: Map<string, number>): void {
  Deno.mkdirSync(cache, { recursive: true, mode: 0o755 });
  for (const d of debs) {
    const to = join(cache, d.file);
    if (seeded.has(d.file) && seeded.get(d.file) === Deno.statSync(join(archives, d.file)).ino) continue;
    const tmp = `${to}.${crypto.randomUUID().slice(0, 8)}.part`;
    linkOrCopy(join(archives, d.file), tmp);
    Deno.renameSync(tmp, to);
  }
}

function linkOrCopy(from: string, to: string): void {
  try {
    Deno.linkSync(from, to);
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return;
    Deno.copyFileSync(from, to); // another filesystem (EXDEV)
  }
}

/** apt's "Unable to locate package x" / "has no installation candidate" → the package names. */
export function unknownPackages(stderr: string): string[] {
  const names = new Set<string>();
  for (const m of stderr.matchAll(/Unable to locate package (\S+)/g)) names.add(m[1]);
  for (const m of stderr.matchAll(/Package '?([^' ]+)'? has no installation candidate/g)) names.add(m[1]);
  return [...names];
}

/** The private apt config: every Dir:: under `apt`, the host's sources copied in. Returns its path. */
function writeAptConfig(apt: string, hostEtc: string): string {
  const etc = join(apt, "etc");
  for (const d of ["etc/sources.list.d", "state/lists/partial", "cache/archives/partial"]) {
    Deno.mkdirSync(join(apt, d), { recursive: true });
  }
  Deno.writeTextFileSync(join(apt, "state", "status"), "");
  copyIfThere(join(hostEtc, "sources.list"), join(etc, "sources.list"));
  try {
    for (const e of Deno.readDirSync(join(hostEtc, "sources.list.d"))) {
      if (e.isFile && /\.(list|sources)$/.test(e.name)) {
        copyIfThere(join(hostEtc, "sources.list.d", e.name), join(etc, "sources.list.d", e.name));
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const q = (s: string) => JSON.stringify(s);
  const conf = join(apt, "apt.conf");
  Deno.writeTextFileSync(
    conf,
    [
      `Dir::Etc::SourceList ${q(join(etc, "sources.list"))};`,
      `Dir::Etc::SourceParts ${q(join(etc, "sources.list.d"))};`,
      `Dir::State ${q(join(apt, "state"))};`,
      `Dir::State::Lists ${q(join(apt, "state", "lists"))};`,
      `Dir::State::status ${q(join(apt, "state", "status"))};`,
      `Dir::Cache ${q(join(apt, "cache"))};`,
      `Dir::Cache::archives ${q(join(apt, "cache", "archives"))};`,
      `Dir::Cache::pkgcache "";`,
      `Dir::Cache::srcpkgcache "";`,
      // The state dir is root's (0700): apt's unprivileged _apt sandbox could not write there.
      `APT::Sandbox::User "root";`,
      // Locks would be taken in the private dirs anyway; the host's dpkg lock is never needed.
      `Debug::NoLocking "true";`,
      `APT::Install-Recommends "false";`,
      `APT::Install-Suggests "false";`,
      "",
    ].join("\n"),
  );
  return conf;
}

function copyIfThere(from: string, to: string): void {
  try {
    Deno.writeTextFileSync(to, Deno.readTextFileSync(from));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/** A control file of a .deb (`postinst`, …), or "" when it has none. */
async function controlFile(deb: string, name: string): Promise<string> {
  const out = await new Deno.Command("dpkg-deb", {
    args: ["--info", deb, name],
    stdout: "piped",
    stderr: "null",
  })
    .output();
  return out.success ? new TextDecoder().decode(out.stdout) : "";
}

async function unpack(deb: string, root: string): Promise<void> {
  const dpkg = new Deno.Command("dpkg-deb", {
    args: ["--fsys-tarfile", deb],
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  // --keep-directory-symlink: the package's ./bin/ goes through the root's bin → usr/bin link.
  const tar = new Deno.Command("tar", {
    args: ["-x", "--keep-directory-symlink", "--no-same-permissions", "-f", "-", "-C", root],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const text = (r: ReadableStream<Uint8Array>) => new Response(r).text();
  const [, a, b, errA, errB] = await Promise.all([
    dpkg.stdout.pipeTo(tar.stdin).catch(() => {}), // tar's own status says why when it stopped reading
    dpkg.status,
    tar.status,
    text(dpkg.stderr),
    text(tar.stderr),
  ]);
  if (!a.success || !b.success) {
    throw internal(`cannot unpack ${deb}: ${(a.success ? errB : errA).trim()}`);
  }
}

interface RunOutput {
  stdout: string;
  stderr: string;
}

/** Runs a tool, line by line to `onLine`; a failure names the tool and its last error lines. */
async function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  signal?: AbortSignal,
  onLine?: (line: string) => void,
): Promise<RunOutput> {
  signal?.throwIfAborted();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, { args, env, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw failedPrecondition(
        `cannot build runtimes on this host: ${cmd} is missing (Debian/Ubuntu hosts only)`,
      );
    }
    throw e;
  }
  const kill = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
  };
  signal?.addEventListener("abort", kill, { once: true });
  const dec = new TextDecoder();
  let stdout = "";
  let stderr = "";
  const readOut = (async () => {
    let pending = "";
    for await (const chunk of child.stdout) {
      const text = dec.decode(chunk, { stream: true });
      stdout += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const l of lines) onLine?.(l);
    }
    if (pending) onLine?.(pending);
  })();
  const readErr = (async () => {
    const d = new TextDecoder();
    for await (const chunk of child.stderr) stderr += d.decode(chunk, { stream: true });
  })();
  const [status] = await Promise.all([child.status, readOut, readErr]);
  signal?.removeEventListener("abort", kill);
  signal?.throwIfAborted();
  if (!status.success) {
    const unknown = cmd === "apt-get" ? unknownPackages(stderr) : [];
    if (unknown.length > 0) {
      throw invalidArgument(
        `package${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")} ` +
          `not found in the distribution's package lists (apt-cache search NAME finds the right name)`,
      );
    }
    const tail = stderr.trim().split("\n").slice(-3).join(" | ");
    throw internal(`${cmd} ${args.filter((a) => !a.startsWith("-")).slice(0, 3).join(" ")} failed: ${tail}`);
  }
  return { stdout, stderr };
}
