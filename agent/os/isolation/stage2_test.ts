import { assertEquals, assertStringIncludes } from "../../../tests/assert.ts";
import { stage2Args, stage2Script } from "./stage2.ts";

Deno.test("stage2Args() passes the command and its arguments verbatim after $0", () => {
  const args = stage2Args({ useTini: true }, "sh", ["-c", "echo $1 $2", "--", "a b", ""]);
  assertEquals(args.slice(2), ["joblet-stage2", "sh", "-c", "echo $1 $2", "--", "a b", ""]);
});

Deno.test("stage2Script() waits for the go line before it mounts /proc or runs anything", () => {
  const lines = stage2Script({ useTini: true }).split("\n");
  assertStringIncludes(lines[0], "read -r go || exit 125");
  assertStringIncludes(lines[2], "-t proc");
});

Deno.test("stage2Script() drops to nobody without capabilities, through tini only when asked", () => {
  const withTini = stage2Script({ useTini: true });
  assertStringIncludes(
    withTini,
    "--reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all",
  );
  assertStringIncludes(withTini, '--no-new-privs -- /usr/bin/tini -s -g -- "$@"');
  assertEquals(stage2Script({ useTini: false }).includes("tini"), false);
});

Deno.test("stage2Script() reports a missing command as the shell does, with exit 127", () => {
  assertStringIncludes(
    stage2Script({ useTini: false }),
    `printf '%s: command not found\\n' "$1" >&2; exit 127`,
  );
});

Deno.test("stage2Script() unsets the PWD sh sets for itself only when the job's env has none", () => {
  assertEquals(stage2Script({ useTini: true, unsetPwd: true }).split("\n")[1], "unset PWD");
  assertEquals(stage2Script({ useTini: true }).includes("unset PWD"), false);
});
