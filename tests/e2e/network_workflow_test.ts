/**
 * A workflow whose two jobs share a custom network and find each other by their workflow job names, as in the
 * seeds' microservices example: service-b fetches http://service-a:8000/ and service-a answers it. The agent
 * runs in a network namespace of its own (_netns_agent.ts).
 */
import { assert, assertEquals } from "../assert.ts";
import { skip } from "../_requires.ts";
import { hasNetTools, NetnsAgent } from "./_netns_agent.ts";

type Wf = { id: string; status: string; jobs: Record<string, unknown>[] };

const WORKFLOW = `jobs:
  service-a:
    command: python3
    args:
      - -c
      - |
        import http.server
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"hello from service-a"
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
                self.wfile.write(body)
        http.server.HTTPServer(("0.0.0.0", 8000), H).handle_request()
        print("served one request")
    network: backend
  service-b:
    command: python3
    args:
      - -c
      - |
        import time, urllib.request
        for i in range(100):
            try:
                print(urllib.request.urlopen("http://service-a:8000/", timeout=2).read().decode()); break
            except OSError as e:
                time.sleep(0.1)
        else:
            raise SystemExit("service-a unreachable: %s" % e)
    network: backend
`;

Deno.test({
  name: "workflow jobs on one custom network reach each other by their workflow job names",
  ignore: skip("root", "cgroup") || !(await hasNetTools()),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const net = await NetnsAgent.start(`jwf${Deno.pid % 100000}`, "network:\n  default: none\n");
    const dir = Deno.makeTempDirSync({ prefix: "joblet-netwf-" });
    let left = "";
    try {
      const made = await net.rnx(["network", "create", "backend", "--cidr=10.232.0.0/24"]);
      assertEquals(made.code, 0, made.stderr);
      Deno.writeTextFileSync(`${dir}/services.yaml`, WORKFLOW);
      const started = await net.rnxJson<Wf>(["job", "run", `--workflow=${dir}/services.yaml`]);
      let wf = started;
      for (let i = 0; i < 300 && !["COMPLETED", "FAILED", "CANCELED"].includes(wf.status); i++) {
        await new Promise((r) => setTimeout(r, 200));
        wf = await net.rnxJson<Wf>(["job", "status", "--workflow", started.id]);
      }
      const jobs = Object.fromEntries(wf.jobs.map((j) => [String(j.workflow_job), j]));
      const logs: Record<string, string> = {};
      for (const [name, j] of Object.entries(jobs)) {
        const r = await net.rnx(["job", "log", String(j.id)]);
        logs[name] = r.stdout + r.stderr;
      }
      assertEquals(wf.status, "COMPLETED", JSON.stringify(logs));
      assertEquals(jobs["service-a"].network, "backend");
      assertEquals(jobs["service-b"].network, "backend");
      assert(logs["service-b"].includes("hello from service-a"), logs["service-b"]);
      assert(logs["service-a"].includes("served one request"), logs["service-a"]);
    } finally {
      left = await net.stop();
      Deno.removeSync(dir, { recursive: true });
    }
    assertEquals(left.trim().split("\n").filter((l) => !/^\d+: lo:/.test(l)), [], left);
  },
});
