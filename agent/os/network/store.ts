/**
 * Network definitions and job allocations in their own SQLite file (<state>/network.db), apart from the job
 * database so that its migrations stay the job store's own (ADR 0008).
 */
import { DatabaseSync } from "node:sqlite";
import { JobletError } from "../../domain/errors.ts";
import type { NetworkDef } from "../../domain/network.ts";
import type { Allocation, NetworkStore } from "../../core/network_ports.ts";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS networks (
    name      TEXT    NOT NULL PRIMARY KEY,
    cidr      TEXT    NOT NULL,
    bridge    TEXT    NOT NULL UNIQUE,
    builtin   INTEGER NOT NULL,
    isolated  INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS allocations (
    job_id    TEXT    NOT NULL PRIMARY KEY,
    network   TEXT    NOT NULL,
    ip        TEXT    NOT NULL,
    names     TEXT    NOT NULL,
    attached  INTEGER NOT NULL,
    ended     INTEGER NOT NULL DEFAULT 0,
    max_net_bw INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS allocations_by_network ON allocations (network);
  CREATE TABLE IF NOT EXISTS facts (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`;

interface NetRow {
  name: string;
  cidr: string;
  bridge: string;
  builtin: number;
  isolated: number;
}

interface AllocRow {
  job_id: string;
  network: string;
  ip: string;
  names: string;
  attached: number;
  ended: number;
  max_net_bw: number;
}

export class SqliteNetworkStore implements NetworkStore {
  readonly #db: DatabaseSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  static open(path: string): SqliteNetworkStore {
    try {
      const db = new DatabaseSync(path);
      if (path !== ":memory:") Deno.chmodSync(path, 0o600);
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec(SCHEMA);
      // Databases made before --max-net-bw lack its column.
      const cols = db.prepare("PRAGMA table_info(allocations)").all() as unknown as { name: string }[];
      if (!cols.some((c) => c.name === "max_net_bw")) {
        db.exec("ALTER TABLE allocations ADD COLUMN max_net_bw INTEGER NOT NULL DEFAULT 0");
      }
      return new SqliteNetworkStore(db);
    } catch (e) {
      throw new JobletError("Internal", `Cannot open network database ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  networks(): NetworkDef[] {
    const rows = this.#db.prepare("SELECT * FROM networks ORDER BY builtin DESC, name")
      .all() as unknown as NetRow[];
    return rows.map((r) => ({ ...r, builtin: r.builtin === 1, isolated: r.isolated === 1 }));
  }

  addNetwork(d: NetworkDef): void {
    this.#db.prepare("INSERT INTO networks (name, cidr, bridge, builtin, isolated) VALUES (?, ?, ?, ?, ?)")
      .run(d.name, d.cidr, d.bridge, d.builtin ? 1 : 0, d.isolated ? 1 : 0);
  }

  removeNetwork(name: string): void {
    this.#db.prepare("DELETE FROM networks WHERE name = ?").run(name);
  }

  allocations(network?: string): Allocation[] {
    const rows =
      (network === undefined
        ? this.#db.prepare("SELECT * FROM allocations").all()
        : this.#db.prepare("SELECT * FROM allocations WHERE network = ?").all(
          network,
        )) as unknown as AllocRow[];
    return rows.map(toAllocation);
  }

  allocation(jobId: string): Allocation | undefined {
    const r = this.#db.prepare("SELECT * FROM allocations WHERE job_id = ?").get(jobId) as unknown as
      | AllocRow
      | undefined;
    return r ? toAllocation(r) : undefined;
  }

  putAllocation(a: Allocation): void {
    this.#db.prepare(
      "INSERT OR REPLACE INTO allocations (job_id, network, ip, names, attached, ended, max_net_bw) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(
      a.jobId,
      a.network,
      a.ip,
      JSON.stringify(a.names),
      a.attached ? 1 : 0,
      a.ended ? 1 : 0,
      a.maxNetBwBytes ?? 0,
    );
  }

  removeAllocation(jobId: string): void {
    this.#db.prepare("DELETE FROM allocations WHERE job_id = ?").run(jobId);
  }

  getFact(key: string): string | undefined {
    const r = this.#db.prepare("SELECT value FROM facts WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return r?.value;
  }

  setFact(key: string, value: string | undefined): void {
    if (value === undefined) this.#db.prepare("DELETE FROM facts WHERE key = ?").run(key);
    else this.#db.prepare("INSERT OR REPLACE INTO facts (key, value) VALUES (?, ?)").run(key, value);
  }

  close(): void {
    this.#db.close();
  }
}

function toAllocation(r: AllocRow): Allocation {
  return {
    jobId: r.job_id,
    network: r.network,
    ip: r.ip,
    names: JSON.parse(r.names),
    attached: r.attached === 1,
    ended: r.ended === 1,
    maxNetBwBytes: r.max_net_bw,
  };
}
