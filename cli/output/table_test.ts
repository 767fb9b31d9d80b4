import assert from "node:assert/strict";
import { renderPairs, renderTable } from "./table.ts";

Deno.test("renderTable() pads columns to the widest cell, two spaces apart, no trailing spaces", () => {
  const out = renderTable(["ID", "NAME", "X"], [["1", "alpha", ""], ["22", "b", "z"]]);
  assert.equal(out, "ID  NAME   X\n1   alpha\n22  b      z\n");
});

Deno.test("renderTable() cuts cells to a column's maximum width", () => {
  const out = renderTable(["A", "B"], [["x", "0123456789"]], { maxWidths: { 1: 5 } });
  assert.equal(out, "A  B\nx  0123…\n");
});

Deno.test("renderTable() paints after padding so colour codes keep columns aligned", () => {
  const out = renderTable(["S", "T"], [["ok", "1"], ["failed", "2"]], {
    paint: (col, padded) => col === 0 ? `<${padded}>` : padded,
  });
  assert.equal(out, "S       T\n<ok    >  1\n<failed>  2\n");
});

Deno.test("renderPairs() aligns values after the longest key", () => {
  assert.equal(
    renderPairs([["ID", "x"], ["Exit code", "0"], ["Env", ""]]),
    "ID:        x\nExit code: 0\nEnv:\n",
  );
});
