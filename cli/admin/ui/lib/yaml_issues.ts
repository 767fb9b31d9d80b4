/**
 * Workflow validation issues next to the YAML they are about. The server sends `issues` with line and column;
 * a message without them (or one the server could not place) still reads "file:LINE:COL: text", so both are
 * accepted. Lines are 1-based; an issue with no line (0) belongs to the whole file.
 */
export interface Issue {
  line: number;
  column: number;
  message: string;
}

const LOCATED = /^(?:[^:\n]*:)?(\d+):(\d+):\s*(.*)$/s;

/** An issue from a "file:12:3: message" (or "12:3: message") text; line 0 when it names no place. */
export function issueFromText(text: string): Issue {
  const m = LOCATED.exec(text.trim());
  return m
    ? { line: Number(m[1]), column: Number(m[2]), message: m[3] }
    : { line: 0, column: 0, message: text };
}

/** Issues by line number, in line order; line 0 first. */
export function issuesByLine(issues: readonly Issue[]): Map<number, Issue[]> {
  const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
  const out = new Map<number, Issue[]>();
  for (const i of sorted) {
    const list = out.get(i.line) ?? [];
    list.push(i);
    out.set(i.line, list);
  }
  return out;
}
