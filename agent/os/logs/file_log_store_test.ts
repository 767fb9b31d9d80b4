import { assert, assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import type { LogRecord } from "../../core/ports.ts";
import { JobletError } from "../../domain/errors.ts";
import { FileLogStore } from "./file_log_store.ts";
import { HEADER_BYTES, MAGIC, MAX_PAYLOAD } from "./log_format.ts";
import { capMarker } from "./log_writer.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const ID = "3f2c9a10-0000-4000-8000-00000000abcd";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-logs-" });
  try {
    await fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

async function collect(it: AsyncIterable<LogRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const text = (rs: LogRecord[]) => rs.map((r) => dec.decode(r.data)).join("");
const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("records written are read back in order with seq, time and stream", () =>
  withDir(async (dir) => {
    let now = 1000;
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20, clock: { now: () => now++ } });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("hello "));
    w.write("stderr", enc.encode("oops\n"));
    w.write("stdout", enc.encode("world\n"));
    w.write("stdout", new Uint8Array(0)); // nothing to store
    assertEquals(w.bytes, 17);
    w.close();
    const rs = await collect(store.read(ID, { follow: false }));
    assertEquals(rs.map((r) => [r.seq, r.time, r.stream, dec.decode(r.data)]), [
      [1, 1000, "stdout", "hello "],
      [2, 1001, "stderr", "oops\n"],
      [3, 1002, "stdout", "world\n"],
    ]);
    assertEquals(Deno.statSync(`${dir}/${ID}.log`).size, MAGIC.length + 3 * HEADER_BYTES + 17);
  }));

Deno.test("stdout and stderr stay separate when interleaved", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    for (let i = 0; i < 100; i++) w.write(i % 3 === 0 ? "stderr" : "stdout", enc.encode(`${i}\n`));
    w.close();
    const rs = await collect(store.read(ID, { follow: false }));
    const want = (s: string) =>
      Array.from({ length: 100 }, (_, i) => i).filter((i) => (i % 3 === 0) === (s === "stderr"));
    assertEquals(text(rs.filter((r) => r.stream === "stdout")), want("stdout").map((i) => `${i}\n`).join(""));
    assertEquals(text(rs.filter((r) => r.stream === "stderr")), want("stderr").map((i) => `${i}\n`).join(""));
  }));

Deno.test("a chunk larger than one record is split and reads back whole", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 24 });
    const big = new Uint8Array(MAX_PAYLOAD * 2 + 7).map((_, i) => i % 251);
    const w = store.writer(ID);
    w.write("stdout", big);
    w.close();
    const rs = await collect(store.read(ID, { follow: false }));
    assertEquals(rs.map((r) => r.data.length), [MAX_PAYLOAD, MAX_PAYLOAD, 7]);
    const joined = new Uint8Array(big.length);
    let at = 0;
    for (const r of rs) joined.set(r.data, (at += r.data.length) - r.data.length);
    assertEquals(joined, big);
    assertEquals(store.size(ID), big.length);
  }));

Deno.test("a follower started mid-way gets each of 10,000 lines from a concurrent writer once, in order", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 30 });
    const w = store.writer(ID);
    const N = 10_000;
    const writing = (async () => {
      let i = 0;
      while (i < N) {
        // Sometimes one line per write, sometimes a burst, as pipe reads would deliver them.
        const burst = i % 7 === 0 ? 25 : 1;
        let chunk = "";
        for (let k = 0; k < burst && i < N; k++) chunk += `line ${i++}\n`;
        w.write(i % 2 ? "stdout" : "stderr", enc.encode(chunk));
        if (i % 50 < burst) await tick();
      }
      w.close();
    })();
    while (w.lastSeq < 1000) await tick(); // start reading while the writer is well under way
    assert(!w.closed);
    const rs = await collect(store.read(ID, { follow: true }));
    await writing;
    const lines = text(rs).split("\n").slice(0, -1);
    assertEquals(lines.length, N);
    lines.forEach((l, i) => {
      if (l !== `line ${i}`) throw new Error(`line ${i} reads "${l}"`);
    });
    assertEquals(rs.map((r) => r.seq), rs.map((_, i) => i + 1));
  }));

Deno.test("a follower delivers a write that lands while it is reading, without waiting for another", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    const timeout = (ms: number) => new Promise<"stuck">((r) => setTimeout(() => r("stuck"), ms));
    // The write is issued at varying points of the reader's read(2), to hit the window between its
    // snapshot of the writer and the end-of-file answer.
    for (let i = 0; i < 200; i++) {
      const ac = new AbortController();
      const it = store.read(ID, { follow: true, signal: ac.signal });
      for (let k = 0; k < i; k++) assertEquals((await it.next()).done, false); // catch up on earlier lines
      const next = it.next();
      for (let k = 0; k < i % 5; k++) await tick();
      w.write("stdout", enc.encode(`${i}\n`));
      const got = await Promise.race([next, timeout(2000)]);
      ac.abort();
      await it.return!(undefined);
      if (got === "stuck") throw new Error(`round ${i}: the follower missed a write until the next one`);
      assertEquals(dec.decode((got as IteratorResult<LogRecord>).value.data), `${i}\n`);
    }
    w.close();
  }));

Deno.test("without follow a reader stops at the current end even while the writer is open", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("a"));
    assertEquals(text(await collect(store.read(ID, { follow: false }))), "a");
    assert(store.isOpen(ID));
    w.close();
    assert(!store.isOpen(ID));
  }));

Deno.test("a follower of a log with no writer in this process stops at the end", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("before restart"));
    w.close();
    const afterRestart = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    assertEquals(text(await collect(afterRestart.read(ID, { follow: true }))), "before restart");
    assertEquals(await collect(afterRestart.read("unknown-job", { follow: true })), []);
  }));

Deno.test("aborting the signal ends a waiting follower promptly", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("x"));
    const ac = new AbortController();
    const reading = collect(store.read(ID, { follow: true, signal: ac.signal }));
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    ac.abort();
    const rs = await reading;
    assert(performance.now() - t0 < 500, "the follower did not stop after abort");
    assertEquals(text(rs), "x");
    assertEquals(store.openReaders, 0);
    w.close();
  }));

Deno.test("return() on a follower waiting for output releases it without a write", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("first"));
    const it = store.read(ID, { follow: true });
    assertEquals(dec.decode((await it.next()).value.data), "first");
    const pending = it.next(); // the follower is now waiting for the writer
    await tick();
    const returned = it.return!(undefined);
    assertEquals((await pending).done, true);
    assertEquals((await returned).done, true);
    assertEquals(store.openReaders, 0);
    // Nothing is left waiting: the writer can go on and close with no reader attached.
    w.write("stdout", enc.encode("second"));
    w.close();
  }));

Deno.test("breaking out of for-await mid-way closes the reader's file", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    for (let i = 0; i < 10; i++) w.write("stdout", enc.encode(`${i}`));
    const seen: number[] = [];
    for await (const r of store.read(ID, { follow: true })) {
      seen.push(r.seq);
      if (r.seq === 3) break;
    }
    assertEquals(seen, [1, 2, 3]);
    assertEquals(store.openReaders, 0);
    w.close();
  }));

Deno.test("a torn record at the tail is ignored by readers and cut off by a reopened writer", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("one\n"));
    w.write("stderr", enc.encode("two\n"));
    w.close();
    const path = `${dir}/${ID}.log`;
    const whole = Deno.statSync(path).size;
    // Simulate kill -9 in the middle of a write: the header and part of the payload of record 3.
    const torn = Deno.readFileSync(path).slice(MAGIC.length, MAGIC.length + HEADER_BYTES + 4);
    new DataView(torn.buffer).setBigUint64(5, 3n, true);
    new DataView(torn.buffer).setUint32(0, 100, true);
    Deno.writeFileSync(path, torn.subarray(0, HEADER_BYTES + 2), { append: true });

    const restarted = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    assertEquals(text(await collect(restarted.read(ID, { follow: false }))), "one\ntwo\n");
    assertEquals(restarted.size(ID), 8);

    const again = restarted.writer(ID);
    assertEquals(Deno.statSync(path).size, whole);
    assertEquals(again.lastSeq, 2);
    again.write("stdout", enc.encode("three\n"));
    again.close();
    const rs = await collect(restarted.read(ID, { follow: false }));
    assertEquals(rs.map((r) => r.seq), [1, 2, 3]);
    assertEquals(text(rs), "one\ntwo\nthree\n");
  }));

Deno.test("a zero-filled tail (lost blocks after a power cut) reads as the end of the log", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("kept"));
    w.close();
    Deno.writeFileSync(`${dir}/${ID}.log`, new Uint8Array(4096), { append: true });
    assertEquals(text(await collect(store.read(ID, { follow: false }))), "kept");
    const again = store.writer(ID);
    assertEquals(again.lastSeq, 1);
    again.close();
  }));

Deno.test("past the cap one system record says so and the rest is dropped but counted", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 10 });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("123456"));
    w.write("stdout", enc.encode("7890abcd")); // 4 bytes fit, 4 are dropped
    w.write("stderr", enc.encode("more"));
    w.write("stdout", enc.encode("and more"));
    assertEquals(w.droppedBytes, 4 + 4 + 8);
    w.close();
    const rs = await collect(store.read(ID, { follow: false }));
    assertEquals(rs.map((r) => r.stream), ["stdout", "stdout", "system"]);
    assertEquals(text(rs.slice(0, 2)), "1234567890");
    assertStringIncludes(
      dec.decode(rs[2].data),
      "joblet: log cap of 10 bytes reached; further output discarded",
    );
    assertEquals(rs.filter((r) => r.stream === "system").length, 1);

    // After a restart the cap still holds and no second marker is written.
    const again = new FileLogStore(dir, { maxBytesPerJob: 10 }).writer(ID);
    assert(again.capped);
    again.write("stdout", enc.encode("x"));
    again.close();
    assertEquals((await collect(store.read(ID, { follow: false }))).length, 3);
  }));

Deno.test("the cap marker states the cap in binary units", () => {
  assertEquals(capMarker(1024 ** 3), "joblet: log cap of 1.0 GiB reached; further output discarded\n");
  assertEquals(capMarker(1536), "joblet: log cap of 1.5 KiB reached; further output discarded\n");
  assertEquals(capMarker(100), "joblet: log cap of 100 bytes reached; further output discarded\n");
});

Deno.test("size counts stored payload, also of a closed log, and is 0 without a log", () =>
  withDir((dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    assertEquals(store.size(ID), 0);
    const w = store.writer(ID);
    w.write("stdout", enc.encode("12345"));
    assertEquals(store.size(ID), 5);
    w.write("stderr", enc.encode("678"));
    w.close();
    assertEquals(store.size(ID), 8);
    assertEquals(new FileLogStore(dir, { maxBytesPerJob: 1 }).size(ID), 8);
  }));

Deno.test("delete closes the writer, wakes followers and removes the file", () =>
  withDir(async (dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    w.write("stdout", enc.encode("bye"));
    const reading = collect(store.read(ID, { follow: true }));
    await tick();
    store.delete(ID);
    assertEquals(text(await reading), "bye");
    assert(w.closed);
    assert(!store.isOpen(ID));
    assertEquals(store.size(ID), 0);
    store.delete(ID); // already gone: fine
    assertEquals(Deno.readDirSync(dir).toArray(), []);
  }));

Deno.test("a second writer for the same job and a write after close are refused", () =>
  withDir((dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    const w = store.writer(ID);
    assertEquals(thrown(() => store.writer(ID)).code, "FailedPrecondition");
    w.close();
    assertEquals(thrown(() => w.write("stdout", enc.encode("late"))).code, "FailedPrecondition");
    w.close(); // twice is fine
  }));

Deno.test("job ids that could escape the directory are refused", () =>
  withDir((dir) => {
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    for (const bad of ["../x", "a/b", "", ".hidden"]) {
      const e = thrown(() => store.writer(bad));
      assertEquals(e.code, "InvalidArgument");
      assertStringIncludes(e.message, `"${bad}"`);
    }
  }));

Deno.test("a file that is not a joblet log is not appended to", () =>
  withDir((dir) => {
    Deno.writeTextFileSync(`${dir}/${ID}.log`, "plain text, not framed\n");
    const store = new FileLogStore(dir, { maxBytesPerJob: 1 << 20 });
    assertEquals(thrown(() => store.writer(ID)).code, "FailedPrecondition");
    assertEquals(Deno.readTextFileSync(`${dir}/${ID}.log`), "plain text, not framed\n");
  }));

function thrown(fn: () => unknown): JobletError {
  try {
    fn();
  } catch (e) {
    if (e instanceof JobletError) return e;
    throw e;
  }
  throw new Error("expected a JobletError, but nothing was thrown");
}
