/**
 * rnx end to end against an in-memory fake agent: argv in, exit code and output out. No network: `connect`
 * returns fake service clients that answer like grpc-js clients do (callbacks, Writable, Readable).
 */
import assert from "node:assert/strict";
import { Readable, Writable } from "node:stream";
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { type Job, JobStatus, type LogRecord, LogStream, type RunJobRequest } from "../proto/gen/joblet.ts";
import type { Context } from "./context.ts";
import type { Connection } from "./client.ts";
import { parseConfig } from "./config.ts";
import { MemorySink } from "./io.ts";
import { runRnx } from "./program.ts";
import { assertIncludes, sampleJob } from "./_testing.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----";
const CONFIG = parseConfig(
  JSON.stringify({
    version: 1,
    default: "lab",
    nodes: {
      lab: { address: "localhost:50051", ca: PEM, cert: PEM, key: KEY },
      prod: { address: "10.0.0.9:50051", server_name: "joblet", ca: PEM, cert: PEM, key: KEY },
    },
  }),
  "test.yml",
);

function grpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

interface Agent {
  received: RunJobRequest[];
  job: Job;
  logs: LogRecord[];
  failWith?: ServiceError;
  connections: string[];
  closed: number;
}

function fakeAgent(): Agent {
  return { received: [], job: sampleJob(), logs: [], connections: [], closed: 0 };
}

type Cb<T> = (err: ServiceError | null, value: T) => void;

function fakeConnect(agent: Agent) {
  return (nodeName: string): Connection => {
    agent.connections.push(nodeName);
    const answer = <T>(cb: Cb<T>, value: T) =>
      queueMicrotask(() => agent.failWith ? cb(agent.failWith, undefined as T) : cb(null, value));
    const jobs = {
      runJob(cb: Cb<Job>) {
        return new Writable({
          objectMode: true,
          highWaterMark: 2,
          write(msg: RunJobRequest, _e, done) {
            agent.received.push(msg);
            done();
          },
          final(done) {
            answer(cb, agent.job);
            done();
          },
        });
      },
      getJob: (_r: unknown, _m: unknown, _o: unknown, cb: Cb<Job>) => answer(cb, agent.job),
      listJobs: (_r: unknown, _m: unknown, _o: unknown, cb: Cb<{ jobs: Job[] }>) =>
        answer(cb, { jobs: [agent.job] }),
      stopJob: (_r: unknown, _m: unknown, _o: unknown, cb: Cb<Job>) => answer(cb, agent.job),
      deleteJob: (r: { id: string }, _m: unknown, _o: unknown, cb: Cb<{ id: string }>) =>
        answer(cb, { id: r.id }),
      deleteAllJobs: (_r: unknown, _m: unknown, _o: unknown, cb: Cb<unknown>) =>
        answer(cb, { deletedIds: ["a", "b"], skipped: 1 }),
      streamLogs: () => Readable.from(agent.logs),
    };
    const system = {
      getVersion: (_r: unknown, _m: unknown, _o: unknown, cb: Cb<unknown>) =>
        answer(cb, {
          version: "0.1.0",
          apiVersion: "v1",
          runtime: "deno",
          hostname: "h",
          os: "linux",
          cgroupVersion: "v2",
          callerName: "alice",
          callerRole: "admin",
        }),
    };
    return {
      jobs,
      system,
      address: CONFIG.nodes[nodeName].address,
      nodeName,
      close: () => agent.closed++,
    } as unknown as Connection;
  };
}

async function rnx(argv: string[], agent = fakeAgent(), withConfig = true) {
  const stdout = new MemorySink();
  const stderr = new MemorySink();
  const ctx: Context = {
    io: {
      stdout,
      stderr,
      env: () => undefined,
      cwd: () => "/nowhere",
      now: () => Date.UTC(2024, 0, 2, 3, 5),
    },
    loadConfig: () =>
      withConfig
        ? Promise.resolve({ path: "test.yml", config: CONFIG })
        : Promise.reject(new Error("No rnx config found.")),
    connect: fakeConnect(agent),
    exitCode: 0,
  };
  const code = await runRnx(argv, ctx);
  return { code, out: stdout.text(), err: stderr.text(), agent };
}

Deno.test("rnx without a command shows help and exits 2", async () => {
  const r = await rnx([]);
  assert.equal(r.code, 2);
  assertIncludes(r.err, "Usage: rnx");
});

Deno.test("rnx --help and rnx job run --help exit 0 and print to stdout", async () => {
  assert.equal((await rnx(["--help"])).code, 0);
  const r = await rnx(["job", "run", "--help"]);
  assert.equal(r.code, 0);
  assertIncludes(r.out, "--upload-dir");
});

Deno.test("an unknown command or flag exits 2 with the usage line", async () => {
  const r = await rnx(["job", "frobnicate"]);
  assert.equal(r.code, 2);
  assertIncludes(r.err, "rnx: unknown command 'frobnicate'");
  const r2 = await rnx(["job", "list", "--bogus"]);
  assert.equal(r2.code, 2);
  assertIncludes(r2.err, "Usage: rnx job list [options]");
});

Deno.test("a malformed job id exits 2 before connecting", async () => {
  const r = await rnx(["job", "status", "NOT-HEX"]);
  assert.equal(r.code, 2);
  assertIncludes(r.err, `rnx: job id "NOT-HEX" is not valid`);
  assertIncludes(r.err, "Usage: rnx job status [options] <id>");
  assert.deepEqual(r.agent.connections, []);
});

Deno.test("bad --status, --grace and --env values exit 2", async () => {
  assert.equal((await rnx(["job", "list", "--status", "sleeping"])).code, 2);
  assert.equal((await rnx(["job", "stop", "ab", "--grace", "-1"])).code, 2);
  const r = await rnx(["job", "run", "-e", "NOEQUALS", "ls"]);
  assert.equal(r.code, 2);
  assertIncludes(r.err, `--env "NOEQUALS" must have the form NAME=VALUE`);
});

Deno.test("a missing upload path exits 2 and nothing is sent", async () => {
  const r = await rnx(["job", "run", "--upload", "/no/such/dir", "ls"]);
  assert.equal(r.code, 2);
  assertIncludes(r.err, `--upload "/no/such/dir" does not exist`);
  assert.deepEqual(r.agent.connections, []);
});

Deno.test("a missing config exits 1", async () => {
  const r = await rnx(["job", "list"], fakeAgent(), false);
  assert.equal(r.code, 1);
  assertIncludes(r.err, "rnx: No rnx config found.");
});

Deno.test("job run sends the spec with args verbatim and prints the job", async () => {
  const r = await rnx([
    "job",
    "run",
    "--name",
    "x",
    "-e",
    "A=1",
    "-s",
    "T=s",
    "sh",
    "-c",
    "echo $1 $2",
    "--",
    "a",
  ]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.agent.received, [{
    spec: {
      name: "x",
      command: "sh",
      args: ["-c", "echo $1 $2", "--", "a"],
      env: { A: "1" },
      secretEnv: { T: "s" },
      limits: { maxCpuPercent: 0, cpuCores: "", maxMemoryBytes: 0, maxIoBps: 0, maxPids: 0, timeoutMs: 0 },
      schedule: "",
      timezone: "",
      allowOverlap: false,
      missed: "",
      retry: undefined,
      network: "",
      runtime: "",
      maxDiskBytes: 0,
      maxNetBwBytes: 0,
      volumes: [],
    },
  }]);
  assertIncludes(r.out, "Job started: 0a1b2c3d-0000-4000-8000-000000000001\n");
  assert.equal(r.agent.closed, 1);
});

Deno.test("job run sends limit flags parsed by the agent's rules, and rejects bad ones as usage errors", async () => {
  const r = await rnx([
    "job",
    "run",
    "--max-cpu=50",
    "--cpu-cores=0-1",
    "--max-memory=64",
    "--max-iobps=10MB",
    "--max-pids=100",
    "--timeout=1m30s",
    "true",
  ]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.agent.received[0].spec?.limits, {
    maxCpuPercent: 50,
    cpuCores: "0-1",
    maxMemoryBytes: 64 * 1024 ** 2,
    maxIoBps: 10 * 1024 ** 2,
    maxPids: 100,
    timeoutMs: 90_000,
  });
  for (const [flag, value] of [["--max-cpu", "abc"], ["--max-memory", "-1"], ["--cpu-cores", "3-1"]]) {
    const bad = await rnx(["job", "run", `${flag}=${value}`, "true"]);
    assert.equal(bad.code, 2, `${flag}=${value}`);
    assertIncludes(bad.err, flag);
    assert.equal(bad.agent.received.length, 0);
  }
});

Deno.test("job run streams uploads after the spec", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/in.txt`, "hello");
    const r = await rnx(["job", "run", "--upload", `${dir}/in.txt`, "cat", "in.txt"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.agent.received.length, 2);
    assert.equal(r.agent.received[1].upload?.path, "in.txt");
    assert.equal(new TextDecoder().decode(r.agent.received[1].upload?.data), "hello");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("job run --follow copies stdout and stderr apart and exits with the job's code", async () => {
  const agent = fakeAgent();
  const rec = (seq: number, stream: LogStream, text: string) => ({
    seq,
    timeUnixMs: 0,
    stream,
    data: new TextEncoder().encode(text),
  });
  agent.logs = [
    rec(1, LogStream.LOG_STREAM_STDOUT, "out1\n"),
    rec(2, LogStream.LOG_STREAM_STDERR, "err1\n"),
    rec(3, LogStream.LOG_STREAM_SYSTEM, "[log cap reached]\n"),
    rec(4, LogStream.LOG_STREAM_STDOUT, "out2\n"),
  ];
  agent.job = sampleJob({ status: JobStatus.JOB_STATUS_FAILED, exitCode: 3 });
  const r = await rnx(["job", "run", "-f", "sh", "-c", "exit 3"], agent);
  assert.equal(r.code, 3);
  assert.equal(r.out, "out1\nout2\n");
  assertIncludes(r.err, "Job started:");
  assertIncludes(r.err, "err1\n[log cap reached]\n");
});

Deno.test("job status --json prints the snake_case job", async () => {
  const r = await rnx(["job", "status", "0a1b", "--json"]);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.out);
  assert.equal(j.status, "COMPLETED");
  assert.deepEqual(j.secret_env, { TOKEN: "***" });
});

Deno.test("--json before the subcommand works too", async () => {
  const r = await rnx(["--json", "job", "list"]);
  assert.equal(JSON.parse(r.out)[0].id, "0a1b2c3d-0000-4000-8000-000000000001");
});

Deno.test("a NOT_FOUND from the agent prints its message and exits 1", async () => {
  const agent = fakeAgent();
  agent.failWith = grpcError(status.NOT_FOUND, "job 0a1b not found");
  const r = await rnx(["job", "status", "0a1b"], agent);
  assert.equal(r.code, 1);
  assert.equal(r.err, "rnx: job 0a1b not found\n");
});

Deno.test("an unreachable agent is reported with its address", async () => {
  const agent = fakeAgent();
  agent.failWith = grpcError(status.UNAVAILABLE, "No connection established");
  const r = await rnx(["--node", "prod", "job", "list"], agent);
  assert.equal(r.code, 1);
  assertIncludes(r.err, "rnx: cannot reach agent at 10.0.0.9:50051 (is joblet running?)");
});

Deno.test("a connection that fails without a socket error names a refused certificate as a possible cause", async () => {
  const agent = fakeAgent();
  agent.failWith = grpcError(
    status.UNAVAILABLE,
    "No connection established. Last error: Failed to connect (x).",
  );
  const r = await rnx(["--node", "prod", "job", "list"], agent);
  assert.equal(r.code, 1);
  assertIncludes(r.err, "is joblet running? if it is, it may have refused this rnx config's certificate");
  agent.failWith = grpcError(
    status.UNAVAILABLE,
    "No connection established. Last error: Error: connect ECONNREFUSED 10.0.0.9:50051.",
  );
  const refused = await rnx(["--node", "prod", "job", "list"], agent);
  assertIncludes(refused.err, "rnx: cannot reach agent at 10.0.0.9:50051 (is joblet running?)");
});

Deno.test("--node after the subcommand picks the node; an unknown node exits 2", async () => {
  const r = await rnx(["job", "delete", "ab", "--node", "prod"]);
  assert.equal(r.code, 0);
  assert.deepEqual(r.agent.connections, ["prod"]);
  assert.equal(r.out, "Job deleted: ab\n");
  assert.equal((await rnx(["--node", "nope", "job", "list"])).code, 2);
});

Deno.test("job delete-all reports deleted and kept jobs", async () => {
  assert.equal((await rnx(["job", "delete-all"])).out, "Deleted 2 jobs; 1 running job kept\n");
  assert.deepEqual(JSON.parse((await rnx(["job", "delete-all", "--json"])).out), {
    deleted_ids: ["a", "b"],
    skipped: 1,
  });
});

Deno.test("nodes lists the config's nodes and marks the default", async () => {
  const r = await rnx(["nodes"]);
  assert.equal(r.out, "NAME  ADDRESS          DEFAULT\nlab   localhost:50051  *\nprod  10.0.0.9:50051\n");
  const j = JSON.parse((await rnx(["nodes", "--json", "--node", "prod"])).out);
  assert.deepEqual(j.nodes.map((n: { default: boolean }) => n.default), [false, true]);
});

Deno.test("version prints the client and the agent", async () => {
  const r = await rnx(["version", "--json"]);
  const j = JSON.parse(r.out);
  assert.equal(j.server.caller_role, "admin");
  assert.equal(typeof j.client.version, "string");
});
