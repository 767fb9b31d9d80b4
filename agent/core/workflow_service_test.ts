/** Workflows over JobService with fake jobs: order, cascade, stop, one job alone, restart. */
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { fakeWorld, until } from "./_fake_world.ts";
import type { JobService } from "./job_service.ts";
import { SqliteJobStore } from "../os/store/sqlite_store.ts";

const YAML = `jobs:
  extract:
    command: extract
  validate:
    command: validate
    requires:
      - extract: COMPLETED
  report:
    command: report
    requires:
      - validate: COMPLETED
  cleanup:
    command: cleanup
    requires:
      - validate: FAILED
  side:
    command: side
`;

async function* none() {}

const statuses = (jobs: JobService, id: string) =>
  Object.fromEntries(jobs.workflows.get(id).jobs.map((j) => [j.workflowJob, j.status]));

async function settled(jobs: JobService, id: string) {
  await until(
    () => ["COMPLETED", "FAILED", "CANCELED"].includes(jobs.workflows.get(id).status),
    "workflow end",
  );
  return jobs.workflows.get(id);
}

Deno.test("a workflow runs jobs in dependency order; independent jobs start at once", async () => {
  const w = fakeWorld({ code: 0 });
  const v = await w.jobs.workflows.submit({ file: "p.yaml", yaml: YAML, only: "" }, none(), "alice");
  assertEquals(w.launches.map((l) => l.command).sort(), ["extract", "side"]);
  const done = await settled(w.jobs, v.workflow.id);
  assertEquals(statuses(w.jobs, v.workflow.id), {
    extract: "COMPLETED",
    validate: "COMPLETED",
    report: "COMPLETED",
    cleanup: "CANCELED",
    side: "COMPLETED",
  });
  const byName = Object.fromEntries(done.jobs.map((j) => [j.workflowJob, j]));
  assert(byName.validate.startedAt >= byName.extract.endedAt, "validate started after extract ended");
  assertEquals(done.status, "COMPLETED");
  w.cleanup();
});

Deno.test("a FAILED job cancels its dependants, cascading, and a FAILED requirement runs the clean-up", async () => {
  const w = fakeWorld({ code: (req) => req.command === "validate" ? 1 : 0 });
  const v = await w.jobs.workflows.submit({ file: "p.yaml", yaml: YAML, only: "" }, none(), "alice");
  const done = await settled(w.jobs, v.workflow.id);
  assertEquals(statuses(w.jobs, v.workflow.id), {
    extract: "COMPLETED",
    validate: "FAILED",
    report: "CANCELED",
    cleanup: "COMPLETED",
    side: "COMPLETED",
  });
  assertEquals(done.status, "FAILED");
  assertEquals(
    done.jobs.find((j) => j.workflowJob === "report")!.reason,
    "requirement not met: validate is FAILED, not COMPLETED",
  );
  w.cleanup();
});

Deno.test("stopping a workflow stops running jobs and cancels pending ones", async () => {
  const w = fakeWorld({ code: "wait" });
  const v = await w.jobs.workflows.submit({ file: "p.yaml", yaml: YAML, only: "" }, none(), "alice");
  await until(() => w.launches.length === 2, "two launches");
  const stopped = await w.jobs.workflows.stop(v.workflow.id, "bob");
  assertEquals(statuses(w.jobs, v.workflow.id), {
    extract: "STOPPED",
    validate: "CANCELED",
    report: "CANCELED",
    cleanup: "CANCELED",
    side: "STOPPED",
  });
  assertEquals(w.jobs.workflows.get(v.workflow.id).status, "CANCELED");
  assertEquals(stopped.workflow.stoppedBy, "bob");
  w.cleanup();
});

Deno.test("file:job runs that one job alone; an unknown job is refused with a suggestion", async () => {
  const w = fakeWorld({ code: 0 });
  const v = await w.jobs.workflows.submit({ file: "p.yaml", yaml: YAML, only: "report" }, none(), "alice");
  assertEquals((await settled(w.jobs, v.workflow.id)).jobs.map((j) => [j.workflowJob, j.status]), [
    ["report", "COMPLETED"],
  ]);
  await assertRejects(
    () => w.jobs.workflows.submit({ file: "p.yaml", yaml: YAML, only: "reprt" }, none(), "alice"),
    /has no job "reprt" \(did you mean "report"\?\)/,
  );
  w.cleanup();
});

Deno.test("after a restart, pending jobs of a workflow start once their requirements hold", async () => {
  const dir = Deno.makeTempDirSync();
  const store = SqliteJobStore.open(`${dir}/jobs.db`);
  const w1 = fakeWorld({ code: "wait", store, dir });
  const yaml = "jobs:\n  a:\n    command: a\n    retries: 1\n    retry_delay: 0s\n  b:\n    command: b\n" +
    "    requires: [{ a: COMPLETED }]\n";
  const v = await w1.jobs.workflows.submit({ file: "p.yaml", yaml, only: "" }, none(), "alice");
  await until(() => w1.launches.length === 1, "a launched");
  w1.jobs.shutdown(); // the agent dies with a RUNNING
  const w2 = fakeWorld({ code: 0, store, dir });
  await w2.jobs.recover();
  const done = await settled(w2.jobs, v.workflow.id);
  assertEquals(done.jobs.map((j) => [j.workflowJob, j.status, j.attempts.length]), [
    ["a", "COMPLETED", 1],
    ["b", "COMPLETED", 0],
  ]);
  w2.cleanup();
});

Deno.test("runtime: and max_disk: are checked against the agent before any job of the workflow exists", async () => {
  const w = fakeWorld({ code: 0 });
  const rt = "jobs:\n  a:\n    command: a\n  b:\n    command: python3\n    runtime: python-3.11\n";
  await assertRejects(
    () => w.jobs.workflows.submit({ file: "p.yaml", yaml: rt, only: "" }, none(), "alice"),
    /p\.yaml:6:14: b: this agent has no runtimes/,
  );
  // Run alone, job a needs no runtime.
  await w.jobs.workflows.submit({ file: "p.yaml", yaml: rt, only: "a" }, none(), "alice");
  const disk = "jobs:\n  a:\n    command: a\n    resources: { max_disk: 64MB }\n";
  await assertRejects(
    () => w.jobs.workflows.submit({ file: "p.yaml", yaml: disk, only: "" }, none(), "alice"),
    /cannot limit the size of \/work/,
  );
  assertEquals(w.jobs.list().length, 1);
  w.jobs.shutdown();
  w.cleanup();
});
