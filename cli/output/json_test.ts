import assert from "node:assert/strict";
import { JobStatus } from "../../proto/gen/joblet.ts";
import { sampleJob } from "../_testing.ts";
import { jobToJson, protoStatus, statusName } from "./json.ts";

Deno.test("jobToJson() uses the snake_case keys scripts read", () => {
  assert.deepEqual(jobToJson(sampleJob(), 0), {
    id: "0a1b2c3d-0000-4000-8000-000000000001",
    name: "build",
    status: "COMPLETED",
    exit_code: 0,
    reason: "",
    command: "sh",
    args: ["-c", "echo $X"],
    env: { X: "1" },
    secret_env: { TOKEN: "***" },
    created_time: "2024-01-02T03:04:05.000Z",
    start_time: "2024-01-02T03:04:06.000Z",
    end_time: "2024-01-02T03:04:08.500Z",
    duration_ms: 2500,
    submitted_by: "alice",
    pid: 0,
    log_bytes: 12,
    upload_count: 0,
    upload_bytes: 0,
    network: "",
    volumes: [],
    limits: {
      max_cpu_percent: 0,
      cpu_cores: "",
      max_memory_bytes: 0,
      max_io_bps: 0,
      max_pids: 0,
      timeout_ms: 0,
    },
    usage: {
      cpu_seconds: 0,
      peak_memory_bytes: 0,
      io_read_bytes: 0,
      io_write_bytes: 0,
      oom_killed: false,
      cpu_throttled_us: 0,
    },
    scheduled_time: null,
    late_ms: 0,
    cron: null,
    schedule_id: "",
    retry: { retries: 0, delay_ms: 0, no_retry_on: [] },
    attempts: [],
    history: [],
    workflow_id: "",
    workflow_job: "",
    requires: [],
  });
});

Deno.test("jobToJson() gives null exit code and times for a job that has not started", () => {
  const j = jobToJson(
    sampleJob({
      status: JobStatus.JOB_STATUS_INITIALIZING,
      exitCode: undefined,
      startUnixMs: 0,
      endUnixMs: 0,
    }),
    99,
  );
  assert.equal(j.status, "INITIALIZING");
  assert.equal(j.exit_code, null);
  assert.equal(j.start_time, null);
  assert.equal(j.end_time, null);
  assert.equal(j.duration_ms, null);
});

Deno.test("statusName() strips the prefix and calls unknown values UNKNOWN", () => {
  assert.equal(statusName(JobStatus.JOB_STATUS_STOPPED), "STOPPED");
  assert.equal(statusName(JobStatus.JOB_STATUS_UNSPECIFIED), "UNKNOWN");
  assert.equal(statusName(42 as JobStatus), "UNKNOWN");
  assert.equal(protoStatus("FAILED"), JobStatus.JOB_STATUS_FAILED);
});
