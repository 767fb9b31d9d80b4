/**
 * `rnx runtime list|info|install|remove|test`: read-only roots built from the distribution's packages that
 * replace the host's /usr, /bin, /lib*, /sbin in a job (`rnx job run --runtime=NAME`). Names are checked here
 * with the agent's own rules (usage errors exit 2 before any connection is made).
 */
import type { Command } from "commander";
import { Metadata } from "@grpc/grpc-js";
import {
  type InstallRuntimeProgress,
  InstallRuntimeRequest,
  type ListRuntimesResponse,
  type RemoveRuntimeResponse,
  type Runtime,
  RuntimeServiceClient,
} from "../../proto/gen/joblet.ts";
import { runtimeName } from "../../agent/domain/runtime.ts";
import { NO_RETRY } from "../../agent/domain/job.ts";
import { JobletError } from "../../agent/domain/errors.ts";
import { type Context, globalsOf, withConnection } from "../context.ts";
import { type Connection, deadline, serviceClient, unary } from "../client.ts";
import { isServiceError, rpcError, UsageError } from "../errors.ts";
import type { Sink } from "../io.ts";
import { renderTable } from "../output/table.ts";
import { toJsonText } from "../output/json.ts";
import { humanBytes, localTime, rfc3339 } from "../output/format.ts";
import { runJob } from "./job_run.ts";
import { exportRuntime, installTarget, uploadRuntime } from "./runtime_pack.ts";
import { action, leaf } from "./shared.ts";

function runtimesOf(conn: Connection): RuntimeServiceClient {
  return serviceClient(conn, RuntimeServiceClient);
}

export function runtimeToJson(r: Runtime) {
  return {
    name: r.name,
    version: r.version,
    language: r.language,
    description: r.description,
    installed: r.installed,
    builtin: r.builtin,
    size_bytes: r.sizeBytes,
    installed_at: r.installed ? rfc3339(r.installedUnixMs) : null,
    jobs: r.jobIds,
    env: r.env,
    test: r.test,
    spec_packages: r.specPackages,
    packages: r.packages.map((p) => ({ name: p.name, version: p.version })),
  };
}

export function runtimeTable(list: Runtime[]): string {
  const rows = list.map((r) => [
    r.name,
    r.version,
    r.language,
    r.installed ? humanBytes(r.sizeBytes) : "-",
    r.installed ? (r.jobIds.length ? `yes (${r.jobIds.length})` : "no") : "not installed",
    r.description,
  ]);
  return renderTable(["NAME", "VERSION", "LANGUAGE", "SIZE", "IN USE", "DESCRIPTION"], rows);
}

export function runtimeInfo(r: Runtime): string {
  const lines = [
    `Name:        ${r.name}`,
    `Version:     ${r.version}`,
    `Language:    ${r.language}`,
    `Description: ${r.description}`,
    `Installed:   ${r.installed ? `${localTime(r.installedUnixMs)}, ${humanBytes(r.sizeBytes)}` : "no"}`,
    `In use by:   ${r.jobIds.join(", ") || "-"}`,
    `Smoke test:  ${r.test}`,
    "Environment:",
    ...Object.entries(r.env).map(([k, v]) => `  ${k}=${v}`),
    `Packages:    ${r.specPackages.join(", ")}${
      r.installed ? ` (${r.packages.length} with dependencies)` : ""
    }`,
    ...r.packages.map((p) => `  ${p.name} ${p.version}`),
    r.installed
      ? `Use:         rnx job run --runtime=${r.name} COMMAND…`
      : `Install:     rnx runtime install ${r.name}`,
  ];
  return lines.join("\n") + "\n";
}

/**
 * One progress line: plain on a pipe, rewritten in place with a bar on a terminal. Package counts when there
 * are some; a packed runtime's download has only bytes.
 */
export function progressLine(p: InstallRuntimeProgress, width = 24): string {
  const counts = p.total ? ` ${p.done}/${p.total}` : "";
  const bytes = p.totalBytes && p.phase !== "done"
    ? ` (${humanBytes(p.bytes)} / ${humanBytes(p.totalBytes)})`
    : p.bytes && (p.phase === "download" || p.phase === "receive")
    ? ` (${humanBytes(p.bytes)})`
    : "";
  const frac = p.total
    ? p.done / p.total
    : p.totalBytes && !p.total
    ? Math.min(1, p.bytes / p.totalBytes)
    : -1;
  const bar = frac >= 0 && (p.phase === "download" || p.phase === "unpack" || p.phase === "receive")
    ? ` [${"#".repeat(Math.round(frac * width)).padEnd(width, ".")}]`
    : "";
  const showBytes = p.phase === "download" || p.phase === "receive";
  return `${p.phase}${bar}${counts}${showBytes ? bytes : ""}: ${p.message}`;
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(e.message);
    throw e;
  }
}

async function install(
  conn: Connection,
  sink: Sink,
  req: Partial<InstallRuntimeRequest>,
): Promise<Runtime | undefined> {
  const call = runtimesOf(conn).installRuntime(InstallRuntimeRequest.fromPartial(req), new Metadata());
  let last: Runtime | undefined;
  let inPlace = false;
  try {
    for await (const p of call as AsyncIterable<InstallRuntimeProgress>) {
      if (p.runtime) last = p.runtime;
      if (sink.isTerminal && p.phase !== "done") {
        sink.print(`\r\x1b[2K${progressLine(p).slice(0, 120)}`);
        inPlace = true;
        continue;
      }
      if (inPlace) sink.print("\r\x1b[2K");
      inPlace = false;
      sink.print(progressLine(p) + "\n");
    }
  } catch (err) {
    if (inPlace) sink.print("\n");
    if (isServiceError(err)) throw rpcError(err, conn.address);
    throw err;
  }
  return last;
}

export function registerRuntimeCommands(program: Command, ctx: Context): void {
  const runtime = program.command("runtime").description(
    "Install, list and remove runtimes (isolated Python, … roots for rnx job run --runtime=NAME)",
  ).enablePositionalOptions();
  const { io } = ctx;

  leaf(runtime.command("list").description("List installed runtimes and the built-in ones"))
    .action(action(async (_opts: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      const res = await withConnection(ctx, g, (conn) => {
        const c = runtimesOf(conn);
        return unary<ListRuntimesResponse>(conn, (cb) => c.listRuntimes({}, new Metadata(), deadline(), cb));
      });
      io.stdout.print(g.json ? toJsonText(res.runtimes.map(runtimeToJson)) : runtimeTable(res.runtimes));
    }));

  leaf(
    runtime.command("info").description("Show a runtime: packages and versions inside, env, size, how to use")
      .argument("<name>", "e.g. python-3.11, python@3.11"),
  ).action(action(async (name: string, _opts: unknown, cmd: Command) => {
    usage(() => runtimeName(name));
    const g = globalsOf(cmd);
    const r = await withConnection(ctx, g, (conn) => {
      const c = runtimesOf(conn);
      return unary<Runtime>(conn, (cb) => c.getRuntime({ name }, new Metadata(), deadline(), cb));
    });
    io.stdout.print(g.json ? toJsonText(runtimeToJson(r)) : runtimeInfo(r));
  }));

  leaf(
    runtime.command("install").description(
      "Build a runtime from the distribution's packages on the agent's host (a built-in name or a spec file), " +
        "or install a packed one (NAME.tar.zst from rnx runtime export: a local file or an http(s) URL)",
    )
      .argument(
        "<name|spec.yaml|file.tar.zst|url>",
        "a built-in runtime (rnx runtime list), your own spec file, or a packed runtime",
      )
      .option("--force", "replace the installed runtime of that name")
      .option(
        "--sha256 <hex>",
        "the packed runtime's sha256 (required with a URL; checked before installing)",
      ),
  ).action(action(async (name: string, opts: { force?: boolean; sha256?: string }, cmd: Command) => {
    const target = installTarget(name);
    if (opts.sha256 !== undefined) {
      if (target !== "url" && target !== "packed") {
        throw new UsageError(`--sha256 is for packed runtimes (a .tar.zst file or URL), not "${name}"`);
      }
      if (!/^[0-9a-fA-F]{64}$/.test(opts.sha256)) {
        throw new UsageError(
          `--sha256 "${opts.sha256}" is not a sha256 (64 hex digits, as sha256sum prints it)`,
        );
      }
    }
    if (target === "url") {
      if (!/^https?:\/\//i.test(name)) throw new UsageError(`"${name}" is not an http:// or https:// URL`);
      if (!opts.sha256) {
        throw new UsageError(
          `installing from a URL needs --sha256=HEX (the archive's sha256, as rnx runtime export prints it)`,
        );
      }
    }
    const g = globalsOf(cmd);
    const progressSink = g.json ? io.stderr : io.stdout;
    if (target === "packed") {
      const done = await withConnection(
        ctx,
        g,
        (conn) =>
          uploadRuntime(conn, io.stderr, name, { force: opts.force ?? false, sha256: opts.sha256 ?? "" }),
      );
      if (g.json && done.runtime) io.stdout.print(toJsonText(runtimeToJson(done.runtime)));
      else progressSink.print(progressLine(done) + "\n");
      return;
    }
    if (target === "url") {
      const r = await withConnection(
        ctx,
        g,
        (conn) => install(conn, progressSink, { url: name, sha256: opts.sha256, force: opts.force ?? false }),
      );
      if (g.json && r) io.stdout.print(toJsonText(runtimeToJson(r)));
      return;
    }
    let specYaml = "";
    let specFile = "";
    if (target === "spec") {
      try {
        specYaml = await Deno.readTextFile(name);
        specFile = name;
      } catch (e) {
        throw new UsageError(`cannot read runtime spec ${name}: ${(e as Error).message}`);
      }
    } else usage(() => runtimeName(name));
    const r = await withConnection(
      ctx,
      g,
      (conn) =>
        install(conn, progressSink, {
          name,
          force: opts.force ?? false,
          specYaml,
          specFile,
        }),
    );
    if (g.json && r) io.stdout.print(toJsonText(runtimeToJson(r)));
  }));

  leaf(
    runtime.command("export").description(
      "Pack an installed runtime into NAME.tar.zst (root + manifest) for rnx runtime install on another host",
    )
      .argument("<name>", "an installed runtime")
      .option("-o, --output <file>", "where to write it (default: NAME.tar.zst here)"),
  ).action(action(async (name: string, opts: { output?: string }, cmd: Command) => {
    const rt = usage(() => runtimeName(name));
    const file = opts.output ?? `${rt}.tar.zst`;
    const g = globalsOf(cmd);
    const r = await withConnection(ctx, g, (conn) => exportRuntime(conn, io.stderr, rt, file));
    io.stdout.print(
      g.json
        ? toJsonText({ name: rt, file: r.file, size_bytes: r.bytes, sha256: r.sha256 })
        : `Exported ${rt} to ${r.file} (${humanBytes(r.bytes)}, sha256 ${r.sha256})\n`,
    );
  }));

  leaf(
    runtime.command("remove").alias("rm").description(
      "Remove an installed runtime (refused while jobs use it)",
    )
      .argument("<name>", "the runtime"),
  ).action(action(async (name: string, _opts: unknown, cmd: Command) => {
    usage(() => runtimeName(name));
    const g = globalsOf(cmd);
    const res = await withConnection(ctx, g, (conn) => {
      const c = runtimesOf(conn);
      return unary<RemoveRuntimeResponse>(
        conn,
        (cb) => c.removeRuntime({ name }, new Metadata(), deadline(), cb),
      );
    });
    io.stdout.print(g.json ? toJsonText({ removed: res.name }) : `Runtime removed: ${res.name}\n`);
  }));

  leaf(
    runtime.command("test").description("Run a runtime's smoke test as a job and report pass or fail")
      .argument("<name>", "an installed runtime"),
    { json: false },
  ).action(action(async (name: string, _opts: unknown, cmd: Command) => {
    const rt = usage(() => runtimeName(name));
    const g = globalsOf(cmd);
    await withConnection(ctx, g, async (conn) => {
      const c = runtimesOf(conn);
      const r = await unary<Runtime>(
        conn,
        (cb) => c.getRuntime({ name: rt }, new Metadata(), deadline(), cb),
      );
      if (!r.installed) {
        throw new JobletError("NotFound", `runtime ${rt} is not installed (rnx runtime install ${rt})`);
      }
      await runJob(ctx, conn, {
        name: `runtime-test-${rt}`.slice(0, 63),
        command: "/bin/sh",
        args: ["-c", r.test],
        env: {},
        secretEnv: {},
        uploads: [],
        uploadDirs: [],
        follow: true,
        json: false,
        limits: {},
        schedule: "",
        timezone: "",
        allowOverlap: false,
        missed: "",
        retry: NO_RETRY,
        runtime: rt,
      }, { entries: [], skipped: [], totalBytes: 0 });
    });
    io.stderr.print(
      ctx.exitCode === 0
        ? `runtime ${rt}: smoke test passed\n`
        : `runtime ${rt}: smoke test FAILED (exit ${ctx.exitCode})\n`,
    );
  }));
}
