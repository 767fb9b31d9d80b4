import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { UploadKind } from "../../../proto/gen/joblet.ts";
import { formChunks, formUploads, workflowJobUploads } from "./form_uploads.ts";

Deno.test("formUploads() keeps folder paths and refuses paths leaving /work or given twice", () => {
  const ups = formUploads([new File(["x"], "data/in.csv"), new File([""], "./run.sh")]);
  assertEquals(ups.map((u) => u.path), ["data/in.csv", "run.sh"]);
  assertThrows(() => formUploads([new File(["x"], "../etc/passwd")]), /'\.\.'/);
  assertThrows(() => formUploads([new File(["x"], "/etc/passwd")]), /absolute/);
  assertThrows(() => formUploads([new File(["x"], "a"), new File(["y"], "a")]), /"a" is given twice/);
});

Deno.test("formChunks() splits a file into chunks, the last one marked, and sends empty files", async () => {
  const ups = formUploads([new File(["abcdefg"], "a.txt"), new File([], "empty")]);
  const chunks = [];
  for await (const c of formChunks(ups, 3)) chunks.push(c);
  assertEquals(
    chunks.map((c) => [c.path, new TextDecoder().decode(c.data), c.last]),
    [["a.txt", "abc", false], ["a.txt", "def", false], ["a.txt", "g", true], ["empty", "", true]],
  );
  assertEquals(chunks.every((c) => c.kind === UploadKind.UPLOAD_KIND_FILE && c.mode === 0o644), true);
});

Deno.test("workflowJobUploads() lands a file at its base name and a folder under its own name", () => {
  const sent = formUploads([
    new File(["1"], "scripts/prep.sh"),
    new File(["2"], "data/a.csv"),
    new File(["3"], "data/sub/b.csv"),
  ]);
  assertEquals(
    workflowJobUploads("prep", ["scripts/prep.sh", "data/"], sent).map((u) => u.path),
    ["prep.sh", "data/a.csv", "data/sub/b.csv"],
  );
});

Deno.test("workflowJobUploads() names the job and entry when a file was not sent", () => {
  assertThrows(
    () => workflowJobUploads("train", ["model.py"], []),
    /job "train" uploads "model.py", but no file of that path was sent/,
  );
});
