import { assertEquals } from "../../../../tests/assert.ts";
import { ariaSort, DEFAULT_QUERY, jobsSearch, pageInfo, toggleSort } from "./jobs_query.ts";

Deno.test("jobsSearch() writes the contract's query string", () => {
  assertEquals(
    jobsSearch({ ...DEFAULT_QUERY, statuses: ["RUNNING", "FAILED"], q: " train " }),
    "status=RUNNING%2CFAILED&q=train&limit=50&offset=0&sort=-created",
  );
  assertEquals(jobsSearch(DEFAULT_QUERY, true), "node=all&limit=50&offset=0&sort=-created");
});

Deno.test("toggleSort() flips the sorted column and starts a new one ascending", () => {
  assertEquals(toggleSort("-created", "created"), "created");
  assertEquals(toggleSort("name", "name"), "-name");
  assertEquals(toggleSort("name", "status"), "status");
  assertEquals(toggleSort("name", "created"), "-created");
});

Deno.test("ariaSort() names the direction of the sorted column only", () => {
  assertEquals(ariaSort("-duration", "duration"), "descending");
  assertEquals(ariaSort("name", "name"), "ascending");
  assertEquals(ariaSort("name", "status"), "none");
});

Deno.test("pageInfo() counts pages, at least one", () => {
  assertEquals(pageInfo({ ...DEFAULT_QUERY, offset: 100 }, 101), { page: 3, pages: 3 });
  assertEquals(pageInfo(DEFAULT_QUERY, 0), { page: 1, pages: 1 });
});
