/**
 * The schema of the job database as an ordered list of migrations. Migration `i` (0-based) takes the database
 * from `PRAGMA user_version = i` to `i + 1`. Never edit or reorder a released entry: append a new one (for
 * example `ALTER TABLE jobs ADD COLUMN … NOT NULL DEFAULT …`), so databases written by older agents upgrade
 * in place when they are opened.
 */
import type { DatabaseSync } from "node:sqlite";
import { failedPrecondition, internal } from "../../domain/errors.ts";

export interface Migration {
  /** What the step does, for error messages. */
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    name: "create jobs",
    // WITHOUT ROWID: the table is stored in id order, so prefix look-ups are a range scan of the primary key.
    // args, env and secret_env hold JSON text.
    sql: `
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
      ) WITHOUT ROWID;`,
  },
  {
    name: "upload counters and list indexes",
    sql: `
      ALTER TABLE jobs ADD COLUMN upload_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN upload_bytes INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX jobs_by_created ON jobs (created_at DESC, id DESC);
      CREATE INDEX jobs_by_status_created ON jobs (status, created_at DESC, id DESC);`,
  },
  {
    name: "limits, usage and metric samples",
    // limits and usage hold JSON text; '{}' reads back as "unlimited" and "nothing used" (see sqlite_store.ts).
    sql: `
      ALTER TABLE jobs ADD COLUMN limits TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE jobs ADD COLUMN usage TEXT NOT NULL DEFAULT '{}';
      CREATE TABLE job_samples (
        job_id  TEXT    NOT NULL,
        seq     INTEGER NOT NULL,
        sample  TEXT    NOT NULL,
        PRIMARY KEY (job_id, seq)
      ) WITHOUT ROWID;`,
  },
  {
    name: "schedules, retries and workflows",
    // cron, retry, attempts, history and requires hold JSON text ('null' / '{}' / '[]' read back as "none").
    sql: `
      ALTER TABLE jobs ADD COLUMN scheduled_at INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN late_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN cron TEXT NOT NULL DEFAULT 'null';
      ALTER TABLE jobs ADD COLUMN schedule_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE jobs ADD COLUMN retry TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE jobs ADD COLUMN attempts TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE jobs ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE jobs ADD COLUMN workflow_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE jobs ADD COLUMN workflow_job TEXT NOT NULL DEFAULT '';
      ALTER TABLE jobs ADD COLUMN requires TEXT NOT NULL DEFAULT '[]';
      CREATE INDEX jobs_by_workflow ON jobs (workflow_id, created_at) WHERE workflow_id <> '';
      CREATE TABLE workflows (
        id            TEXT    NOT NULL PRIMARY KEY,
        name          TEXT    NOT NULL,
        file          TEXT    NOT NULL,
        yaml          TEXT    NOT NULL,
        selected_job  TEXT    NOT NULL,
        submitted_by  TEXT    NOT NULL,
        created_at    INTEGER NOT NULL,
        stopped_by    TEXT    NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX workflows_by_created ON workflows (created_at DESC, id DESC);`,
  },
  {
    name: "job volumes",
    // JSON text: [{ name, readOnly }]; '[]' = none.
    sql: `ALTER TABLE jobs ADD COLUMN volumes TEXT NOT NULL DEFAULT '[]';`,
  },
  {
    name: "job runtime",
    // The runtime's name; '' = none.
    sql: `ALTER TABLE jobs ADD COLUMN runtime TEXT NOT NULL DEFAULT '';`,
  },
];

export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

/**
 * Brings `db` up to `migrations.length`. Each step runs in its own IMMEDIATE transaction together with the
 * version bump, so a crash leaves the database at a whole version. Refuses a database from a newer agent.
 */
export function migrate(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS, path = ""): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw failedPrecondition(
      `Cannot open job database ${path}: its schema version is ${current} but this joblet knows only ` +
        `versions up to ${migrations.length}; run a newer joblet or move the database away`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migrations[v].sql);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (e) {
      db.exec("ROLLBACK");
      throw internal(
        `Cannot migrate job database ${path} from version ${v} to ${v + 1} ("${migrations[v].name}"): ${e}`,
        e,
      );
    }
  }
}
