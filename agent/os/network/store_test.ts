import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../../../tests/assert.ts";
import { SqliteNetworkStore } from "./store.ts";

Deno.test("SqliteNetworkStore keeps a job's --max-net-bw with its allocation", () => {
  const store = SqliteNetworkStore.open(":memory:");
  store.putAllocation({
    jobId: "a",
    network: "bridge",
    ip: "",
    names: ["a"],
    attached: false,
    maxNetBwBytes: 1e6,
  });
  store.putAllocation({ jobId: "b", network: "bridge", ip: "", names: ["b"], attached: false });
  assertEquals(store.allocation("a")?.maxNetBwBytes, 1_000_000);
  assertEquals(store.allocation("b")?.maxNetBwBytes, 0);
  store.close();
});

Deno.test("SqliteNetworkStore adds the max_net_bw column to a database made before it", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/network.db`;
  try {
    const old = new DatabaseSync(path);
    old.exec(`CREATE TABLE allocations (job_id TEXT NOT NULL PRIMARY KEY, network TEXT NOT NULL,
      ip TEXT NOT NULL, names TEXT NOT NULL, attached INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0)
      WITHOUT ROWID`);
    old.exec(`INSERT INTO allocations VALUES ('old', 'bridge', '', '["old"]', 0, 1)`);
    old.close();
    const store = SqliteNetworkStore.open(path);
    assertEquals(store.allocation("old")?.maxNetBwBytes, 0);
    store.putAllocation({
      jobId: "new",
      network: "bridge",
      ip: "",
      names: [],
      attached: false,
      maxNetBwBytes: 5e5,
    });
    assertEquals(store.allocation("new")?.maxNetBwBytes, 500_000);
    store.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
