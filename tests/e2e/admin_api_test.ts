/**
 * The rnx admin API in-process (`app.request`) against a real agent over mTLS: jobs (run with an upload, list,
 * get, log stream history + live + end, stop, delete), workflows (validation issues, run), host status,
 * networks and volumes, a readonly certificate, CSRF, the token beyond loopback, and no agent stream left open
 * after the browser goes away.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { skip } from "../_requires.ts";
import { AGENT_MAIN, RNX_MAIN, TestAgent } from "./_agent.ts";
import { loadConfig } from "../../cli/config.ts";
import { connect } from "../../cli/client.ts";
import { NodePool } from "../../cli/admin/server/nodes.ts";
import { type AdminApp, createAdminApp } from "../../cli/admin/server/app.ts";

const HOST = { Host: "127.0.0.1:5173" };

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a text/event-stream body event by event. */
class SseReader {
  #reader: ReadableStreamDefaultReader<string>;
  #buf = "";
  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }
  async next(): Promise<SseEvent | undefined> {
    for (;;) {
      const end = this.#buf.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buf.slice(0, end);
        this.#buf = this.#buf.slice(end + 2);
        if (block.startsWith(":")) continue; // keep-alive comment
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        return { event, data: JSON.parse(data.join("\n")) };
      }
      const { value, done } = await this.#reader.read();
      if (done) return undefined;
      this.#buf += value;
    }
  }
  /** Events until `stop` says so (inclusive), or the stream ends. */
  async until(stop: (e: SseEvent) => boolean): Promise<SseEvent[]> {
    const out: SseEvent[] = [];
    for (let e = await this.next(); e; e = await this.next()) {
      out.push(e);
      if (stop(e)) break;
    }
    return out;
  }
  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

async function issue(agent: TestAgent, name: string, role: string): Promise<string> {
  const out = join(agent.stateDir, `${name}.yml`);
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      AGENT_MAIN,
      "certs",
      "issue",
      ...["--name", name, "--role", role, "--state-dir", agent.stateDir],
      ...["--address", `localhost:${agent.port}`, "--out", out],
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
  return out;
}

async function adminFor(configPath: string, opts: { bind?: string; token?: string } = {}) {
  const { config } = await loadConfig({ flag: configPath, env: () => undefined, cwd: "/" });
  const pool = new NodePool(config, connect);
  const node = Object.keys(config.nodes)[0];
  const admin = createAdminApp({
    pool,
    bind: opts.bind ?? "127.0.0.1",
    token: opts.token,
    assets: {},
    log: () => {},
  });
  return { admin, pool, node, ...helpers(admin) };
}

function helpers(admin: AdminApp) {
  const req = (path: string, init: RequestInit = {}) =>
    admin.app.request(path, { ...init, headers: { ...HOST, ...init.headers } });
  const send = (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) =>
    req(path, { method, body, headers: { "X-CSRF-Token": admin.csrf, ...headers } });
  const json = async <T = Record<string, unknown>>(
    r: Response | Promise<Response>,
    status = 200,
  ): Promise<T> => {
    const res = await r;
    const text = await res.text();
    assertEquals(res.status, status, text);
    return JSON.parse(text) as T;
  };
  return { req, send, json };
}

function runForm(spec: Record<string, unknown>, files: File[] = []): FormData {
  const f = new FormData();
  f.set("spec", JSON.stringify(spec));
  for (const file of files) f.append("file", file);
  return f;
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test({
  name: "e2e: rnx admin API against a real agent",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const agent = await TestAgent.start();
    const { admin, pool, node, req, send, json } = await adminFor(agent.rnxConfig);
    const base = `/api/nodes/${node}`;
    try {
      await t.step("session: the node with the admin role from its certificate", async () => {
        const s = await json<{ nodes: { name: string; role: string }[] }>(req("/api/session"));
        assertEquals(s.nodes.map((n) => [n.name, n.role]), [[node, "admin"]]);
      });

      let uploadJobId = "";
      await t.step("run a job with an uploaded folder file; its log streams history and end", async () => {
        const job = await json<{ id: string; node: string; upload_count: number }>(
          send(
            "POST",
            `${base}/jobs`,
            runForm(
              {
                command: "sh",
                args: ["-c", "cat data/in.txt; echo done"],
                name: "with-upload",
                maxMemory: "64MB",
              },
              [new File(["hello from upload\n"], "data/in.txt")],
            ),
          ),
          201,
        );
        uploadJobId = job.id;
        assertEquals(job.node, node);
        const res = await req(`${base}/jobs/${job.id}/logs`);
        assertEquals(res.headers.get("content-type"), "text/event-stream");
        const events = await new SseReader(res.body!).until((e) => e.event === "end");
        const lines = events.filter((e) => e.event === "log").map((e) => (e.data as { line: string }).line);
        assertEquals(lines, ["hello from upload", "done"]);
        const end = events.at(-1)!;
        assertEquals(end.event, "end");
        assertEquals((end.data as { status: string }).status, "COMPLETED");
        const got = await json<{ limits: { max_memory_bytes: number } }>(req(`${base}/jobs/${job.id}`));
        assertEquals(got.limits.max_memory_bytes, 64 * 1024 * 1024);
      });

      await t.step("list: the node's jobs and every node's jobs, filtered and counted", async () => {
        const list = await json<{ jobs: { id: string }[]; total: number }>(
          req(`${base}/jobs?status=completed&q=with-upload`),
        );
        assertEquals(list.jobs.map((j) => j.id), [uploadJobId]);
        assertEquals(list.total, 1);
        const all = await json<{ jobs: { id: string; node: string }[]; errors: unknown[] }>(
          req("/api/jobs?node=all"),
        );
        assert(all.jobs.some((j) => j.id === uploadJobId && j.node === node));
        assertEquals(all.errors, []);
      });

      await t.step("log stream: lines arrive live; stop ends it with STOPPED", async () => {
        const job = await json<{ id: string }>(
          send(
            "POST",
            `${base}/jobs`,
            runForm({ command: "sh", args: ["-c", "echo first; sleep 60; echo never"] }),
          ),
          201,
        );
        const res = await req(`${base}/jobs/${job.id}/logs`);
        const sse = new SseReader(res.body!);
        const first = await sse.next();
        assertEquals(first?.event, "log");
        assertEquals((first?.data as { line: string; stream: string }).line, "first");
        const running = await json<{ status: string }>(req(`${base}/jobs/${job.id}`));
        assertEquals(running.status, "RUNNING", "the line came while the job ran");
        const stopped = await json<{ status: string }>(send("POST", `${base}/jobs/${job.id}/stop?grace=1`));
        assertEquals(stopped.status, "STOPPED");
        const rest = await sse.until((e) => e.event === "end");
        assertEquals((rest.at(-1)!.data as { status: string }).status, "STOPPED");
        assert(!rest.some((e) => (e.data as { line?: string }).line === "never"));
        await waitFor(() => admin.streams.open === 0, "the log stream to close");
      });

      await t.step("a browser that goes away closes the agent stream (no leak)", async () => {
        const job = await json<{ id: string }>(
          send("POST", `${base}/jobs`, runForm({ command: "sh", args: ["-c", "echo tick; sleep 60"] })),
          201,
        );
        const logs = new SseReader((await req(`${base}/jobs/${job.id}/logs`)).body!);
        assertEquals((await logs.next())?.event, "log");
        const host = new SseReader((await req(`${base}/host/stream?interval=1`)).body!);
        assertEquals((await host.next())?.event, "host");
        assertEquals(admin.streams.open, 2);
        await logs.cancel();
        await host.cancel();
        await waitFor(() => admin.streams.open === 0, "both agent streams to close");
        await json(send("POST", `${base}/jobs/${job.id}/stop?grace=1`));
      });

      await t.step("delete a finished job; then it is 404", async () => {
        assertEquals(await json(send("DELETE", `${base}/jobs/${uploadJobId}`)), { deleted: uploadJobId });
        const gone = await req(`${base}/jobs/${uploadJobId}`);
        assertEquals(gone.status, 404);
        assertEquals((await gone.json()).error.code, "NotFound");
      });

      await t.step("workflow: validation errors at their lines, then a valid one runs", async () => {
        const bad = new FormData();
        bad.set(
          "yaml",
          "jobs:\n  a:\n    command: echo\n  b:\n    command: echo\n    requires:\n      - nope: COMPLETED\n",
        );
        const err = await json<{ error: { issues: { line: number; message: string }[] } }>(
          send("POST", `${base}/workflows`, bad),
          400,
        );
        assert(err.error.issues.some((i) => i.line === 7 && /nope/.test(i.message)), JSON.stringify(err));

        const good = new FormData();
        good.set(
          "yaml",
          new File([
            "jobs:\n  first:\n    command: cat\n    args: [in.txt]\n    uploads:\n      files: [inputs/in.txt]\n" +
            "  second:\n    command: echo\n    args: [two]\n    requires:\n      - first: COMPLETED\n",
          ], "pipe.yaml"),
        );
        good.append("file", new File(["wf input\n"], "inputs/in.txt"));
        const wf = await json<{ id: string; node: string; jobs: { workflow_job: string; node: string }[] }>(
          send("POST", `${base}/workflows`, good),
          201,
        );
        assertEquals(wf.node, node);
        assertEquals(wf.jobs.map((j) => j.workflow_job).sort(), ["first", "second"]);
        const end = Date.now() + 30_000;
        let status = "";
        while (Date.now() < end) {
          status = (await json<{ status: string }>(req(`${base}/workflows/${wf.id}`))).status;
          if (status === "COMPLETED" || status === "FAILED") break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assertEquals(status, "COMPLETED");
        const list = await json<{ workflows: { id: string }[] }>(req(`${base}/workflows`));
        assert(list.workflows.some((w) => w.id === wf.id));
      });

      await t.step("host status as rnx monitor status --json prints it", async () => {
        const h = await json<{ memory_total_bytes: number; cores: unknown[] }>(req(`${base}/host`));
        assert(h.memory_total_bytes > 0);
        assert(h.cores.length > 0);
      });

      await t.step("networks and volumes: create, list, remove", async () => {
        const ct = { "Content-Type": "application/json" };
        const net = await json<{ name: string; cidr: string }>(
          send("POST", `${base}/networks`, JSON.stringify({ name: "adminnet", cidr: "10.233.7.0/24" }), ct),
          201,
        );
        assertEquals(net.cidr, "10.233.7.0/24");
        const dup = await send(
          "POST",
          `${base}/networks`,
          JSON.stringify({ name: "adminnet", cidr: "10.233.8.0/24" }),
          ct,
        );
        assertEquals(dup.status, 409);
        const nets = await json<{ networks: { name: string }[] }>(req(`${base}/networks`));
        assert(nets.networks.some((n) => n.name === "adminnet"));
        assertEquals(await json(send("DELETE", `${base}/networks/adminnet`)), { removed: "adminnet" });

        const vol = await json<{ name: string; type: string }>(
          send(
            "POST",
            `${base}/volumes`,
            JSON.stringify({ name: "adminvol", size: "10MB", type: "memory" }),
            ct,
          ),
          201,
        );
        assertEquals(vol.type, "memory");
        const vols = await json<{ volumes: { name: string }[] }>(req(`${base}/volumes`));
        assert(vols.volumes.some((v) => v.name === "adminvol"));
        assertEquals(await json(send("DELETE", `${base}/volumes/adminvol`)), { removed: "adminvol" });
        assertEquals((await send("DELETE", `${base}/volumes/adminvol`)).status, 404);
      });

      await t.step("CSRF: a mutation without the header is refused and runs nothing", async () => {
        const before = (await json<{ total: number }>(req(`${base}/jobs`))).total;
        const r = await req(`${base}/jobs`, { method: "POST", body: runForm({ command: "true" }) });
        assertEquals(r.status, 403);
        assertEquals((await r.json()).error.code, "CSRF");
        assertEquals((await json<{ total: number }>(req(`${base}/jobs`))).total, before);
      });

      await t.step("a readonly certificate reads but gets 403 on mutations", async () => {
        const ro = await adminFor(await issue(agent, "rita", "readonly"));
        try {
          const s = await ro.json<{ nodes: { role: string }[] }>(ro.req("/api/session"));
          assertEquals(s.nodes[0].role, "readonly");
          await ro.json(ro.req(`/api/nodes/${ro.node}/jobs`));
          const run = await ro.send("POST", `/api/nodes/${ro.node}/jobs`, runForm({ command: "true" }));
          assertEquals(run.status, 403);
          const body = await run.json();
          assertEquals(body.error.code, "PermissionDenied");
          assertMatch(body.error.message, /rita.*readonly.*may not/);
          const net = await ro.send(
            "POST",
            `/api/nodes/${ro.node}/networks`,
            JSON.stringify({ name: "ronet", cidr: "10.233.9.0/24" }),
            { "Content-Type": "application/json" },
          );
          assertEquals(net.status, 403);
        } finally {
          ro.pool.close();
        }
      });

      await t.step("rnx admin serves over HTTP, prints its URL and stops cleanly on Ctrl-C", async () => {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", RNX_MAIN, "admin", "--port", "0"],
          env: { RNX_CONFIG: agent.rnxConfig, DENO_NO_UPDATE_CHECK: "1" },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let text = "";
        while (!/serving (\S+)\n/.test(text)) {
          const { value, done } = await out.read();
          if (done) break;
          text += value;
        }
        const url = /serving (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(text)?.[1];
        assert(url, `no URL in: ${text}`);
        const s = await fetch(new URL("/api/session", url));
        assertEquals(s.status, 200);
        assertEquals(JSON.stringify(await s.json()).includes("PRIVATE KEY"), false);
        const page = await fetch(url);
        assertEquals(page.status, 200);
        assertMatch(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
        await page.body?.cancel();
        // An open event stream must not keep the server from stopping.
        const stream = await fetch(new URL(`${base}/host/stream?interval=1`, url));
        const sse = new SseReader(stream.body!);
        assertEquals((await sse.next())?.event, "host");
        child.kill("SIGINT");
        const status = await child.status;
        assertEquals(status.code, 0);
        await sse.cancel().catch(() => {});
        await out.cancel();
        const err = await new Response(child.stderr).text();
        assertMatch(err, /rnx admin: stopped/);
      });

      await t.step("beyond loopback the API needs the token", async () => {
        const tk = await adminFor(agent.rnxConfig, { bind: "0.0.0.0", token: "tok-tok-tok-tok-tok" });
        try {
          assertEquals((await tk.req("/api/session")).status, 401);
          const ok = await tk.req("/api/session", {
            headers: { Authorization: "Bearer tok-tok-tok-tok-tok" },
          });
          assertEquals(ok.status, 200);
          await ok.body?.cancel();
        } finally {
          tk.pool.close();
        }
      });
    } finally {
      pool.close();
      await agent.stop();
    }
  },
});
