/**
 * Durable job records in SQLite (node:sqlite, bundled with Deno). One table, `jobs`; args, env and secretEnv
 * are JSON text. See docs/adr/0003-state-and-logs.md for why SQLite, WAL and synchronous=NORMAL.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { JobFilter, JobStore } from "../../core/ports.ts";
import { JobletError, notFound } from "../../domain/errors.ts";
import { type JobRecord, NO_RETRY, PLAIN_JOB } from "../../domain/job.ts";
import type { WorkflowRecord } from "../../domain/workflow.ts";
import type { WorkflowStore } from "../../core/workflow_ports.ts";
import { NO_LIMITS } from "../../domain/limits.ts";
import { type JobSample, NO_USAGE } from "../../domain/metrics.ts";

import { migrate } from "./migrations.ts";

export interface SqliteStoreOptions {
  /** NORMAL (default) survives a crash of the agent; FULL also the last commits on power loss. */
  synchronous?: "NORMAL" | "FULL";
  /** How long a statement waits for a lock held by another connection, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/** JobRecord field → column. Every field except `id` may be patched. */
const COLUMNS = {
  id: "id",
  name: "name",
  command: "command",
  args: "args",
  env: "env",
  secretEnv: "secret_env",
  status: "status",
  exitCode: "exit_code",
  reason: "reason",
  createdAt: "created_at",
  startedAt: "started_at",
  endedAt: "ended_at",
  submittedBy: "submitted_by",
  pid: "pid",
  uploadCount: "upload_count",
  uploadBytes: "upload_bytes",
  limits: "limits",
  usage: "usage",
  scheduledAt: "scheduled_at",
  lateMs: "late_ms",
  cron: "cron",
  scheduleId: "schedule_id",
  retry: "retry",
  attempts: "attempts",
  history: "history",
  workflowId: "workflow_id",
  workflowJob: "workflow_job",
  requires: "requires",
  volumes: "volumes",
  runtime: "runtime",
} as const satisfies Record<keyof JobRecord, string>;

type Field = keyof JobRecord;
const FIELDS = Object.keys(COLUMNS) as Field[];
const JSON_FIELDS: ReadonlySet<Field> = new Set([
  "args",
  "env",
  "secretEnv",
  "limits",
  "usage",
  "cron",
  "retry",
  "attempts",
  "history",
  "requires",
  "volumes",
]);
/** Rows written before a column existed read back with these (migrations 3 and 4 store '{}'). */
const JSON_DEFAULTS: Partial<Record<Field, unknown>> = {
  limits: NO_LIMITS,
  usage: NO_USAGE,
  retry: NO_RETRY,
};
const SELECT = `SELECT ${FIELDS.map((f) => COLUMNS[f]).join(", ")} FROM jobs`;

/** Range scan of the primary key: every id in [prefix, successor(prefix)). */
export const FIND_BY_PREFIX_SQL = `${SELECT} WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`;

/** SQLITE_CONSTRAINT_PRIMARYKEY */
const PRIMARY_KEY_CONFLICT = 1555;

const WORKFLOW_COLUMNS = {
  id: "id",
  name: "name",
  file: "file",
  yaml: "yaml",
  selectedJob: "selected_job",
  submittedBy: "submitted_by",
  createdAt: "created_at",
  stoppedBy: "stopped_by",
} as const satisfies Record<keyof WorkflowRecord, string>;
type WorkflowField = keyof WorkflowRecord;
const WORKFLOW_FIELDS = Object.keys(WORKFLOW_COLUMNS) as WorkflowField[];
const WORKFLOW_SELECT = `SELECT ${WORKFLOW_FIELDS.map((f) => WORKFLOW_COLUMNS[f]).join(", ")} FROM workflows`;

export class SqliteJobStore implements JobStore, WorkflowStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Opens (creating if needed) the database at `path` and migrates it to the current schema. */
  static open(path: string, opts: SqliteStoreOptions = {}): SqliteJobStore {
    const inMemory = path === ":memory:";
    if (!inMemory) ensureParentDir(path);
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path);
    } catch (e) {
      throw new JobletError("Internal", `Cannot open job database ${path}: ${errorText(e)}`, { cause: e });
    }
    try {
      // The file holds secretEnv: only root may read it (the -wal and -shm files inherit this mode).
      if (!inMemory) Deno.chmodSync(path, 0o600);
      db.exec(`PRAGMA busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
      const mode = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode: string };
      if (!inMemory && mode.journal_mode !== "wal") {
        throw new JobletError(
          "FailedPrecondition",
          `Cannot open job database ${path}: journal_mode is "${mode.journal_mode}", not "wal" ` +
            `(the file system must support shared memory, e.g. not NFS)`,
        );
      }
      db.exec(`PRAGMA synchronous = ${opts.synchronous ?? "NORMAL"}`);
      migrate(db, undefined, path);
    } catch (e) {
      db.close();
      if (e instanceof JobletError) throw e;
      throw new JobletError("Internal", `Cannot open job database ${path}: ${errorText(e)}`, { cause: e });
    }
    return new SqliteJobStore(db);
  }

  insert(job: JobRecord): void {
    const sql = `INSERT INTO jobs (${FIELDS.map((f) => COLUMNS[f]).join(", ")}) ` +
      `VALUES (${FIELDS.map(() => "?").join(", ")})`;
    // Records built before scheduling and workflows existed (old callers, untyped code) get their defaults.
    const full: JobRecord = { ...PLAIN_JOB, ...job };
    try {
      this.#statement(sql).run(
        ...FIELDS.map((f) => toColumn(f, full[f])),
      );
    } catch (e) {
      if (sqliteErrcode(e) === PRIMARY_KEY_CONFLICT) {
        throw new JobletError(
          "AlreadyExists",
          `Cannot store job ${job.id}: a job with this id already exists`,
        );
      }
      throw e;
    }
  }

  update(id: string, patch: Partial<Omit<JobRecord, "id">>): JobRecord {
    const fields = (Object.keys(patch) as Field[]).filter((f) =>
      patch[f as keyof typeof patch] !== undefined
    );
    for (const f of fields) {
      if (f === "id" || !(f in COLUMNS)) {
        throw new JobletError(
          "Internal",
          `Cannot update job ${id}: "${f}" is not a field that can be changed`,
        );
      }
    }
    if (fields.length === 0) {
      const job = this.get(id);
      if (!job) throw notFound(`Cannot update job ${id}: no such job`);
      return job;
    }
    const sql = `UPDATE jobs SET ${fields.map((f) => `${COLUMNS[f]} = ?`).join(", ")} WHERE id = ? ` +
      `RETURNING ${FIELDS.map((f) => COLUMNS[f]).join(", ")}`;
    const values = fields.map((f) => toColumn(f, patch[f as keyof typeof patch]));
    const row = this.#statement(sql).get(...values, id);
    if (!row) throw notFound(`Cannot update job ${id}: no such job`);
    return fromRow(row);
  }

  get(id: string): JobRecord | undefined {
    const row = this.#statement(`${SELECT} WHERE id = ?`).get(id);
    return row ? fromRow(row) : undefined;
  }

  findByPrefix(prefix: string, max: number): JobRecord[] {
    if (max <= 0) return [];
    if (prefix === "") return this.#statement(`${SELECT} ORDER BY id LIMIT ?`).all(max).map(fromRow);
    return this.#statement(FIND_BY_PREFIX_SQL).all(prefix, successor(prefix), max).map(fromRow);
  }

  list(filter: JobFilter = {}): JobRecord[] {
    const statuses = filter.statuses ?? [];
    const where = statuses.length > 0 ? ` WHERE status IN (${statuses.map(() => "?").join(", ")})` : "";
    const sql = `${SELECT}${where} ORDER BY created_at DESC, id DESC LIMIT ?`;
    const limit = filter.limit && filter.limit > 0 ? filter.limit : -1;
    return this.#statement(sql).all(...statuses, limit).map(fromRow);
  }

  /** Removes the record; removing an unknown id does nothing. */
  delete(id: string): void {
    this.#db.exec("BEGIN");
    try {
      this.#statement("DELETE FROM job_samples WHERE job_id = ?").run(id);
      this.#statement("DELETE FROM jobs WHERE id = ?").run(id);
      this.#db.exec("COMMIT");
    } catch (e) {
      this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  addSample(jobId: string, sample: JobSample, keep: number): void {
    const last = this.#statement("SELECT MAX(seq) AS seq FROM job_samples WHERE job_id = ?").get(jobId) as {
      seq: number | null;
    };
    const seq = (last.seq ?? 0) + 1;
    this.#statement("INSERT INTO job_samples (job_id, seq, sample) VALUES (?, ?, ?)").run(
      jobId,
      seq,
      JSON.stringify(sample),
    );
    if (seq > keep) {
      this.#statement("DELETE FROM job_samples WHERE job_id = ? AND seq <= ?").run(jobId, seq - keep);
    }
  }

  counts(): Record<string, number> {
    const rows = this.#statement("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status").all() as {
      status: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  samples(jobId: string): JobSample[] {
    const rows = this.#statement("SELECT sample FROM job_samples WHERE job_id = ? ORDER BY seq").all(
      jobId,
    ) as {
      sample: string;
    }[];
    return rows.map((r) => JSON.parse(r.sample));
  }

  jobsOfWorkflow(workflowId: string): JobRecord[] {
    return this.#statement(`${SELECT} WHERE workflow_id = ? ORDER BY created_at, id`).all(workflowId).map(
      fromRow,
    );
  }

  insertWorkflow(w: WorkflowRecord): void {
    const sql = `INSERT INTO workflows (${WORKFLOW_FIELDS.map((f) => WORKFLOW_COLUMNS[f]).join(", ")}) ` +
      `VALUES (${WORKFLOW_FIELDS.map(() => "?").join(", ")})`;
    this.#statement(sql).run(...WORKFLOW_FIELDS.map((f) => w[f]));
  }

  updateWorkflow(id: string, patch: Partial<Omit<WorkflowRecord, "id">>): WorkflowRecord {
    const fields = (Object.keys(patch) as WorkflowField[]).filter((f) =>
      f !== "id" && f in WORKFLOW_COLUMNS && patch[f as keyof typeof patch] !== undefined
    );
    if (fields.length > 0) {
      const sql = `UPDATE workflows SET ${fields.map((f) => `${WORKFLOW_COLUMNS[f]} = ?`).join(", ")} ` +
        `WHERE id = ?`;
      this.#statement(sql).run(...fields.map((f) => patch[f as keyof typeof patch] as SQLInputValue), id);
    }
    const w = this.getWorkflow(id);
    if (!w) throw notFound(`Cannot update workflow ${id}: no such workflow`);
    return w;
  }

  getWorkflow(id: string): WorkflowRecord | undefined {
    const row = this.#statement(`${WORKFLOW_SELECT} WHERE id = ?`).get(id);
    return row ? workflowFromRow(row) : undefined;
  }

  findWorkflowsByPrefix(prefix: string, max: number): WorkflowRecord[] {
    if (max <= 0 || prefix === "") return [];
    return this.#statement(`${WORKFLOW_SELECT} WHERE id >= ? AND id < ? ORDER BY id LIMIT ?`)
      .all(prefix, successor(prefix), max).map(workflowFromRow);
  }

  listWorkflows(limit = 0): WorkflowRecord[] {
    return this.#statement(`${WORKFLOW_SELECT} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(limit > 0 ? limit : -1).map(workflowFromRow);
  }

  deleteWorkflow(id: string): void {
    this.#statement("DELETE FROM workflows WHERE id = ?").run(id);
  }

  transaction<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.#db.exec("COMMIT");
      return out;
    } catch (e) {
      this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
    this.#statements.clear();
  }

  #statement(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }
}

/**
 * The smallest string greater than every string starting with `prefix`: the last UTF-16 unit plus one.
 * SQLite compares TEXT with memcmp on UTF-8, which orders like code points, so this bounds the range.
 */
export function successor(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function toColumn(field: Field, value: unknown): SQLInputValue {
  if (field === "volumes" && value === undefined) return "[]"; // optional in JobRecord
  if (field === "runtime" && value === undefined) return "";
  if (JSON_FIELDS.has(field)) return JSON.stringify(value);
  return value as SQLInputValue;
}

function fromRow(row: Record<string, SQLInputValue>): JobRecord {
  const job: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = row[COLUMNS[f]];
    if (!JSON_FIELDS.has(f)) job[f] = v;
    else {
      const parsed = JSON.parse(v as string);
      job[f] = f in JSON_DEFAULTS ? { ...JSON_DEFAULTS[f] as object, ...parsed } : parsed;
    }
  }
  return job as unknown as JobRecord;
}

function workflowFromRow(row: Record<string, SQLInputValue>): WorkflowRecord {
  const w: Record<string, unknown> = {};
  for (const f of WORKFLOW_FIELDS) w[f] = row[WORKFLOW_COLUMNS[f]];
  return w as unknown as WorkflowRecord;
}

function ensureParentDir(path: string): void {
  const slash = path.lastIndexOf("/");
  if (slash <= 0) return;
  Deno.mkdirSync(path.slice(0, slash), { recursive: true, mode: 0o700 });
}

function sqliteErrcode(e: unknown): number | undefined {
  return typeof e === "object" && e !== null && "errcode" in e
    ? (e as { errcode: number }).errcode
    : undefined;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
