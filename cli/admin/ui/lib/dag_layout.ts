/**
 * Lays a workflow's jobs out as a left-to-right DAG: a job's column is one more than the deepest job it
 * requires (longest path), jobs in a column are ordered by the mean row of what they require (one barycentre
 * pass keeps edges short), and each edge is a cubic curve from the right side of the required job to the left
 * side of the job that requires it. Unknown requirements are ignored; a cycle (the agent refuses them) cannot
 * loop: a job met again while its column is worked out counts as column 0.
 */
export interface DagInput {
  id: string;
  requires: readonly string[];
}

export interface DagNode {
  id: string;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface DagEdge {
  from: string;
  to: string;
  /** SVG path data. */
  path: string;
}

export interface DagLayout {
  nodes: DagNode[];
  edges: DagEdge[];
  width: number;
  height: number;
}

export interface DagSize {
  nodeWidth: number;
  nodeHeight: number;
  gapX: number;
  gapY: number;
  margin: number;
}

export const DEFAULT_SIZE: DagSize = { nodeWidth: 160, nodeHeight: 40, gapX: 60, gapY: 20, margin: 10 };

export function layoutDag(jobs: readonly DagInput[], size: DagSize = DEFAULT_SIZE): DagLayout {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const columnOf = (id: string): number => {
    const known = column.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const reqs = (byId.get(id)?.requires ?? []).filter((r) => byId.has(r));
    const c = reqs.length ? 1 + Math.max(...reqs.map(columnOf)) : 0;
    visiting.delete(id);
    column.set(id, c);
    return c;
  };
  jobs.forEach((j) => columnOf(j.id));

  const columns: string[][] = [];
  for (const j of jobs) (columns[column.get(j.id)!] ??= []).push(j.id);
  const row = new Map<string, number>();
  columns.forEach((ids, c) => {
    if (c > 0) {
      const centre = (id: string) => {
        const rs = byId.get(id)!.requires.filter((r) => row.has(r)).map((r) => row.get(r)!);
        return rs.length ? rs.reduce((a, b) => a + b, 0) / rs.length : Infinity;
      };
      ids.sort((a, b) => centre(a) - centre(b));
    }
    ids.forEach((id, r) => row.set(id, r));
  });

  const { nodeWidth, nodeHeight, gapX, gapY, margin } = size;
  const nodes: DagNode[] = jobs.map((j) => {
    const c = column.get(j.id)!;
    const r = row.get(j.id)!;
    return {
      id: j.id,
      column: c,
      row: r,
      x: margin + c * (nodeWidth + gapX),
      y: margin + r * (nodeHeight + gapY),
    };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: DagEdge[] = [];
  for (const j of jobs) {
    for (const r of j.requires) {
      const a = at.get(r);
      const b = at.get(j.id);
      if (!a || !b) continue;
      const x1 = a.x + nodeWidth, y1 = a.y + nodeHeight / 2, x2 = b.x, y2 = b.y + nodeHeight / 2;
      const mid = (x1 + x2) / 2;
      edges.push({ from: r, to: j.id, path: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` });
    }
  }
  const maxRows = Math.max(0, ...columns.map((c) => c?.length ?? 0));
  return {
    nodes,
    edges,
    width: 2 * margin + columns.length * nodeWidth + Math.max(0, columns.length - 1) * gapX,
    height: 2 * margin + maxRows * nodeHeight + Math.max(0, maxRows - 1) * gapY,
  };
}
