/**
 * kill -9 of a process that is writing job records and a job log: every record it reported as written is
 * there afterwards, the log reads cleanly up to its last whole record, and a new writer continues its seq.
 * Needs --allow-run (a child deno process); no root.
 */
import { assert, assertEquals } from "../assert.ts";
import { FileLogStore } from "../../agent/os/logs/file_log_store.ts";
import { SqliteJobStore } from "../../agent/os/store/sqlite_store.ts";
import type { LogRecord } from "../../agent/core/ports.ts";
import { NO_LIMITS } from "../../agent/domain/limits.ts";
import { NO_USAGE } from "../../agent/domain/metrics.ts";

const STORE = new URL("../../agent/os/store/sqlite_store.ts", import.meta.url).href;
const LOGS = new URL("../../agent/os/logs/file_log_store.ts", import.meta.url).href;

/** Iteration i writes this much output: some chunks span several records (MAX_PAYLOAD is 128 KiB). */
const outputLength = (i: number) => (i % 5 === 0 ? 300_000 : 1 + (i * 37) % 4000);

const CHILD = `
import { SqliteJobStore } from "${STORE}";
import { FileLogStore } from "${LOGS}";
const [dir] = Deno.args;
const store = SqliteJobStore.open(dir + "/jobs.db");
const logs = new FileLogStore(dir + "/logs", { maxBytesPerJob: 2 ** 40 });
const w = logs.writer("crash-job");
const enc = new TextEncoder();
const outputLength = ${outputLength.toString()};
for (let i = 1; ; i++) {
  const id = "job-" + String(i).padStart(6, "0");
  store.insert({ id, name: "n", command: "c", args: [String(i)], env: {}, secretEnv: {}, status: "INITIALIZING",
    exitCode: null, reason: "", createdAt: i, startedAt: 0, endedAt: 0, submittedBy: "t", pid: 0, uploadCount: 0,
    uploadBytes: 0, limits: ${JSON.stringify(NO_LIMITS)}, usage: ${JSON.stringify(NO_USAGE)} });
  w.write(i % 2 ? "stdout" : "stderr", new Uint8Array(outputLength(i)).fill(i % 251));
  store.update(id, { status: "RUNNING", pid: i });
  Deno.stdout.writeSync(enc.encode(i + "\\n"));
}
`;

Deno.test("after kill -9 the job store and the log keep everything acknowledged and take new writes", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-crash-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", CHILD, dir],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let acked = 0;
    let pending = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    while (acked < 300) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the child exited early after ${acked} iterations`);
      pending += value;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      if (lines.length) acked = Number(lines.at(-1));
    }
    child.kill("SIGKILL");
    const status = await child.status;
    assertEquals(status.signal, "SIGKILL");
    await reader.cancel();

    const store = SqliteJobStore.open(`${dir}/jobs.db`);
    try {
      const jobs = store.findByPrefix("job-", 1_000_000);
      assert(jobs.length >= acked, `only ${jobs.length} of ${acked} acknowledged jobs survived`);
      for (let i = 1; i <= acked; i++) {
        const job = store.get(`job-${String(i).padStart(6, "0")}`);
        assertEquals([job?.status, job?.pid, job?.args], ["RUNNING", i, [String(i)]]);
      }
    } finally {
      store.close();
    }

    const logs = new FileLogStore(`${dir}/logs`, { maxBytesPerJob: 2 ** 40 });
    const records: LogRecord[] = [];
    for await (const r of logs.read("crash-job", { follow: true })) records.push(r);
    assertEquals(records.map((r) => r.seq), records.map((_, i) => i + 1));
    // The output is iteration 1's bytes, then 2's, …: check the bytes read are such a prefix, covering every
    // acknowledged iteration.
    let i = 1;
    let leftInIteration = outputLength(1);
    for (const r of records) {
      for (const b of r.data) {
        if (leftInIteration === 0) leftInIteration = outputLength(++i);
        if (b !== i % 251) {
          throw new Error(`record ${r.seq} holds byte ${b} where iteration ${i} wrote ${i % 251}`);
        }
        leftInIteration--;
      }
    }
    assert(i > acked || (i === acked && leftInIteration === 0), `the log ends in iteration ${i} of ${acked}`);

    const w = logs.writer("crash-job");
    assertEquals(w.lastSeq, records.length);
    w.write("system", new TextEncoder().encode("joblet restarted\n"));
    w.close();
    const after: LogRecord[] = [];
    for await (const r of logs.read("crash-job", { follow: false })) after.push(r);
    assertEquals(after.length, records.length + 1);
    assertEquals(after.at(-1)!.seq, records.length + 1);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
