import { assertEquals, assertThrows } from "../../../../tests/assert.ts";
import { EMPTY_FORM, parseAssignments, splitArgs, toSpec, uploadPath } from "./run_spec.ts";

Deno.test("splitArgs() splits like a shell: quotes and backslashes", () => {
  assertEquals(splitArgs(`-c 'echo $1 $2' -- "a b" c\\ d ""`), ["-c", "echo $1 $2", "--", "a b", "c d", ""]);
  assertEquals(splitArgs("   "), []);
});

Deno.test("splitArgs() refuses an unclosed quote", () => {
  assertThrows(() => splitArgs(`echo "oops`), /quote opened here is never closed/);
});

Deno.test("parseAssignments() reads NAME=VALUE lines and names a bad one", () => {
  assertEquals(parseAssignments("Environment", "A=1\n\nB=x=y\n"), { A: "1", B: "x=y" });
  assertThrows(() => parseAssignments("Environment", "oops"), /Environment: "oops" is not NAME=VALUE/);
});

Deno.test("toSpec() leaves empty optional fields out and keeps rnx's spellings", () => {
  const spec = toSpec({
    ...EMPTY_FORM,
    command: " python3 ",
    args: "train.py --epochs 3",
    secretEnv: "TOKEN=s3cret",
    maxMemory: "512MB",
    volumes: ["data:ro"],
  });
  assertEquals(spec, {
    command: "python3",
    args: ["train.py", "--epochs", "3"],
    env: {},
    secretEnv: { TOKEN: "s3cret" },
    maxMemory: "512MB",
    volumes: ["data:ro"],
  });
});

Deno.test("toSpec() asks for a command", () => {
  assertThrows(() => toSpec(EMPTY_FORM), /Command: give the program to run/);
});

Deno.test("uploadPath() keeps a folder's relative path", () => {
  assertEquals(uploadPath({ name: "a.csv", webkitRelativePath: "data/train/a.csv" }), "data/train/a.csv");
  assertEquals(uploadPath({ name: "a.csv", webkitRelativePath: "" }), "a.csv");
});
