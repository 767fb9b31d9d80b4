import { Hono } from "hono";
import { assert, assertEquals } from "../../../tests/assert.ts";
import {
  csrfProblem,
  hostAllowed,
  hostName,
  presentedToken,
  securityMiddleware,
  TOKEN_COOKIE,
} from "./security.ts";
import { toHttpError } from "./errors.ts";

const CSRF = "csrf-token-1";

function app(bind: string, token?: string) {
  const a = new Hono();
  a.use("*", securityMiddleware({ bind, token, csrf: CSRF }));
  a.get("/api/x", (c) => c.json({ ok: true }));
  a.post("/api/x", (c) => c.json({ ok: true }));
  a.get("/", (c) => c.text("page"));
  a.onError((err, c) => {
    const { status, body } = toHttpError(err);
    return c.json(body, status as 400);
  });
  return a;
}

Deno.test("hostName() drops the port, also of IPv6 literals", () => {
  assertEquals(hostName("localhost:5173"), "localhost");
  assertEquals(hostName("[::1]:5173"), "[::1]");
  assertEquals(hostName("Example.COM"), "example.com");
});

Deno.test("hostAllowed() accepts loopback names and the bound address, refuses other names", () => {
  assert(hostAllowed("localhost:5173", "127.0.0.1"));
  assert(hostAllowed("127.0.0.1:5173", "127.0.0.1"));
  assert(hostAllowed("[::1]:5173", "127.0.0.1"));
  assert(hostAllowed("192.168.1.5:5173", "192.168.1.5"));
  assert(!hostAllowed("evil.example:5173", "127.0.0.1"), "a rebound DNS name must be refused");
  assert(!hostAllowed("192.168.1.6:5173", "192.168.1.5"));
  assert(!hostAllowed(undefined, "127.0.0.1"));
  assert(hostAllowed("anything.example:5173", "0.0.0.0"), "a wildcard bind relies on the token");
});

Deno.test("csrfProblem() passes GET and a POST with the right header and same origin", () => {
  assertEquals(csrfProblem({ method: "GET" }, CSRF), undefined);
  assertEquals(
    csrfProblem(
      { method: "POST", csrfHeader: CSRF, origin: "http://localhost:5173", host: "localhost:5173" },
      CSRF,
    ),
    undefined,
  );
  assertEquals(csrfProblem({ method: "DELETE", csrfHeader: CSRF, host: "localhost:5173" }, CSRF), undefined);
});

Deno.test("csrfProblem() refuses a missing or wrong header and a foreign Origin", () => {
  assert(csrfProblem({ method: "POST", host: "localhost:1" }, CSRF)?.includes("X-CSRF-Token"));
  assert(csrfProblem({ method: "POST", csrfHeader: "nope", host: "localhost:1" }, CSRF)?.includes("match"));
  assert(
    csrfProblem(
      { method: "POST", csrfHeader: CSRF, origin: "http://evil.example", host: "localhost:1" },
      CSRF,
    )
      ?.includes("evil.example"),
  );
});

Deno.test("presentedToken() prefers a bearer header over the cookie", () => {
  assertEquals(presentedToken("c", "Bearer b"), "b");
  assertEquals(presentedToken("c", undefined), "c");
  assertEquals(presentedToken(undefined, "Basic x"), undefined);
});

Deno.test("securityMiddleware: a POST without X-CSRF-Token is 403 CSRF", async () => {
  const r = await app("127.0.0.1").request("/api/x", { method: "POST", headers: { Host: "localhost:5173" } });
  assertEquals(r.status, 403);
  assertEquals((await r.json()).error.code, "CSRF");
  const ok = await app("127.0.0.1").request("/api/x", {
    method: "POST",
    headers: { Host: "localhost:5173", "X-CSRF-Token": CSRF, Origin: "http://localhost:5173" },
  });
  assertEquals(ok.status, 200);
});

Deno.test("securityMiddleware: a foreign Host header is 403 (DNS rebinding)", async () => {
  const r = await app("127.0.0.1").request("/api/x", { headers: { Host: "evil.example:5173" } });
  assertEquals(r.status, 403);
  assertEquals((await r.json()).error.code, "Host");
});

Deno.test("securityMiddleware: bound beyond loopback, /api needs the token (cookie or bearer)", async () => {
  const a = app("0.0.0.0", "T0K3N");
  const host = { Host: "10.0.0.1:5173" };
  assertEquals((await a.request("/api/x", { headers: host })).status, 401);
  assertEquals(
    (await a.request("/api/x", { headers: { ...host, Authorization: "Bearer wrong" } })).status,
    401,
  );
  assertEquals(
    (await a.request("/api/x", { headers: { ...host, Authorization: "Bearer T0K3N" } })).status,
    200,
  );
  assertEquals((await a.request("/", { headers: host })).status, 200, "the page itself is served");

  const first = await a.request("/?token=T0K3N", { headers: host });
  const cookie = first.headers.get("set-cookie") ?? "";
  assert(cookie.startsWith(`${TOKEN_COOKIE}=T0K3N`), cookie);
  assert(/HttpOnly/i.test(cookie) && /SameSite=Strict/i.test(cookie), cookie);
  const withCookie = await a.request("/api/x", { headers: { ...host, Cookie: `${TOKEN_COOKIE}=T0K3N` } });
  assertEquals(withCookie.status, 200);
});

Deno.test("securityMiddleware refuses to start beyond loopback without a token", () => {
  let threw = false;
  try {
    securityMiddleware({ bind: "0.0.0.0", csrf: CSRF });
  } catch {
    threw = true;
  }
  assert(threw);
});
