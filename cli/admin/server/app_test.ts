/** The admin app in-process, without an agent: session, security, bad input and the static UI. */
import { assert, assertEquals, assertMatch } from "../../../tests/assert.ts";
import type { Connection } from "../../client.ts";
import { createAdminApp } from "./app.ts";
import { NodePool } from "./nodes.ts";

const node = (address: string) => ({ address, ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM" });
const ASSETS = {
  "/index.html": { type: "text/html; charset=utf-8", body: btoa("<!doctype html><p>ui</p>"), hash: "h1" },
  "/assets/app-abc.js": { type: "text/javascript", body: btoa("console.log(1)"), hash: "abc" },
};

function make() {
  const opened: string[] = [];
  const pool = new NodePool(
    { version: 1, default: "local", nodes: { local: node("localhost:1"), other: node("localhost:2") } },
    (name) => {
      opened.push(name);
      return { nodeName: name, address: "x", close() {} } as unknown as Connection;
    },
  );
  const admin = createAdminApp({ pool, bind: "127.0.0.1", csrf: "C", assets: ASSETS, log: () => {} });
  const req = (path: string, init: RequestInit = {}) =>
    admin.app.request(path, { ...init, headers: { Host: "localhost:5173", ...init.headers } });
  const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
    req(path, { method: "POST", body, headers: { "X-CSRF-Token": "C", ...headers } });
  return { admin, req, post, opened };
}

Deno.test("GET /api/session lists the nodes and the CSRF token, never key material", async () => {
  const { req } = make();
  const r = await req("/api/session");
  assertEquals(r.status, 200);
  const text = await r.text();
  const s = JSON.parse(text);
  assertEquals(s.csrf, "C");
  assertEquals(s.nodes.map((n: { name: string; default: boolean }) => [n.name, n.default]), [
    ["local", true],
    ["other", false],
  ]);
  assert(!text.includes("KEY PEM") && !text.includes("CERT PEM"), text);
  assertEquals(r.headers.get("X-Frame-Options"), "DENY");
});

Deno.test("an unknown node is 404 naming the known ones", async () => {
  const r = await make().req("/api/nodes/nope/jobs");
  assertEquals(r.status, 404);
  assertMatch((await r.json()).error.message, /node "nope" is not in the rnx config.*local, other/);
});

Deno.test("an unknown API path is a JSON 404, not the UI", async () => {
  const r = await make().req("/api/nodes/local/bogus");
  assertEquals(r.status, 404);
  assertEquals((await r.json()).error.code, "NotFound");
});

Deno.test("POST without X-CSRF-Token is 403 before the agent is called", async () => {
  const { req, opened } = make();
  const r = await req("/api/nodes/local/jobs/abc/stop", { method: "POST" });
  assertEquals(r.status, 403);
  assertEquals((await r.json()).error.code, "CSRF");
  assertEquals(opened, []);
});

Deno.test("POST from a foreign Origin is 403 even with the token", async () => {
  const r = await make().post("/api/nodes/local/jobs/abc/stop", "", { Origin: "http://evil.example" });
  assertEquals(r.status, 403);
});

Deno.test("a bad job list query is 400 naming the parameter", async () => {
  const r = await make().req("/api/nodes/local/jobs?status=RUNING");
  assertEquals(r.status, 400);
  assertMatch((await r.json()).error.message, /status: "RUNING" is not a job state/);
  const all = await make().req("/api/jobs?sort=size");
  assertEquals(all.status, 400);
});

Deno.test("POST jobs with a bad spec is 400 naming the field or flag", async () => {
  const { post } = make();
  const form = (spec: string) => {
    const f = new FormData();
    f.set("spec", spec);
    return f;
  };
  const cases: [string, RegExp][] = [
    ["{}", /spec\.command/],
    ['{"command":"ls","maxMemroy":"1GB"}', /maxMemroy/],
    ['{"command":"ls","maxMemory":"12XB"}', /--max-memory "12XB"/],
    ["not json", /spec: not JSON/],
  ];
  for (const [spec, re] of cases) {
    const r = await post("/api/nodes/local/jobs", form(spec));
    assertEquals(r.status, 400, spec);
    assertMatch((await r.json()).error.message, re);
  }
  const noSpec = await post("/api/nodes/local/jobs", new FormData());
  assertMatch((await noSpec.json()).error.message, /spec/);
  const bad = new FormData();
  bad.set("spec", '{"command":"ls"}');
  bad.append("file", new File(["x"], "../escape"));
  const r = await post("/api/nodes/local/jobs", bad);
  assertEquals(r.status, 400);
  assertMatch((await r.json()).error.message, /'\.\.'/);
});

Deno.test("POST workflows with an invalid YAML is 400 with issues at their lines", async () => {
  const f = new FormData();
  f.set(
    "yaml",
    new File(["jobs:\n  a:\n    comand: echo\n  b:\n    command: x\n    requires: [zz]\n"], "wf.yaml"),
  );
  const r = await make().post("/api/nodes/local/workflows", f);
  assertEquals(r.status, 400);
  const body = await r.json();
  assertEquals(body.error.code, "InvalidArgument");
  const lines = body.error.issues.map((i: { line: number }) => i.line);
  assert(lines.includes(3), JSON.stringify(body.error.issues));
  assert(lines.includes(6), JSON.stringify(body.error.issues));
});

Deno.test("POST networks and volumes check names and sizes with the agent's rules", async () => {
  const { post } = make();
  const json = { "Content-Type": "application/json" };
  const n = await post(
    "/api/nodes/local/networks",
    JSON.stringify({ name: "bad name", cidr: "10.0.0.0/24" }),
    json,
  );
  assertEquals(n.status, 400);
  const v = await post("/api/nodes/local/volumes", JSON.stringify({ name: "v", size: "lots" }), json);
  assertEquals(v.status, 400);
  assertMatch((await v.json()).error.message, /lots/);
  const missing = await post("/api/nodes/local/volumes", JSON.stringify({ name: "v" }), json);
  assertMatch((await missing.json()).error.message, /size/);
  const notJson = await post("/api/nodes/local/volumes", "{", json);
  assertMatch((await notJson.json()).error.message, /must be JSON/);
});

Deno.test("the UI's index.html answers every page path; assets are cached by hash", async () => {
  const { req } = make();
  for (const path of ["/", "/jobs", "/jobs/local/abc", "/workflows/local/x", "/monitoring"]) {
    const r = await req(path);
    assertEquals(r.status, 200, path);
    assertEquals(await r.text(), "<!doctype html><p>ui</p>");
    assertMatch(r.headers.get("Content-Security-Policy") ?? "", /default-src 'self'/);
    assertEquals(r.headers.get("Cache-Control"), "no-cache");
  }
  const js = await req("/assets/app-abc.js");
  assertEquals(await js.text(), "console.log(1)");
  assertMatch(js.headers.get("Cache-Control") ?? "", /immutable/);
  assertEquals((await req("/assets/app-old.js")).status, 404);
});
