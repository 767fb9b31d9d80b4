import assert from "node:assert/strict";
import type { Context } from "../context.ts";
import { MemorySink } from "../io.ts";
import { buildProgram } from "../program.ts";
import { assertIncludes } from "../_testing.ts";
import { runFake } from "./_fake_context.ts";
import { commandSpecs, completionScript, type Shell } from "./completion.ts";

function program() {
  const ctx = {
    io: {
      stdout: new MemorySink(),
      stderr: new MemorySink(),
      env: () => undefined,
      cwd: () => "/",
      now: () => 0,
    },
    exitCode: 0,
  } as unknown as Context;
  return buildProgram(ctx);
}

Deno.test("commandSpecs() lists every command of the program with its options and which take values", () => {
  const specs = commandSpecs(program());
  const at = (path: string) => specs.find((s) => s.path.join(" ") === path)!;
  assert.deepEqual(
    at("").subcommands.map((c) => c.name).sort(),
    [
      ...program().commands.map((c) => c.name()),
    ].sort(),
  );
  assert.ok(at("job").subcommands.some((c) => c.name === "run" && c.description.startsWith("Run a command")));
  const run = at("job run");
  assert.deepEqual(run.subcommands, []);
  const opt = (name: string) => run.options.find((o) => o.names.includes(name))!;
  assert.deepEqual(opt("--max-memory"), { ...opt("--max-memory"), takesValue: true, file: false });
  assert.deepEqual(opt("--upload"), { ...opt("--upload"), takesValue: true, file: true });
  assert.deepEqual(opt("--follow").names, ["-f", "--follow"]);
  assert.equal(opt("--follow").takesValue, false);
  assert.ok(at("monitor top").options.some((o) => o.names.includes("--count")));
});

Deno.test("every script names every command and long option of the program", () => {
  const specs = commandSpecs(program());
  for (const shell of ["bash", "zsh", "fish"] as Shell[]) {
    const script = completionScript(shell, program());
    for (const s of specs) {
      for (const c of s.subcommands) assertIncludes(script, c.name);
      for (const o of s.options) for (const n of o.names) assertIncludes(script, n.replace(/^--?/, ""));
    }
  }
});

Deno.test("rnx completion prints the script for the shell and rejects an unknown shell with exit 2", async () => {
  const ok = await runFake(["completion", "fish"], {});
  assert.equal(ok.code, 0);
  assertIncludes(ok.out, "complete -c rnx -n '__rnx_at \\'job\\'' -f -a 'run'");
  const bad = await runFake(["completion", "tcsh"], {});
  assert.equal(bad.code, 2);
  assertIncludes(bad.err, 'shell "tcsh" is not supported (use bash, zsh, fish)');
  assert.equal(bad.out, "");
});

const canRun = (cmd: string) =>
  Deno.permissions.querySync({ name: "run", command: cmd }).state === "granted" &&
  ["/usr/bin/", "/bin/"].some((d) => {
    try {
      return Deno.statSync(d + cmd).isFile;
    } catch {
      return false;
    }
  });

async function sh(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stderr: "inherit" }).output();
  assert.equal(out.code, 0, `${cmd} ${args.join(" ")} failed`);
  return new TextDecoder().decode(out.stdout);
}

async function withScript(shell: Shell, fn: (path: string) => Promise<void>) {
  const path = await Deno.makeTempFile({ prefix: "rnx-completion-" });
  try {
    await Deno.writeTextFile(path, completionScript(shell, program()));
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test({
  name: "the bash script completes subcommands and options at any depth, after global options",
  ignore: !canRun("bash"),
  fn: () =>
    withScript("bash", async (path) => {
      const out = await sh("bash", [
        "-c",
        `source ${path}
         t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _rnx; echo "\${COMPREPLY[*]}"; }
         t rnx jo; t rnx --node prod job st; t rnx --config /x job run --max-m; t rnx job run --upload ""`,
      ]);
      assert.deepEqual(out.split("\n"), ["job", "status stop", "--max-memory", "", ""]);
    }),
});

Deno.test({
  name: "the fish script completes subcommands and options (fish's own complete -C)",
  ignore: !canRun("fish"),
  fn: () =>
    withScript("fish", async (path) => {
      const out = await sh("fish", [
        "-c",
        `source ${path}; complete -C'rnx --node prod job st'; complete -C'rnx monitor top --cou'`,
      ]);
      assert.deepEqual(out.trim().split("\n").map((l) => l.split("\t")[0]), ["status", "stop", "--count"]);
    }),
});

Deno.test({
  name: "the zsh script parses and offers the subcommands of the command typed so far",
  ignore: !canRun("zsh"),
  fn: () =>
    withScript("zsh", async (path) => {
      const out = await sh("zsh", [
        "-c",
        `compdef() { :; }; source ${path}
         _describe() { print -r -- "\${(P)4}"; }; _files() { print files; }
         words=(rnx --node prod monitor ""); CURRENT=5; _rnx
         words=(rnx job run --upload ""); CURRENT=5; _rnx`,
      ]);
      assert.deepEqual(out.trim().split("\n"), [
        "status:Host summary: CPU per core, load, memory, disks, network, jobs " +
        "top:The busiest processes by CPU and by memory, with their job " +
        "watch:Host summary every interval until interrupted (Ctrl-C)",
        "files",
      ]);
    }),
});
