/**
 * What the bench prints: figures grouped in sections, each with its median and p95, its ratio to a baseline
 * measured in the same run, and its target. Rendered as a text table, or as JSON for scripts (`--json`).
 */
import type { Summary } from "./stats.ts";

export type Unit = "ms" | "MiB/s" | "MiB" | "%" | "lines";

export interface Figure {
  section: string;
  name: string;
  unit: Unit;
  n: number;
  median: number;
  /** Absent where the figure is a single value (one run, or a peak). */
  p95?: number;
  /** `median / baseline median` (for MiB/s: figure ÷ baseline, so 1 = as fast as the baseline). */
  ratio?: number;
  /** The name of the figure the ratio is taken against. */
  ratioTo?: string;
  /** The target, in words (e.g. "p50 ≤ 10× unshare; goal ≤ 3×"). */
  target?: string;
  verdict?: "meets goal" | "meets target" | "misses goal" | "MISSES TARGET";
  note?: string;
}

export interface Report {
  machine: { os: string; cpus: number; kernel: string; deno: string };
  startedAt: string;
  durationS: number;
  figures: Figure[];
  /** Baselines or sections that did not run, and why. */
  skipped: string[];
}

/** A figure from timing samples. */
export function fromSummary(
  section: string,
  name: string,
  s: Summary,
  extra: Partial<Figure> = {},
): Figure {
  return { section, name, unit: "ms", n: s.n, median: s.median, p95: s.p95, ...extra };
}

/** Verdict for a "lower is better" ratio: at most `goal` meets the goal, at most `target` meets the target. */
export function verdictAtMost(ratio: number, target: number, goal?: number): Figure["verdict"] {
  if (goal !== undefined && ratio <= goal) return "meets goal";
  if (ratio <= target) return goal === undefined ? "meets target" : "misses goal";
  return "MISSES TARGET";
}

/** Verdict for a "higher is better" value such as MiB/s. */
export function verdictAtLeast(value: number, target: number): Figure["verdict"] {
  return value >= target ? "meets target" : "MISSES TARGET";
}

export function renderText(r: Report): string {
  const header = ["figure", "n", "median", "p95", "ratio", "target", "verdict"];
  const lines: string[] = [
    `joblet bench — ${r.machine.os}, ${r.machine.cpus} CPU, kernel ${r.machine.kernel}, deno ${r.machine.deno}`,
    `started ${r.startedAt}, took ${r.durationS.toFixed(0)} s`,
  ];
  const sections = [...new Set(r.figures.map((f) => f.section))];
  for (const section of sections) {
    const rows = r.figures.filter((f) => f.section === section).map((f) => [
      f.name,
      String(f.n),
      value(f.median, f.unit),
      f.p95 === undefined ? "" : value(f.p95, f.unit),
      f.ratio === undefined ? "" : `${ratio(f.ratio)}× ${f.ratioTo ?? ""}`.trim(),
      f.target ?? "",
      f.verdict ?? "",
    ]);
    lines.push("", `## ${section}`, ...table([header, ...rows]));
    const notes = r.figures.filter((f) => f.section === section && f.note);
    for (const f of notes) lines.push(`  * ${f.name}: ${f.note}`);
  }
  if (r.skipped.length > 0) lines.push("", "skipped:", ...r.skipped.map((s) => `  - ${s}`));
  return lines.join("\n") + "\n";
}

export function renderJson(r: Report): string {
  return JSON.stringify(r, null, 2) + "\n";
}

function value(v: number, unit: Unit): string {
  const digits = unit === "ms" && v < 100 ? 1 : 0;
  return `${v.toFixed(digits)} ${unit}`;
}

function ratio(r: number): string {
  return r < 0.1 ? r.toFixed(3) : r.toFixed(2);
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  const numeric = new Set([1, 2, 3]);
  return rows.map((r) =>
    r.map((cell, c) => {
      const pad = " ".repeat(widths[c] - [...cell].length);
      return numeric.has(c) ? pad + cell : cell + pad;
    }).join("  ").trimEnd()
  );
}
