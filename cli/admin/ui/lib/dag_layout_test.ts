import { assertEquals } from "../../../../tests/assert.ts";
import { DEFAULT_SIZE, layoutDag } from "./dag_layout.ts";

const cols = (l: ReturnType<typeof layoutDag>) => Object.fromEntries(l.nodes.map((n) => [n.id, n.column]));

Deno.test("layoutDag() puts a job one column right of the deepest job it requires", () => {
  const l = layoutDag([
    { id: "fetch", requires: [] },
    { id: "prep", requires: ["fetch"] },
    { id: "train", requires: ["prep", "fetch"] },
    { id: "lint", requires: [] },
  ]);
  assertEquals(cols(l), { fetch: 0, prep: 1, train: 2, lint: 0 });
  assertEquals(l.edges.map((e) => `${e.from}>${e.to}`), ["fetch>prep", "prep>train", "fetch>train"]);
});

Deno.test("layoutDag() orders a column by the rows of what its jobs require", () => {
  const l = layoutDag([
    { id: "a", requires: [] },
    { id: "b", requires: [] },
    { id: "after-b", requires: ["b"] },
    { id: "after-a", requires: ["a"] },
  ]);
  const row = Object.fromEntries(l.nodes.map((n) => [n.id, n.row]));
  assertEquals([row["after-a"], row["after-b"]], [0, 1]);
});

Deno.test("layoutDag() sizes the drawing to its columns and rows", () => {
  const { nodeWidth: w, nodeHeight: h, gapX, gapY, margin: m } = DEFAULT_SIZE;
  const l = layoutDag([{ id: "a", requires: [] }, { id: "b", requires: [] }, { id: "c", requires: ["a"] }]);
  assertEquals([l.width, l.height], [2 * m + 2 * w + gapX, 2 * m + 2 * h + gapY]);
  assertEquals(l.nodes.find((n) => n.id === "c")!.x, m + w + gapX);
});

Deno.test("layoutDag() ignores unknown requirements and survives a cycle", () => {
  const l = layoutDag([{ id: "a", requires: ["b", "ghost"] }, { id: "b", requires: ["a"] }]);
  assertEquals(l.nodes.length, 2);
  assertEquals(l.edges.length, 2);
});

Deno.test("layoutDag() of no jobs is an empty drawing", () => {
  assertEquals(layoutDag([]).nodes, []);
});
