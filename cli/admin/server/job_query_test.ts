import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { applyJobQuery, parseJobQuery } from "./job_query.ts";

const job = (id: string, name: string, status: string, created: string, duration: number | null) => ({
  id,
  name,
  command: "sh",
  args: ["-c", `echo ${id}`],
  status: status as "RUNNING",
  created_time: created,
  duration_ms: duration,
});

const JOBS = [
  job("a1", "alpha", "RUNNING", "2025-01-01T00:00:01Z", 500),
  job("b2", "beta", "FAILED", "2025-01-01T00:00:03Z", 100),
  job("c3", "gamma", "COMPLETED", "2025-01-01T00:00:02Z", null),
];

Deno.test("parseJobQuery() has defaults: 100 newest first", () => {
  assertEquals(parseJobQuery({}), {
    statuses: [],
    q: "",
    limit: 100,
    offset: 0,
    sort: "created",
    descending: true,
  });
});

Deno.test("parseJobQuery() reads states in any case, text, paging and sort", () => {
  const q = parseJobQuery({ status: "running,Failed", q: " Beta ", limit: "5", offset: "10", sort: "name" });
  assertEquals(q, {
    statuses: ["RUNNING", "FAILED"],
    q: "beta",
    limit: 5,
    offset: 10,
    sort: "name",
    descending: false,
  });
});

Deno.test("parseJobQuery() rejects a bad state, limit or sort naming the parameter", () => {
  assertThrows(() => parseJobQuery({ status: "RUNING" }), /RUNING.*not a job state/);
  assertThrows(() => parseJobQuery({ limit: "-1" }), /limit/);
  assertThrows(() => parseJobQuery({ limit: "5000" }), /limit must be at most 1000/);
  assertThrows(() => parseJobQuery({ sort: "size" }), /sort must be one of/);
  assertThrows(() => parseJobQuery({ colour: "red" }), /colour/);
});

Deno.test("applyJobQuery() sorts newest first by default and pages with a total", () => {
  const r = applyJobQuery(JOBS, parseJobQuery({ limit: "2" }));
  assertEquals(r.jobs.map((j) => j.id), ["b2", "c3"]);
  assertEquals(r.total, 3);
  assertEquals(applyJobQuery(JOBS, parseJobQuery({ limit: "2", offset: "2" })).jobs.map((j) => j.id), ["a1"]);
});

Deno.test("applyJobQuery() filters by text in id, name or command line", () => {
  assertEquals(applyJobQuery(JOBS, parseJobQuery({ q: "GAM" })).jobs.map((j) => j.id), ["c3"]);
  assertEquals(applyJobQuery(JOBS, parseJobQuery({ q: "echo b2" })).jobs.map((j) => j.id), ["b2"]);
  assertEquals(applyJobQuery(JOBS, parseJobQuery({ q: "nothing" })).total, 0);
});

Deno.test("applyJobQuery() sorts by name, status and duration both ways", () => {
  const ids = (sort: string) => applyJobQuery(JOBS, parseJobQuery({ sort })).jobs.map((j) => j.id);
  assertEquals(ids("name"), ["a1", "b2", "c3"]);
  assertEquals(ids("-name"), ["c3", "b2", "a1"]);
  assertEquals(ids("status"), ["c3", "b2", "a1"]);
  assertEquals(ids("-duration"), ["a1", "b2", "c3"]);
  assertEquals(ids("duration"), ["c3", "b2", "a1"]);
});
