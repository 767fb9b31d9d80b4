/** The maths of a virtualised list of fixed-height rows: which rows to draw, and whether we sit at the bottom. */

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Extra rows drawn above and below the viewport, so fast scrolling shows no gap. */
  overscan?: number;
}

export interface WindowRange {
  /** First row to draw (inclusive). */
  start: number;
  /** Row after the last to draw (exclusive). */
  end: number;
  /** Pixels from the top of the content to the first drawn row. */
  offsetTop: number;
  /** Height of all rows together. */
  totalHeight: number;
}

export function visibleRange(
  { scrollTop, viewportHeight, rowHeight, count, overscan = 10 }: WindowInput,
): WindowRange {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/** True when the viewport shows the last row (within `slack` pixels): the view then follows new lines. */
export function isAtBottom(
  scrollTop: number,
  viewportHeight: number,
  scrollHeight: number,
  slack = 4,
): boolean {
  return scrollTop + viewportHeight >= scrollHeight - slack;
}

/** The scrollTop that puts row `i` in the middle of the viewport. */
export function scrollTopFor(i: number, rowHeight: number, viewportHeight: number): number {
  return Math.max(0, i * rowHeight - Math.floor(viewportHeight / 2) + rowHeight);
}
