import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { writeAll } from "./stream_writer.ts";

/** An object-mode Writable that takes `delayMs` per item, like a slow network. */
function slowSink(highWaterMark: number, delayMs: number) {
  const got: number[] = [];
  const stream = new Writable({
    objectMode: true,
    highWaterMark,
    write(item: number, _enc, done) {
      setTimeout(() => {
        got.push(item);
        done();
      }, delayMs);
    },
  });
  return { stream, got };
}

Deno.test("writeAll() pulls from the source only as fast as the stream drains", async () => {
  const { stream, got } = slowSink(2, 2);
  let maxAhead = 0;
  let pulled = 0;
  async function* source() {
    for (let i = 0; i < 30; i++) {
      pulled++;
      maxAhead = Math.max(maxAhead, pulled - got.length);
      yield i;
      await Promise.resolve();
    }
  }
  const finished = new Promise((resolve) => stream.on("finish", resolve));
  assert.equal(await writeAll(stream, source(), new Promise(() => {})), true);
  await finished;
  assert.deepEqual(got, Array.from({ length: 30 }, (_, i) => i));
  assert.ok(maxAhead <= 4, `source ran ${maxAhead} items ahead of the sink`);
});

Deno.test("writeAll() stops and closes the source when the call fails while waiting for drain", async () => {
  const { stream } = slowSink(1, 50);
  let closed = false;
  let pulled = 0;
  async function* source() {
    try {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  const stop = new Promise((_, reject) => setTimeout(() => reject(new Error("server said no")), 10));
  stop.catch(() => {});
  assert.equal(await writeAll(stream, source(), stop), false);
  assert.ok(closed, "source was not closed");
  assert.ok(pulled < 10, `pulled ${pulled} items after the call failed`);
  stream.destroy();
});

Deno.test("writeAll() holds back while the transport has more than maxInFlight bytes unsent", async () => {
  // Like Deno's http2: write() always accepts; only the socket counter shows what really left.
  let handed = 0;
  let sent = 0;
  let worst = 0;
  const stream = {
    write: (n: number) => {
      handed += n;
      worst = Math.max(worst, handed - sent);
      return true;
    },
    end: () => {},
    once: () => {},
    removeListener: () => {},
  };
  const timer = setInterval(() => (sent = Math.min(handed, sent + 100)), 1);
  try {
    const items = Array.from({ length: 40 }, () => 50);
    const ok = await writeAll(stream, items, new Promise(() => {}), {
      sizeOf: (n) => n,
      sentBytes: () => sent,
      maxInFlight: 200,
      pollMs: 1,
    });
    assert.equal(ok, true);
    assert.equal(handed, 2000);
    assert.ok(worst <= 250, `${worst} bytes were in flight`);
  } finally {
    clearInterval(timer);
  }
});
