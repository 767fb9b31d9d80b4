/**
 * Upgrades from every earlier schema: for each version v below the current one, a database is built at v (the
 * first v migrations), given one row per table with that version's columns, opened with SqliteJobStore, and
 * the row must read back with its own values and the defaults for every field added later.
 *
 * Adding a migration? Add each new column to JOB_COLUMNS below with the value old rows read back as.
 */
import { assert, assertEquals } from "../../../tests/assert.ts";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { NO_RETRY } from "../../domain/job.ts";
import { NO_LIMITS } from "../../domain/limits.ts";
import { NO_USAGE } from "../../domain/metrics.ts";
import { migrate, MIGRATIONS, schemaVersion } from "./migrations.ts";
import { SqliteJobStore } from "./sqlite_store.ts";

interface ColumnFixture {
  /** The JobRecord field the column holds. */
  field: string;
  /** What an old row stores in the column. */
  stored: SQLInputValue;
  /** How that reads back. */
  read: unknown;
  /** How a row written before the column existed reads back; absent for columns of the first schema. */
  absent?: unknown;
}

const CRON = { expr: "*/5 * * * *", timezone: "UTC", allowOverlap: false, missed: "once" };
const ATTEMPT = { attempt: 1, startedAt: 11, endedAt: 12, status: "FAILED", exitCode: 3, reason: "exit 3" };
const EVENT = { time: 9, text: "started", jobId: "j1" };

/** Every column of the current `jobs` table. */
const JOB_COLUMNS: Record<string, ColumnFixture> = {
  name: { field: "name", stored: "old", read: "old" },
  command: { field: "command", stored: "true", read: "true" },
  args: { field: "args", stored: '["x","y z"]', read: ["x", "y z"] },
  env: { field: "env", stored: '{"A":"1"}', read: { A: "1" } },
  secret_env: { field: "secretEnv", stored: '{"T":"s"}', read: { T: "s" } },
  status: { field: "status", stored: "FAILED", read: "FAILED" },
  exit_code: { field: "exitCode", stored: 3, read: 3 },
  reason: { field: "reason", stored: "exit 3", read: "exit 3" },
  created_at: { field: "createdAt", stored: 10, read: 10 },
  started_at: { field: "startedAt", stored: 11, read: 11 },
  ended_at: { field: "endedAt", stored: 12, read: 12 },
  submitted_by: { field: "submittedBy", stored: "bob", read: "bob" },
  pid: { field: "pid", stored: 7, read: 7 },
  upload_count: { field: "uploadCount", stored: 2, read: 2, absent: 0 },
  upload_bytes: { field: "uploadBytes", stored: 1024, read: 1024, absent: 0 },
  limits: {
    field: "limits",
    stored: '{"memoryBytes":1048576}',
    read: { ...NO_LIMITS, memoryBytes: 1048576 },
    absent: NO_LIMITS,
  },
  usage: {
    field: "usage",
    stored: '{"cpuSeconds":1.5}',
    read: { ...NO_USAGE, cpuSeconds: 1.5 },
    absent: NO_USAGE,
  },
  scheduled_at: { field: "scheduledAt", stored: 5, read: 5, absent: 0 },
  late_ms: { field: "lateMs", stored: 1, read: 1, absent: 0 },
  cron: { field: "cron", stored: JSON.stringify(CRON), read: CRON, absent: null },
  schedule_id: { field: "scheduleId", stored: "sch", read: "sch", absent: "" },
  retry: {
    field: "retry",
    stored: '{"retries":2,"delayMs":1000,"noRetryOn":[2]}',
    read: { retries: 2, delayMs: 1000, noRetryOn: [2] },
    absent: NO_RETRY,
  },
  attempts: { field: "attempts", stored: JSON.stringify([ATTEMPT]), read: [ATTEMPT], absent: [] },
  history: { field: "history", stored: JSON.stringify([EVENT]), read: [EVENT], absent: [] },
  workflow_id: { field: "workflowId", stored: "wf1", read: "wf1", absent: "" },
  workflow_job: { field: "workflowJob", stored: "build", read: "build", absent: "" },
  requires: {
    field: "requires",
    stored: '[{"job":"a","status":"COMPLETED"}]',
    read: [{ job: "a", status: "COMPLETED" }],
    absent: [],
  },
  volumes: {
    field: "volumes",
    stored: '[{"name":"results","readOnly":true}]',
    read: [{ name: "results", readOnly: true }],
    absent: [],
  },
  runtime: { field: "runtime", stored: "python-3.11", read: "python-3.11", absent: "" },
};

function columnsOf(db: DatabaseSync, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

function hasTable(db: DatabaseSync, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** Inserts a job with the columns the database has now; returns which columns that was. */
function insertOldJob(db: DatabaseSync, id: string): string[] {
  const columns = columnsOf(db, "jobs").filter((c) => c !== "id");
  for (const c of columns) {
    assert(c in JOB_COLUMNS, `add column jobs.${c} to JOB_COLUMNS in migrations_test.ts`);
  }
  db.prepare(
    `INSERT INTO jobs (id, ${columns.join(", ")}) VALUES (?, ${columns.map(() => "?").join(", ")})`,
  ).run(id, ...columns.map((c) => JOB_COLUMNS[c].stored));
  return columns;
}

/** The record a row written with `columns` reads back as once every later column has its default. */
function expectedJob(id: string, columns: string[]): Record<string, unknown> {
  const job: Record<string, unknown> = { id };
  for (const [column, f] of Object.entries(JOB_COLUMNS)) {
    if (columns.includes(column)) job[f.field] = f.read;
    else {
      assert("absent" in f, `jobs.${column} is in the first schema but was missing at an earlier version`);
      job[f.field] = f.absent;
    }
  }
  return job;
}

function withTempDb(fn: (path: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-migrate-" });
  try {
    fn(`${dir}/jobs.db`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("JOB_COLUMNS names every column of the current jobs table (so each upgrade below is checked)", () => {
  const db = new DatabaseSync(":memory:");
  try {
    migrate(db);
    assertEquals(columnsOf(db, "jobs").filter((c) => c !== "id").sort(), Object.keys(JOB_COLUMNS).sort());
  } finally {
    db.close();
  }
});

for (let v = 1; v < MIGRATIONS.length; v++) {
  Deno.test(`SqliteJobStore opens a version ${v} database, migrates it and reads its rows with defaults`, () => {
    withTempDb((path) => {
      const old = new DatabaseSync(path);
      migrate(old, MIGRATIONS.slice(0, v));
      assertEquals(schemaVersion(old), v);
      const columns = insertOldJob(old, `v${v}-job`);
      const hadSamples = hasTable(old, "job_samples");
      if (hadSamples) {
        old.prepare("INSERT INTO job_samples (job_id, seq, sample) VALUES (?, 1, ?)").run(
          `v${v}-job`,
          JSON.stringify({ time: 11, cpuPercent: 50 }),
        );
      }
      const hadWorkflows = hasTable(old, "workflows");
      if (hadWorkflows) {
        old.prepare(
          `INSERT INTO workflows (id, name, file, yaml, selected_job, submitted_by, created_at, stopped_by)
           VALUES ('wf1', 'pipe', 'pipe.yaml', 'jobs: {}', '', 'bob', 10, '')`,
        ).run();
      }
      old.close();

      const store = SqliteJobStore.open(path);
      try {
        assertEquals(store.get(`v${v}-job`), expectedJob(`v${v}-job`, columns));
        assertEquals(store.list().map((j) => j.id), [`v${v}-job`]);
        if (hadSamples) assertEquals(store.samples(`v${v}-job`), [{ time: 11, cpuPercent: 50 }]);
        if (hadWorkflows) assertEquals(store.getWorkflow("wf1")?.name, "pipe");
        // The upgraded row takes every current field.
        store.update(`v${v}-job`, { workflowId: "wf2", uploadBytes: 9 });
        assertEquals(store.get(`v${v}-job`)?.workflowId, "wf2");
      } finally {
        store.close();
      }
      const db = new DatabaseSync(path);
      try {
        assertEquals(schemaVersion(db), MIGRATIONS.length);
      } finally {
        db.close();
      }
    });
  });
}

/**
 * The schema the first release (d07ce18) wrote, frozen here as SQL: the upgrade must not depend on
 * MIGRATIONS' first entries staying as they were.
 */
const FIRST_RELEASE_SQL = `
  CREATE TABLE jobs (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    command       TEXT    NOT NULL,
    args          TEXT    NOT NULL,
    env           TEXT    NOT NULL,
    secret_env    TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    exit_code     INTEGER,
    reason        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER NOT NULL,
    submitted_by  TEXT    NOT NULL,
    pid           INTEGER NOT NULL
  ) WITHOUT ROWID;
  ALTER TABLE jobs ADD COLUMN upload_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN upload_bytes INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX jobs_by_created ON jobs (created_at DESC, id DESC);
  CREATE INDEX jobs_by_status_created ON jobs (status, created_at DESC, id DESC);
  INSERT INTO jobs VALUES ('0a1b2c3d-0000-4000-8000-000000000001', 'build', 'sh', '["-c","echo hi"]',
    '{"X":"1"}', '{"TOKEN":"s3cret"}', 'COMPLETED', 0, '', 1700000000000, 1700000000100, 1700000000900,
    'alice', 0, 1, 12);
  INSERT INTO jobs VALUES ('0a1b2c3d-0000-4000-8000-000000000002', 'oops', 'false', '[]', '{}', '{}',
    'FAILED', 1, 'exit status 1', 1700000001000, 1700000001100, 1700000001200, 'alice', 0, 0, 0);
  PRAGMA user_version = 2;`;

Deno.test("SqliteJobStore upgrades a database written by the first released schema", () => {
  withTempDb((path) => {
    const old = new DatabaseSync(path);
    old.exec(FIRST_RELEASE_SQL);
    old.close();

    const store = SqliteJobStore.open(path);
    try {
      assertEquals(store.list().map((j) => [j.name, j.status]), [["oops", "FAILED"], ["build", "COMPLETED"]]);
      const built = store.get("0a1b2c3d-0000-4000-8000-000000000001")!;
      assertEquals(built.secretEnv, { TOKEN: "s3cret" });
      assertEquals([built.uploadCount, built.uploadBytes], [1, 12]);
      assertEquals(built.limits, NO_LIMITS);
      assertEquals(built.usage, NO_USAGE);
      assertEquals([built.cron, built.retry, built.requires, built.workflowId], [null, NO_RETRY, [], ""]);
      assertEquals(store.list({ statuses: ["FAILED"] }).map((j) => j.name), ["oops"]);
      assertEquals(store.listWorkflows(), []);
    } finally {
      store.close();
    }
  });
});
