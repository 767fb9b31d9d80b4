import { assertEquals } from "../../tests/assert.ts";
import type { JobStore } from "../core/ports.ts";
import { type JobRecord, PLAIN_JOB } from "../domain/job.ts";
import { NO_USAGE } from "../domain/metrics.ts";
import { loggingJobStore } from "./job_events.ts";
import { createLogger } from "./logger.ts";

function memoryStore(): JobStore {
  const jobs = new Map<string, JobRecord>();
  return {
    insert: (j) => void jobs.set(j.id, j),
    update: (id, patch) => {
      const j = { ...jobs.get(id)!, ...patch };
      jobs.set(id, j);
      return j;
    },
    get: (id) => jobs.get(id),
    findByPrefix: () => [],
    list: () => [...jobs.values()],
    delete: (id) => void jobs.delete(id),
    addSample: () => {},
    samples: () => [],
    counts: () => ({}),
    close: () => {},
  };
}

const JOB: JobRecord = {
  id: "j1",
  name: "",
  command: "curl",
  args: ["-H", "Authorization: Bearer hunter2"],
  env: { A: "1" },
  secretEnv: { TOKEN: "hunter2" },
  status: "INITIALIZING",
  exitCode: null,
  reason: "",
  createdAt: 1,
  startedAt: 0,
  endedAt: 0,
  submittedBy: "alice",
  pid: 0,
  uploadCount: 0,
  uploadBytes: 0,
  limits: { cpuPercent: 0, cpuCores: [], memoryBytes: 0, ioBps: 0, pids: 0, timeoutMs: 0 } as never,
  usage: NO_USAGE,
  ...PLAIN_JOB,
};

Deno.test("loggingJobStore() logs creation and each status change, never arguments or secrets", () => {
  const lines: string[] = [];
  const log = createLogger({ format: "json", level: "info" }, { write: (l) => lines.push(l) });
  const store = loggingJobStore(memoryStore(), log);
  store.insert(JOB);
  store.update("j1", { status: "RUNNING", pid: 5 });
  store.update("j1", { usage: NO_USAGE });
  store.update("j1", { status: "FAILED", exitCode: 1, reason: "exit code 1" });
  store.delete("j1");
  const events = lines.map((l) => JSON.parse(l));
  assertEquals(events.map((e) => [e.level, e.msg, e.status, e.from]), [
    ["info", "job created", "INITIALIZING", undefined],
    ["info", "job status", "RUNNING", "INITIALIZING"],
    ["warn", "job status", "FAILED", "RUNNING"],
    ["info", "job deleted", undefined, undefined],
  ]);
  assertEquals([events[0].by, events[0].command, events[2].exit_code], ["alice", "curl", 1]);
  assertEquals(lines.some((l) => l.includes("hunter2") || l.includes("Authorization")), false);
});

Deno.test("loggingJobStore() passes other calls through to the store", () => {
  const store = loggingJobStore(memoryStore(), createLogger({ format: "text", level: "error" }));
  store.insert(JOB);
  assertEquals(store.list().map((j) => j.id), ["j1"]);
  assertEquals(store.get("j1")?.submittedBy, "alice");
});
