import { assertEquals } from "../../../../tests/assert.ts";
import { hrefFor, navPage, parseRoute } from "./route.ts";

Deno.test("parseRoute() reads every page of the UI", () => {
  assertEquals(parseRoute("/"), { page: "dashboard" });
  assertEquals(parseRoute("/jobs/"), { page: "jobs" });
  assertEquals(parseRoute("/jobs/node-1/abc"), { page: "job", node: "node-1", id: "abc" });
  assertEquals(parseRoute("/workflows/n/w1"), { page: "workflow", node: "n", id: "w1" });
  assertEquals(parseRoute("/monitoring"), { page: "monitoring" });
  assertEquals(parseRoute("/nope/x"), { page: "notfound", path: "/nope/x" });
});

Deno.test("hrefFor() is the inverse of parseRoute(), escaping node names", () => {
  const r = { page: "job", node: "my node", id: "j/1" } as const;
  assertEquals(hrefFor(r), "/jobs/my%20node/j%2F1");
  assertEquals(parseRoute(hrefFor(r)), r);
  assertEquals(hrefFor({ page: "resources" }), "/resources");
});

Deno.test("navPage() puts detail pages under their list", () => {
  assertEquals(navPage({ page: "job", node: "n", id: "i" }), "jobs");
  assertEquals(navPage({ page: "dashboard" }), "dashboard");
});
