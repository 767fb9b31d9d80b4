/** RuntimeService RPCs: map the request, call core, map the answer. No logic of their own. */
import type * as pb from "../../../proto/gen/joblet.ts";
import type { RuntimeService, RuntimeView } from "../../core/runtime_service.ts";
import type { InstallProgress } from "../../core/runtime_ports.ts";
import { invalidArgument } from "../../domain/errors.ts";
import { parseRuntimeSpec } from "../../domain/runtime.ts";
import { clientStream, type Log, serverStream, unary } from "./calls.ts";

export function runtimeToPb(v: RuntimeView): pb.Runtime {
  return {
    name: v.spec.name,
    version: v.spec.version,
    language: v.spec.language,
    description: v.spec.description,
    specPackages: v.spec.packages,
    env: v.spec.env,
    test: v.spec.test,
    installed: v.installed !== undefined,
    builtin: v.builtin,
    packages: v.installed?.packages ?? [],
    sizeBytes: v.installed?.sizeBytes ?? 0,
    installedUnixMs: v.installed?.installedAt ?? 0,
    jobIds: v.jobs,
  };
}

/** Core's progress as messages: it ends with a "done" event and then returns the runtime; both go out as one. */
async function* progressOf(
  it: AsyncGenerator<InstallProgress, RuntimeView>,
): AsyncGenerator<pb.InstallRuntimeProgress> {
  let done: pb.InstallRuntimeProgress | undefined;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      yield { ...done!, runtime: runtimeToPb(r.value) };
      return;
    }
    if (r.value.phase === "done") done = { ...r.value, runtime: undefined };
    else yield { ...r.value, runtime: undefined };
  }
}

export function runtimeServiceHandlers(runtimes: RuntimeService, log: Log): pb.RuntimeServiceServer {
  return {
    listRuntimes: unary<pb.ListRuntimesRequest, pb.ListRuntimesResponse>(
      "ListRuntimes",
      "read",
      log,
      () => ({ runtimes: runtimes.list().map(runtimeToPb) }),
    ),

    getRuntime: unary<pb.GetRuntimeRequest, pb.Runtime>(
      "GetRuntime",
      "read",
      log,
      (req) => runtimeToPb(runtimes.get(req.name)),
    ),

    // Installing runs apt and writes below the agent's state dir: an admin's call.
    installRuntime: serverStream<pb.InstallRuntimeRequest, pb.InstallRuntimeProgress>(
      "InstallRuntime",
      "admin",
      log,
      async function* (req, { signal }) {
        if (req.url) {
          yield* progressOf(
            runtimes.installPacked({ kind: "url", url: req.url }, {
              force: req.force,
              sha256: req.sha256,
              signal,
            }),
          );
          return;
        }
        const spec = req.specYaml ? parseRuntimeSpec(req.specYaml, req.specFile || "spec.yaml") : undefined;
        yield* progressOf(runtimes.install(req.name, { force: req.force, spec, signal }));
      },
    ),

    // A packed runtime streamed by the client: header first, then the archive's bytes.
    uploadRuntime: clientStream<pb.UploadRuntimeRequest, pb.InstallRuntimeProgress>(
      "UploadRuntime",
      "admin",
      log,
      async (messages, { signal }) => {
        const it = messages[Symbol.asyncIterator]();
        const first = await it.next();
        const header = first.done ? undefined : first.value.header;
        if (!header) {
          throw invalidArgument("UploadRuntime: the first message must be the PackedRuntimeHeader");
        }
        async function* chunks(): AsyncGenerator<Uint8Array> {
          for (let r = await it.next(); !r.done; r = await it.next()) {
            if (!r.value.chunk) {
              throw invalidArgument("UploadRuntime: only archive chunks may follow the header");
            }
            yield r.value.chunk;
          }
        }
        const source = {
          kind: "stream" as const,
          chunks: chunks(),
          size: header.sizeBytes || undefined,
          label: header.fileName || "the uploaded archive",
        };
        let last: pb.InstallRuntimeProgress | undefined;
        const install = runtimes.installPacked(source, {
          force: header.force,
          sha256: header.sha256 || undefined,
          signal,
        });
        for await (const p of progressOf(install)) last = p;
        return last!;
      },
    ),

    exportRuntime: serverStream<pb.ExportRuntimeRequest, pb.ExportRuntimeChunk>(
      "ExportRuntime",
      "read",
      log,
      (req, { signal }) => runtimes.exportRuntime(req.name, signal),
      (m) => m.data.length,
    ),

    removeRuntime: unary<pb.RemoveRuntimeRequest, pb.RemoveRuntimeResponse>(
      "RemoveRuntime",
      "admin",
      log,
      async (req) => ({ name: await runtimes.remove(req.name) }),
    ),
  };
}
