/**
 * `rnx runtime list|info|install|remove|test`: read-only roots built from the distribution's packages that
 * replace the host's /usr, /bin, /lib*, /sbin in a job (`rnx job run --runtime=NAME`). Names are checked here
 * with the agent's own rules (usage errors exit 2 before any connection is made).
 */
import type { Command } from "commander";
import { Metadata } from "@grpc/grpc-js";
import {
  type InstallRuntimeProgress,
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

/** One progress line: plain on a pipe, rewritten in place with a bar on a terminal. */
export function progressLine(p: InstallRuntimeProgress, width = 24): string {
  const counts = p.total ? ` ${p.done}/${p.total}` : "";
  const bytes = p.totalBytes && p.phase !== "done"
    ? ` (${humanBytes(p.bytes)} / ${humanBytes(p.totalBytes)})`
    : "";
  const bar = p.total && (p.phase === "download" || p.phase === "unpack")
    ? ` [${"#".repeat(Math.round((p.done / p.total) * width)).padEnd(width, ".")}]`
    : "";
  return `${p.phase}${bar}${counts}${p.phase === "download" ? bytes : ""}: ${p.message}`;
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(e.message);
    throw e;
  }
}

async function install(conn: Connection, sink: Sink, req: {
  name: string;
  force: boolean;
  specYaml: string;
  specFile: string;
}): Promise<Runtime | undefined> {
  const call = runtimesOf(conn).installRuntime(req, new Metadata());
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
      "Build a runtime from the distribution's packages on the agent's host (a built-in name or a spec file)",
    )
      .argument("<name|spec.yaml>", "a built-in runtime (rnx runtime list) or your own spec file")
      .option("--force", "replace the installed runtime of that name"),
  ).action(action(async (name: string, opts: { force?: boolean }, cmd: Command) => {
    let specYaml = "";
    let specFile = "";
    if (/\.ya?ml$/.test(name)) {
      try {
        specYaml = await Deno.readTextFile(name);
        specFile = name;
      } catch (e) {
        throw new UsageError(`cannot read runtime spec ${name}: ${(e as Error).message}`);
      }
    } else usage(() => runtimeName(name));
    const g = globalsOf(cmd);
    const r = await withConnection(
      ctx,
      g,
      (conn) =>
        install(conn, g.json ? io.stderr : io.stdout, {
          name,
          force: opts.force ?? false,
          specYaml,
          specFile,
        }),
    );
    if (g.json && r) io.stdout.print(toJsonText(runtimeToJson(r)));
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
