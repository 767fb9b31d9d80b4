/**
 * Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/):
 * one `# HELP` and `# TYPE` per metric family, then its samples. Label values escape backslash, double quote
 * and newline; HELP text escapes backslash and newline. Counter names end in `_total`.
 */

export type MetricType = "counter" | "gauge";
export type Labels = Record<string, string>;

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class Exposition {
  private readonly lines: string[] = [];
  private readonly seen = new Set<string>();

  /** Starts a family and adds its samples; a family with no samples still gets its HELP and TYPE. */
  family(name: string, type: MetricType, help: string, samples: Array<[Labels, number]>): this {
    if (!NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not valid (${NAME})`);
    if (type === "counter" && !name.endsWith("_total")) {
      throw new Error(`counter ${JSON.stringify(name)} must end in _total`);
    }
    if (this.seen.has(name)) throw new Error(`metric family ${name} was added twice`);
    this.seen.add(name);
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    }
    return this;
  }

  /** One family with one unlabelled sample. */
  single(name: string, type: MetricType, help: string, value: number): this {
    return this.family(name, type, help, [[{}, value]]);
  }

  text(): string {
    return this.lines.join("\n") + "\n";
  }
}

export function escapeLabelValue(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function escapeHelp(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  for (const [k] of entries) {
    if (!LABEL.test(k) || k.startsWith("__")) throw new Error(`label name ${JSON.stringify(k)} is not valid`);
  }
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
