import { assertEquals } from "../../tests/assert.ts";
import { Scheduler, type Timers } from "./scheduler.ts";

/** A clock the test moves and timers that only record what was armed. */
function fakeTime(start = 1_000_000) {
  let now = start;
  const armed = new Map<number, { fn: () => void; at: number }>();
  let next = 1;
  const timers: Timers = {
    set(fn, ms) {
      armed.set(next, { fn, at: now + ms });
      return next++;
    },
    clear(h) {
      armed.delete(h as number);
    },
  };
  return {
    clock: { now: () => now },
    timers,
    armed,
    /** Moves the clock and fires the timers that are due, as the event loop would. */
    advance(ms: number) {
      now += ms;
      for (const [h, t] of [...armed]) {
        if (t.at <= now) {
          armed.delete(h);
          t.fn();
        }
      }
    },
  };
}

Deno.test("Scheduler fires 10,000 entries in time order, equal times in the order added", () => {
  const t = fakeTime();
  const fired: string[] = [];
  const s = new Scheduler(t.clock, (id) => fired.push(id), t.timers);
  const expected: { id: string; at: number; i: number }[] = [];
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 10_000; i++) {
    const at = 1_000_000 + Math.floor(rand() * 500) * 1000;
    s.add(`job-${i}`, at);
    expected.push({ id: `job-${i}`, at, i });
  }
  expected.sort((a, b) => a.at - b.at || a.i - b.i);
  assertEquals(t.armed.size, 1, "one timer for the whole queue");
  t.advance(600_000);
  assertEquals(fired.length, 10_000);
  assertEquals(fired, expected.map((e) => e.id));
  assertEquals(s.size, 0);
});

Deno.test("Scheduler fires nothing early, and fires an entry due in the past at once", () => {
  const t = fakeTime();
  const fired: string[] = [];
  const s = new Scheduler(t.clock, (id) => fired.push(id), t.timers);
  s.add("later", 1_005_000);
  t.advance(4_999);
  assertEquals(fired, []);
  t.advance(1);
  assertEquals(fired, ["later"]);
  s.add("overdue", 0);
  t.advance(0);
  assertEquals(fired, ["later", "overdue"]);
});

Deno.test("Scheduler: removing or re-adding an entry replaces it", () => {
  const t = fakeTime();
  const fired: string[] = [];
  const s = new Scheduler(t.clock, (id) => fired.push(id), t.timers);
  s.add("a", 1_001_000);
  s.add("b", 1_002_000);
  s.add("a", 1_003_000);
  s.remove("b");
  assertEquals(s.peek(), { id: "a", at: 1_003_000 });
  t.advance(10_000);
  assertEquals(fired, ["a"]);
});

Deno.test("Scheduler: an entry added during onDue for a later time fires at that time (cron ticks)", () => {
  const t = fakeTime(0);
  const fired: number[] = [];
  const s = new Scheduler(t.clock, (id, at) => {
    fired.push(at);
    if (fired.length < 3) s.add(id, at + 60_000);
  }, t.timers);
  s.add("cron", 60_000);
  for (let i = 0; i < 5; i++) t.advance(60_000);
  assertEquals(fired, [60_000, 120_000, 180_000]);
});

Deno.test("Scheduler after close() arms no timer", () => {
  const t = fakeTime();
  const s = new Scheduler(t.clock, () => {}, t.timers);
  s.add("a", 1_001_000);
  s.close();
  assertEquals(t.armed.size, 0);
  s.add("b", 1_002_000);
  assertEquals(t.armed.size, 0);
});
