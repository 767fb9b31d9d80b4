/**
 * `rnx volume create|list|remove`: named storage on the agent's host that jobs mount with --volume. Names and
 * sizes are checked here with the agent's own rules (usage errors exit 2 before any connection is made).
 */
import type { Command } from "commander";
import { Metadata } from "@grpc/grpc-js";
import {
  type ListVolumesResponse,
  type RemoveVolumeResponse,
  type Volume,
  VolumeServiceClient,
} from "../../proto/gen/joblet.ts";
import { checkVolumeName, parseVolumeSize, parseVolumeType } from "../../agent/domain/volume.ts";
import { JobletError } from "../../agent/domain/errors.ts";
import { type Context, globalsOf, withConnection } from "../context.ts";
import { type Connection, deadline, serviceClient, unary } from "../client.ts";
import { UsageError } from "../errors.ts";
import { renderTable } from "../output/table.ts";
import { toJsonText } from "../output/json.ts";
import { humanBytes, localTime, rfc3339 } from "../output/format.ts";
import { action, leaf } from "./shared.ts";

/** The VolumeService on the connection's channel (one channel per node, as for jobs). */
function volumesOf(conn: Connection): VolumeServiceClient {
  return serviceClient(conn, VolumeServiceClient);
}

export function volumeToJson(v: Volume) {
  return {
    name: v.name,
    type: v.type,
    size_bytes: v.sizeBytes,
    used_bytes: v.usedBytes,
    jobs: v.jobIds,
    created: rfc3339(v.createdUnixMs),
    persistent: v.type !== "memory",
    error: v.error || null,
  };
}

export function volumeTable(list: Volume[]): string {
  const rows = list.map((v) => [
    v.name,
    v.type === "memory" ? "memory*" : v.type,
    humanBytes(v.sizeBytes),
    v.error ? "error" : humanBytes(v.usedBytes),
    v.jobIds.map((id) => id.slice(0, 8)).join(",") || "-",
    localTime(v.createdUnixMs),
  ]);
  let out = renderTable(["NAME", "TYPE", "SIZE", "USED", "JOBS", "CREATED"], rows);
  if (list.some((v) => v.type === "memory")) {
    out += "* memory volumes live in RAM: their content is lost when the host reboots\n";
  }
  for (const v of list.filter((v) => v.error)) out += `${v.name}: ${v.error}\n`;
  return out;
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(e.message);
    throw e;
  }
}

export function registerVolumeCommands(program: Command, ctx: Context): void {
  const volume = program.command("volume").description("Create, list and remove volumes for jobs")
    .enablePositionalOptions();
  const { io } = ctx;

  leaf(
    volume.command("create").description("Create a volume (mount it in jobs with: rnx job run --volume=NAME)")
      .argument("<name>", "1-63 letters, digits, '-' or '_'")
      .requiredOption("--size <size>", "size, e.g. 100MB, 10GB, 1.5GB, 1TB (1024-based)")
      .option("--type <type>", "filesystem (ext4 image, default) or memory (tmpfs, lost on reboot)"),
  ).action(action(async (name: string, opts: { size: string; type?: string }, cmd: Command) => {
    const req = usage(() => {
      checkVolumeName(name);
      parseVolumeSize(opts.size);
      return { name, size: opts.size, type: parseVolumeType(opts.type ?? "") };
    });
    const g = globalsOf(cmd);
    const v = await withConnection(ctx, g, (conn) => {
      const c = volumesOf(conn);
      return unary<Volume>(conn, (cb) => c.createVolume(req, new Metadata(), deadline(), cb));
    });
    io.stdout.print(
      g.json
        ? toJsonText(volumeToJson(v))
        : `Volume created: ${v.name} (${v.type}, ${humanBytes(v.sizeBytes)})\n` +
          (v.type === "memory" ? "Note: a memory volume's content is lost when the host reboots\n" : ""),
    );
  }));

  leaf(volume.command("list").description("List volumes: size, usage and the jobs using them"))
    .action(action(async (_opts: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      const res = await withConnection(ctx, g, (conn) => {
        const c = volumesOf(conn);
        return unary<ListVolumesResponse>(conn, (cb) => c.listVolumes({}, new Metadata(), deadline(), cb));
      });
      io.stdout.print(g.json ? toJsonText(res.volumes.map(volumeToJson)) : volumeTable(res.volumes));
    }));

  leaf(
    volume.command("remove").alias("rm").description(
      "Remove a volume and its data (refused while jobs use it)",
    )
      .argument("<name>", "the volume"),
  ).action(action(async (name: string, _opts: unknown, cmd: Command) => {
    usage(() => checkVolumeName(name));
    const g = globalsOf(cmd);
    const res = await withConnection(ctx, g, (conn) => {
      const c = volumesOf(conn);
      return unary<RemoveVolumeResponse>(
        conn,
        (cb) => c.removeVolume({ name }, new Metadata(), deadline(), cb),
      );
    });
    io.stdout.print(g.json ? toJsonText({ removed: res.name }) : `Volume removed: ${res.name}\n`);
  }));
}
