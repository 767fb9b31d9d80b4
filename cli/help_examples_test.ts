import assert from "node:assert/strict";
import type { Command } from "commander";
import type { Context } from "./context.ts";
import { MemorySink } from "./io.ts";
import { buildProgram } from "./program.ts";
import { assertIncludes } from "./_testing.ts";
import { runFake } from "./commands/_fake_context.ts";
import { commandPath, EXAMPLES } from "./help_examples.ts";

function allCommands(): Command[] {
  const ctx = {
    io: { stdout: new MemorySink(), stderr: new MemorySink() },
    exitCode: 0,
  } as unknown as Context;
  const out: Command[] = [];
  const walk = (c: Command) => {
    out.push(c);
    c.commands.forEach(walk);
  };
  walk(buildProgram(ctx));
  return out;
}

/** Shell words of a simple command line: quotes are honoured; a redirection ends it. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    if (m[3]?.startsWith(">")) break;
    out.push(m[1] ?? m[2] ?? m[3]);
  }
  return out;
}

Deno.test("every examples entry names a command rnx has, and the commands of today all have examples", () => {
  const paths = allCommands().map(commandPath);
  for (const p of Object.keys(EXAMPLES)) {
    assert.ok(paths.includes(p), `EXAMPLES has "${p}", rnx has no such command`);
  }
  for (const p of ["", "job", "job run", "job status", "job list", "monitor watch", "completion", "help"]) {
    assert.ok((EXAMPLES[p]?.length ?? 0) >= 1, `"rnx ${p}" has no examples`);
  }
  for (const list of Object.values(EXAMPLES)) assert.ok(list.length >= 1 && list.length <= 3);
});

Deno.test("every example's rnx command line parses: none ends in a usage error", async () => {
  for (const list of Object.values(EXAMPLES)) {
    for (const e of list) {
      const argv = words(e.line);
      if (argv[0] !== "rnx") continue; // e.g. `source <(rnx completion bash)`
      // The fake config has one node, "lab"; the examples say "prod". `rnx admin` serves until Ctrl-C: a trailing
      // --help still parses (and checks) every option before it, then exits.
      const args = argv.slice(1).map((w) => w === "prod" ? "lab" : w);
      const res = await runFake(args[0] === "admin" ? [...args, "--help"] : args, {});
      // Local files the example names (train.py, pipeline.yaml) are not here; anything else is a mistake.
      if (/"[^"]+" does not exist|Cannot read workflow|cannot read packed runtime/.test(res.err)) continue;
      assert.notEqual(res.code, 2, `${e.line}: ${res.err}`);
    }
  }
});

Deno.test("rnx help job run prints the help of `rnx job run` with its examples", async () => {
  const res = await runFake(["help", "job", "run"], {});
  assert.equal(res.code, 0);
  assertIncludes(res.out, "Usage: rnx job run [options] [command] [args...]");
  assertIncludes(res.out, "--max-memory <size>");
  assertIncludes(res.out, "Examples:\n  # Run a script with an upload");
  assertIncludes(res.out, "  rnx job run --workflow pipeline.yaml\n");
  assert.deepEqual(res.connections, []);
});

Deno.test("rnx help with no command prints the program's help, and --help shows examples too", async () => {
  const top = await runFake(["help"], {});
  assert.equal(top.code, 0);
  assertIncludes(top.out, "Usage: rnx [options] [command]");
  assertIncludes(top.out, "help [command...]");
  const flag = await runFake(["monitor", "top", "--help"], {});
  assert.equal(flag.code, 0);
  assertIncludes(flag.out, "rnx monitor top -n 20");
});

Deno.test("rnx help of an unknown command exits 2 and lists the commands at that level", async () => {
  const res = await runFake(["help", "job", "rnu"], {});
  assert.equal(res.code, 2);
  assertIncludes(res.err, `"job rnu" is not an rnx command (commands of 'job': run, status, list`);
  assert.equal(res.out, "");
});
