/**
 * Aligned text tables: columns padded to the widest cell, two spaces apart, no trailing spaces.
 * Widths count Unicode code points (good for ASCII and most Latin text; wide CJK glyphs are not measured).
 * `paint` may colour a cell after it is padded, so escape codes never disturb alignment.
 */
import { truncate } from "./format.ts";

export interface TableOptions {
  /** Most characters per column (cells beyond are cut with "…"); by column index. */
  maxWidths?: Record<number, number>;
  /** Called with the padded cell; return it wrapped in colour codes. Not called for the header row. */
  paint?: (column: number, padded: string, raw: string) => string;
}

export function renderTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const cut = (cell: string, col: number) => {
    const max = options.maxWidths?.[col];
    return max !== undefined ? truncate(cell, max) : cell;
  };
  const body = rows.map((r) => headers.map((_, c) => cut(r[c] ?? "", c)));
  const widths = headers.map((h, c) => Math.max(len(h), ...body.map((r) => len(r[c]))));
  const line = (cells: string[], header: boolean) =>
    cells.map((cell, c) => {
      const last = c === cells.length - 1;
      const padded = last ? cell : cell + " ".repeat(widths[c] - len(cell));
      return !header && options.paint ? options.paint(c, padded, cell) : padded;
    }).join("  ").trimEnd();
  return [line(headers, true), ...body.map((r) => line(r, false))].join("\n") + "\n";
}

/** `key: value` lines with the values aligned. */
export function renderPairs(pairs: [string, string][]): string {
  const width = Math.max(0, ...pairs.map(([k]) => len(k) + 1));
  return pairs.map(([k, v]) => `${k}:${" ".repeat(width - len(k) - 1)} ${v}`.trimEnd()).join("\n") + "\n";
}

function len(s: string): number {
  return [...s].length;
}
