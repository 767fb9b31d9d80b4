import { assert, assertEquals } from "../../../tests/assert.ts";
import { DatabaseSync } from "node:sqlite";
import { JobletError } from "../../domain/errors.ts";
import { type JobRecord, PLAIN_JOB } from "../../domain/job.ts";
import { NO_LIMITS } from "../../domain/limits.ts";
import { NO_USAGE } from "../../domain/metrics.ts";
import { migrate, MIGRATIONS, schemaVersion } from "./migrations.ts";
import { FIND_BY_PREFIX_SQL, SqliteJobStore, successor } from "./sqlite_store.ts";

function job(id: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    name: `job-${id.slice(0, 4)}`,
    command: "echo",
    args: ["hello", "wörld", "a b"],
    env: { A: "1", EMPTY: "" },
    secretEnv: { TOKEN: "s3cret" },
    status: "INITIALIZING",
    exitCode: null,
    reason: "",
    createdAt: 1_700_000_000_000,
    startedAt: 0,
    endedAt: 0,
    submittedBy: "alice",
    pid: 0,
    uploadCount: 0,
    uploadBytes: 0,
    limits: { ...NO_LIMITS, memoryBytes: 64 * 1024 ** 2, cpuCores: [0, 2] },
    usage: NO_USAGE,
    ...PLAIN_JOB,
    ...over,
  };
}

function withStore(fn: (store: SqliteJobStore, path: string) => void): () => void {
  return () => {
    const dir = Deno.makeTempDirSync({ prefix: "joblet-store-" });
    const path = `${dir}/state/jobs.db`;
    const store = SqliteJobStore.open(path);
    try {
      fn(store, path);
    } finally {
      store.close();
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

/** The JobletError that `fn` throws. */
function thrown(fn: () => unknown): JobletError {
  try {
    fn();
  } catch (e) {
    if (e instanceof JobletError) return e;
    throw e;
  }
  throw new Error("expected a JobletError, but nothing was thrown");
}

function code(fn: () => unknown): string {
  return thrown(fn).code;
}

Deno.test(
  "insert then get returns the same record, JSON columns included",
  withStore((store) => {
    const j = job("0a1b2c3d-0000-4000-8000-000000000001", { exitCode: 3 });
    store.insert(j);
    assertEquals(store.get(j.id), j);
    assertEquals(store.get("ffffffff-0000-4000-8000-000000000000"), undefined);
  }),
);

Deno.test(
  "insert of an existing id throws AlreadyExists",
  withStore((store) => {
    store.insert(job("aaaa"));
    assertEquals(code(() => store.insert(job("aaaa"))), "AlreadyExists");
  }),
);

Deno.test(
  "records survive closing and reopening the database",
  withStore((store, path) => {
    store.insert(job("aaaa"));
    store.update("aaaa", { status: "RUNNING", pid: 42 });
    store.close();
    const again = SqliteJobStore.open(path);
    try {
      assertEquals(again.get("aaaa"), job("aaaa", { status: "RUNNING", pid: 42 }));
    } finally {
      again.close();
    }
  }),
);

Deno.test(
  "update applies only the patched fields and returns the new record",
  withStore((store) => {
    store.insert(job("aaaa"));
    const updated = store.update("aaaa", {
      status: "FAILED",
      exitCode: 1,
      reason: "exited with code 1",
      endedAt: 5,
      env: { B: "2" },
    });
    const expected = job("aaaa", {
      status: "FAILED",
      exitCode: 1,
      reason: "exited with code 1",
      endedAt: 5,
      env: { B: "2" },
    });
    assertEquals(updated, expected);
    assertEquals(store.get("aaaa"), expected);
    assertEquals(store.update("aaaa", { exitCode: null }).exitCode, null);
  }),
);

Deno.test(
  "update of an unknown id throws NotFound, also with an empty patch",
  withStore((store) => {
    assertEquals(code(() => store.update("nope", { status: "RUNNING" })), "NotFound");
    assertEquals(code(() => store.update("nope", {})), "NotFound");
  }),
);

Deno.test(
  "update refuses to change the id",
  withStore((store) => {
    store.insert(job("aaaa"));
    assertEquals(code(() => store.update("aaaa", { id: "bbbb" } as Partial<JobRecord>)), "Internal");
    assert(store.get("aaaa"));
  }),
);

Deno.test(
  "findByPrefix returns only ids that start with the prefix, in id order, at most max",
  withStore((store) => {
    for (const id of ["ab00", "ab01", "ab02", "ab0f", "ab1", "ac00", "aa", "a"]) store.insert(job(id));
    assertEquals(store.findByPrefix("ab0", 10).map((j) => j.id), ["ab00", "ab01", "ab02", "ab0f"]);
    assertEquals(store.findByPrefix("ab0", 2).map((j) => j.id), ["ab00", "ab01"]);
    assertEquals(store.findByPrefix("ab01", 10).map((j) => j.id), ["ab01"]);
    assertEquals(store.findByPrefix("a", 100).length, 8);
    assertEquals(store.findByPrefix("b", 10), []);
    assertEquals(store.findByPrefix("", 3).length, 3);
    assertEquals(store.findByPrefix("a", 0), []);
  }),
);

Deno.test(
  "findByPrefix is a range search of the primary key, not a table scan",
  withStore((_store, path) => {
    const db = new DatabaseSync(path);
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${FIND_BY_PREFIX_SQL}`).all("ab", "ac", 5) as {
        detail: string;
      }[];
      const detail = plan.map((p) => p.detail).join("; ");
      assert(/SEARCH jobs USING PRIMARY KEY \(id>\? AND id<\?\)/.test(detail), detail);
    } finally {
      db.close();
    }
  }),
);

Deno.test("successor() bumps the last character", () => {
  assertEquals(successor("ab0"), "ab1");
  assertEquals(successor("ab-"), "ab.");
  assertEquals(successor("f"), "g");
});

Deno.test(
  "list returns newest first, filters by status and honours the limit",
  withStore((store) => {
    store.insert(job("j1", { createdAt: 100, status: "COMPLETED" }));
    store.insert(job("j2", { createdAt: 300, status: "RUNNING" }));
    store.insert(job("j3", { createdAt: 200, status: "FAILED" }));
    store.insert(job("j4", { createdAt: 300, status: "COMPLETED" }));
    assertEquals(store.list().map((j) => j.id), ["j4", "j2", "j3", "j1"]);
    assertEquals(store.list({ limit: 2 }).map((j) => j.id), ["j4", "j2"]);
    assertEquals(store.list({ limit: 0 }).length, 4);
    assertEquals(store.list({ statuses: ["COMPLETED"] }).map((j) => j.id), ["j4", "j1"]);
    assertEquals(store.list({ statuses: ["FAILED", "RUNNING"], limit: 5 }).map((j) => j.id), ["j2", "j3"]);
    assertEquals(store.list({ statuses: ["STOPPED"] }), []);
  }),
);

Deno.test(
  "delete removes the record and ignores unknown ids",
  withStore((store) => {
    store.insert(job("aaaa"));
    store.delete("aaaa");
    store.delete("aaaa");
    assertEquals(store.get("aaaa"), undefined);
  }),
);

Deno.test(
  "open uses WAL, creates the parent directory and makes the file readable by its owner only",
  withStore((_store, path) => {
    assertEquals(Deno.statSync(path).mode! & 0o777, 0o600);
    const db = new DatabaseSync(path);
    try {
      assertEquals((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "wal");
      assertEquals(schemaVersion(db), MIGRATIONS.length);
    } finally {
      db.close();
    }
  }),
);

Deno.test("open migrates a database created at schema version 1 and keeps its rows", () => {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-store-" });
  const path = `${dir}/jobs.db`;
  try {
    const old = new DatabaseSync(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    assertEquals(schemaVersion(old), 1);
    old.prepare(
      `INSERT INTO jobs (id, name, command, args, env, secret_env, status, exit_code, reason, created_at,
         started_at, ended_at, submitted_by, pid)
       VALUES ('v1job', 'old', 'true', '["x"]', '{}', '{}', 'COMPLETED', 0, '', 10, 11, 12, 'bob', 7)`,
    ).run();
    old.close();

    const store = SqliteJobStore.open(path);
    try {
      assertEquals(store.get("v1job"), {
        id: "v1job",
        name: "old",
        command: "true",
        args: ["x"],
        env: {},
        secretEnv: {},
        status: "COMPLETED",
        exitCode: 0,
        reason: "",
        createdAt: 10,
        startedAt: 11,
        endedAt: 12,
        submittedBy: "bob",
        pid: 7,
        uploadCount: 0,
        uploadBytes: 0,
        limits: NO_LIMITS,
        usage: NO_USAGE,
        ...PLAIN_JOB,
      });
      store.update("v1job", { uploadCount: 2, uploadBytes: 1024 });
      assertEquals(store.get("v1job")?.uploadBytes, 1024);
    } finally {
      store.close();
    }
    const db = new DatabaseSync(path);
    assertEquals(schemaVersion(db), MIGRATIONS.length);
    db.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("migrate appends a later migration and a failing one leaves the version unchanged", () => {
  const db = new DatabaseSync(":memory:");
  try {
    migrate(db);
    db.exec(
      "INSERT INTO jobs (id, name, command, args, env, secret_env, status, reason, created_at, " +
        "started_at, ended_at, submitted_by, pid) VALUES ('x', '', '', '[]', '{}', '{}', 'RUNNING', '', 0, 0, 0, '', 0)",
    );
    const later = [...MIGRATIONS, {
      name: "add note",
      sql: "ALTER TABLE jobs ADD COLUMN note TEXT NOT NULL DEFAULT 'n'",
    }];
    migrate(db, later);
    assertEquals(schemaVersion(db), later.length);
    assertEquals((db.prepare("SELECT note FROM jobs").get() as { note: string }).note, "n");

    const broken = [...later, {
      name: "broken",
      sql: "ALTER TABLE jobs ADD COLUMN a INT; SELECT * FROM nowhere",
    }];
    assertEquals(code(() => migrate(db, broken)), "Internal");
    assertEquals(schemaVersion(db), later.length);
    const cols = db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[];
    assert(!cols.some((c) => c.name === "a"), "the failed step must be rolled back");
  } finally {
    db.close();
  }
});

Deno.test("open refuses a database written by a newer joblet", () => {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-store-" });
  try {
    const db = new DatabaseSync(`${dir}/jobs.db`);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const e = thrown(() => SqliteJobStore.open(`${dir}/jobs.db`));
    assertEquals(e.code, "FailedPrecondition");
    assert(e.message.includes(`schema version is ${MIGRATIONS.length + 1}`), e.message);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test(
  "metric samples are kept newest-last, bounded per job, and go with the job",
  withStore((store) => {
    store.insert(job("a1"));
    const sample = (time: number) => ({
      time,
      cpuSeconds: time,
      cpuPercent: 0,
      cpuThrottledUs: 0,
      memoryBytes: 1,
      memoryPeakBytes: 1,
      ioReadBytes: 0,
      ioWriteBytes: 0,
      pids: 1,
    });
    for (let t = 1; t <= 5; t++) store.addSample("a1", sample(t), 3);
    assertEquals(store.samples("a1").map((s) => s.time), [3, 4, 5]);
    assertEquals(store.counts(), { INITIALIZING: 1 });
    store.delete("a1");
    assertEquals(store.samples("a1"), []);
  }),
);

Deno.test(
  "rows written before limits and usage existed read back as unlimited and unused",
  withStore((store, path) => {
    store.insert(job("b1"));
    const db = new DatabaseSync(path);
    db.exec("UPDATE jobs SET limits = '{}', usage = '{}'");
    db.close();
    const got = store.get("b1")!;
    assertEquals([got.limits, got.usage], [NO_LIMITS, NO_USAGE]);
  }),
);

Deno.test(
  "schedule, retry and workflow fields round-trip, and a workflow's jobs come back in creation order",
  withStore((store) => {
    const scheduled = job("c1000000-0000-4000-8000-000000000001", {
      status: "SCHEDULED",
      scheduledAt: 1_700_000_600_000,
      cron: { expr: "*/5 * * * *", timezone: "UTC", allowOverlap: false, missed: "once" },
      retry: { retries: 2, delayMs: 1000, noRetryOn: [2, 3] },
      attempts: [{ attempt: 1, startedAt: 1, endedAt: 2, status: "FAILED", exitCode: 1, reason: "x" }],
      history: [{ time: 5, text: "tick skipped", jobId: "" }],
    });
    store.insert(scheduled);
    assertEquals(store.get(scheduled.id), scheduled);
    store.insertWorkflow({
      id: "w1",
      name: "pipe",
      file: "pipe.yaml",
      yaml: "jobs: {}\n",
      selectedJob: "",
      submittedBy: "alice",
      createdAt: 10,
      stoppedBy: "",
    });
    store.transaction(() => {
      store.insert(job("d2", { workflowId: "w1", workflowJob: "b", createdAt: 2, requires: [] }));
      store.insert(job("d1", {
        workflowId: "w1",
        workflowJob: "a",
        createdAt: 1,
        requires: [{ job: "b", status: "COMPLETED" }],
      }));
    });
    assertEquals(store.jobsOfWorkflow("w1").map((j) => j.workflowJob), ["a", "b"]);
    assertEquals(store.jobsOfWorkflow("w1")[0].requires, [{ job: "b", status: "COMPLETED" }]);
    assertEquals(store.updateWorkflow("w1", { stoppedBy: "bob" }).stoppedBy, "bob");
    assertEquals(store.findWorkflowsByPrefix("w", 5).map((w) => w.id), ["w1"]);
    assertEquals(store.listWorkflows().length, 1);
  }),
);
