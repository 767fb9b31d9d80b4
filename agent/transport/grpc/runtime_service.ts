/** RuntimeService RPCs: map the request, call core, map the answer. No logic of their own. */
import type * as pb from "../../../proto/gen/joblet.ts";
import type { RuntimeService, RuntimeView } from "../../core/runtime_service.ts";
import { parseRuntimeSpec } from "../../domain/runtime.ts";
import { type Log, serverStream, unary } from "./calls.ts";

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
        const spec = req.specYaml ? parseRuntimeSpec(req.specYaml, req.specFile || "spec.yaml") : undefined;
        const it = runtimes.install(req.name, { force: req.force, spec, signal });
        // Core ends with a "done" event and then returns the runtime: both go out as one last message.
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
      },
    ),

    removeRuntime: unary<pb.RemoveRuntimeRequest, pb.RemoveRuntimeResponse>(
      "RemoveRuntime",
      "admin",
      log,
      async (req) => ({ name: await runtimes.remove(req.name) }),
    ),
  };
}
