import assert from "node:assert/strict";
import { Command, CommanderError } from "commander";
import {
  defineRunCommand,
  parseAssignment,
  parseRuntimeFlag,
  type RawRunOptions,
  type RunArgs,
  toRunArgs,
} from "./run_args.ts";
import { UsageError } from "./errors.ts";
import { assertIncludes, rejected, thrown } from "./_testing.ts";

/** Parses `rnx job run <argv…>` through the same commander tree shape as the real program. */
async function parse(argv: string[]): Promise<RunArgs> {
  let out: RunArgs | undefined;
  const program = new Command("rnx").enablePositionalOptions().exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  const job = program.command("job").enablePositionalOptions();
  defineRunCommand(job.command("run")).action((command: string, args: string[], opts: RawRunOptions) => {
    out = toRunArgs(command, args, opts);
  });
  await program.parseAsync(["job", "run", ...argv], { from: "user" });
  assert.ok(out);
  return out;
}

Deno.test("job run passes everything after the command verbatim, including --", async () => {
  const r = await parse(["sh", "-c", "echo $1 $2", "--", "a", "b"]);
  assert.equal(r.command, "sh");
  assert.deepEqual(r.args, ["-c", "echo $1 $2", "--", "a", "b"]);
});

Deno.test("job run gives flags after the command to the command", async () => {
  const r = await parse(["ls", "-la"]);
  assert.deepEqual([r.command, r.args], ["ls", ["-la"]]);
  const r2 = await parse(["mytool", "--json", "-f", "--env", "X=1"]);
  assert.deepEqual(r2.args, ["--json", "-f", "--env", "X=1"]);
  assert.equal(r2.json, false);
  assert.equal(r2.follow, false);
  assert.deepEqual(r2.env, {});
});

Deno.test("job run reads flags before the command, repeatable ones in order", async () => {
  const r = await parse([
    "--name",
    "build-1",
    "-e",
    "A=1",
    "--env=B=x=y",
    "-s",
    "TOKEN=abc",
    "--upload",
    "src",
    "--upload",
    "a.txt",
    "--upload-dir",
    "ctx",
    "-f",
    "--json",
    "make",
    "all",
  ]);
  assert.deepEqual(r, {
    name: "build-1",
    command: "make",
    args: ["all"],
    env: { A: "1", B: "x=y" },
    secretEnv: { TOKEN: "abc" },
    uploads: ["src", "a.txt"],
    uploadDirs: ["ctx"],
    follow: true,
    json: true,
    limits: {},
    schedule: "",
    timezone: "",
    allowOverlap: false,
    missed: "",
    retry: { retries: 0, delayMs: 0, noRetryOn: [] },
    volumes: [],
  });
});

Deno.test("job run treats a leading -- as the end of flags", async () => {
  const r = await parse(["-f", "--", "-dash", "--", "x"]);
  assert.deepEqual([r.command, r.args, r.follow], ["-dash", ["--", "x"], true]);
});

Deno.test("job run without a command (or --workflow) is a usage error", async () => {
  const err = await rejected(() => parse(["-f"]), UsageError);
  assertIncludes(err.message, "missing the command to run");
});

Deno.test("job run reads --schedule, cron flags and retry flags; checks them before sending", async () => {
  const r = await parse([
    "--schedule=cron:*/5 * * * *",
    "--tz=Europe/Berlin",
    "--allow-overlap",
    "--missed=skip",
    "--retries=3",
    "--retry-delay=10s",
    "--no-retry-on=2,3",
    "true",
  ]);
  assert.deepEqual(
    [r.schedule, r.timezone, r.allowOverlap, r.missed, r.retry],
    ["cron:*/5 * * * *", "Europe/Berlin", true, "skip", { retries: 3, delayMs: 10_000, noRetryOn: [2, 3] }],
  );
  assertIncludes((await rejected(() => parse(["--schedule=soon", "true"]), UsageError)).message, '"soon"');
  assertIncludes(
    (await rejected(() => parse(["--schedule=1h", "--tz=UTC", "true"]), UsageError)).message,
    "cron",
  );
  assertIncludes((await rejected(() => parse(["--retries=x", "true"]), UsageError)).message, "--retries");
  assertIncludes((await rejected(() => parse(["--no-retry-on=2", "true"]), UsageError)).message, "--retries");
});

Deno.test("job run --workflow=file.yaml[:job] takes no command and no job flags", async () => {
  const r = await parse(["--workflow=ci/pipe.yaml:build"]);
  assert.deepEqual(r.workflow, { file: "ci/pipe.yaml", job: "build" });
  assert.deepEqual((await parse(["--workflow=pipe.yml"])).workflow, { file: "pipe.yml", job: "" });
  assertIncludes((await rejected(() => parse(["--workflow=p.yaml", "ls"]), UsageError)).message, "command");
  assertIncludes(
    (await rejected(() => parse(["--workflow=p.yaml", "--retries=2"]), UsageError)).message,
    "--retries",
  );
  assertIncludes((await rejected(() => parse(["--workflow=p.txt"]), UsageError)).message, ".yaml");
});

Deno.test("job run rejects an unknown flag before the command", async () => {
  const err = await rejected(() => parse(["--bogus", "ls"]), CommanderError);
  assert.equal(err.code, "commander.unknownOption");
});

Deno.test("parseAssignment() keeps an empty value and '=' inside the value", () => {
  assert.deepEqual(parseAssignment("--env", "A="), ["A", ""]);
  assert.deepEqual(parseAssignment("--env", "URL=a=b"), ["URL", "a=b"]);
});

Deno.test("parseAssignment() rejects a pair without '=' quoting it", () => {
  const err = thrown(() => parseAssignment("--env", "PATH"), UsageError);
  assertIncludes(err.message, `--env "PATH" must have the form NAME=VALUE`);
});

Deno.test("parseAssignment() rejects a bad variable name, naming it", () => {
  for (const bad of ["1A=x", "A-B=x", "=x", "A B=x"]) {
    const err = thrown(() => parseAssignment("--secret-env", bad), UsageError);
    assertIncludes(err.message, `variable name "${bad.slice(0, bad.indexOf("="))}" is not valid`);
  }
});

Deno.test("toRunArgs() checks the job with the agent's rules: name, empty command, reserved variables", () => {
  assertIncludes(
    thrown(() => toRunArgs("ls", [], { name: "a b" }), UsageError).message,
    "name may use letters",
  );
  assertIncludes(thrown(() => toRunArgs("ls", [], { name: "x".repeat(64) }), UsageError).message, "name");
  assertIncludes(thrown(() => toRunArgs("", [], {}), UsageError).message, "command is required");
  assertIncludes(
    thrown(() => toRunArgs("ls", [], { env: ["HOME=/x"] }), UsageError).message,
    `"HOME" is reserved`,
  );
});

Deno.test("toRunArgs() rejects a variable given as both plain and secret", () => {
  const err = thrown(() => toRunArgs("ls", [], { env: ["K=1"], secretEnv: ["K=2"] }), UsageError);
  assertIncludes(err.message, `"K" is given both as env and secret env`);
});

Deno.test("job run --volume is repeatable, reads NAME and NAME:ro, and rejects a bad or repeated volume", async () => {
  const r = await parse(["--volume=results", "--volume", "models:ro", "ls", "/volumes"]);
  assert.deepEqual(r.volumes, [{ name: "results", readOnly: false }, { name: "models", readOnly: true }]);
  assert.deepEqual(r.args, ["/volumes"]);
  assert.deepEqual((await parse(["ls"])).volumes, []);
  for (const bad of ["x/../y", "-bad", "a:rx"]) {
    const e = await rejected(() => parse([`--volume=${bad}`, "ls"]));
    assert.ok(e instanceof UsageError, String(e));
    assertIncludes(e.message, `volume "${bad}" must be NAME or NAME:ro`);
  }
  const twice = await rejected(() => parse(["--volume=a", "--volume=a:ro", "ls"]));
  assertIncludes(twice.message, 'volume "a" is given twice');
});

Deno.test("parseRuntimeFlag() turns NAME@VERSION and NAME:VERSION into the runtime's name", () => {
  assert.equal(parseRuntimeFlag("python@3.11"), "python-3.11");
  assert.equal(parseRuntimeFlag("openjdk:17"), "openjdk-17");
  assert.equal(parseRuntimeFlag("python-3.11"), "python-3.11");
  const e = thrown(() => parseRuntimeFlag("../etc"), UsageError);
  assertIncludes(e.message, `--runtime: runtime "../etc" is not a runtime name`);
});

Deno.test("job run --max-net-bw reads tc-style rates and refuses bad ones and --network=none", async () => {
  assert.equal((await parse(["--max-net-bw=8mbit", "ls"])).maxNetBwBytes, 1_000_000);
  assert.equal((await parse(["--max-net-bw", "100MB/s", "--network=backend", "ls"])).maxNetBwBytes, 1e8);
  assert.equal((await parse(["ls"])).maxNetBwBytes, undefined);
  const bads = [["10", "is not a rate"], ["0mbit", "is zero"], ["200gbit", "is too large (at most 100gbit"]];
  for (const [bad, why] of bads) {
    const e = await rejected(() => parse([`--max-net-bw=${bad}`, "ls"]), UsageError);
    assertIncludes(e.message, `--max-net-bw "${bad}" ${why}`);
  }
  const none = await rejected(() => parse(["--network=none", "--max-net-bw=8mbit", "ls"]), UsageError);
  assertIncludes(none.message, "--max-net-bw needs a network: --network=none has only loopback");
});
