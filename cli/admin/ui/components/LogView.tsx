/**
 * A job's log, virtualised: only the rows in view are in the DOM, so 100,000 lines scroll smoothly. stderr lines
 * are marked (colour and a class). The view follows new lines while it is scrolled to the bottom; scrolling up
 * pauses that ("Follow" comes back at the bottom or with the button). Search finds lines containing the text
 * and steps through them, highlighting the current one.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { type LogBuffer, nextMatch } from "../lib/log_buffer.ts";
import { isAtBottom, scrollTopFor, visibleRange } from "../lib/virtual_window.ts";

const ROW = 18;

export function LogView({ buffer, version, ended }: { buffer: LogBuffer; version: number; ended: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState("");
  const [current, setCurrent] = useState(-1);
  const search = useRef({ query: "", scanned: 0, dropped: 0, matches: [] as number[] });

  // Incremental search: only lines that arrived since the last render are scanned.
  const s = search.current;
  if (s.query !== query || s.dropped !== buffer.dropped || s.scanned > buffer.length) {
    search.current = { query, scanned: 0, dropped: buffer.dropped, matches: [] };
  }
  const sc = search.current;
  if (sc.scanned < buffer.length) {
    sc.matches = sc.matches.concat(buffer.search(query, sc.scanned));
    sc.scanned = buffer.length;
  }
  const matches = sc.matches;

  useEffect(() => {
    const el = box.current!;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = box.current!;
    if (follow) {
      el.scrollTop = el.scrollHeight;
      setScrollTop(el.scrollTop);
    }
  }, [version, follow, height]);

  const onScroll = () => {
    const el = box.current!;
    setScrollTop(el.scrollTop);
    setFollow(isAtBottom(el.scrollTop, el.clientHeight, el.scrollHeight, ROW / 2));
  };

  const goTo = (line: number) => {
    if (line < 0) return;
    setCurrent(line);
    setFollow(false);
    const el = box.current!;
    el.scrollTop = scrollTopFor(line, ROW, el.clientHeight);
    setScrollTop(el.scrollTop);
  };

  const { start, end, offsetTop, totalHeight } = visibleRange({
    scrollTop,
    viewportHeight: height,
    rowHeight: ROW,
    count: buffer.length,
  });
  const rows = [];
  const matchSet = query ? new Set(matches.slice(0)) : null;
  for (let i = start; i < end; i++) {
    const err = buffer.stream(i) === "stderr";
    const cls = "log-line" + (err ? " stderr" : "") + (matchSet?.has(i) ? " match" : "") +
      (i === current ? " current" : "");
    rows.push(
      <div
        key={i + buffer.dropped}
        className={cls}
        data-stream={err ? "stderr" : "stdout"}
        data-no={i + 1 + buffer.dropped}
      >
        {buffer.line(i)}
      </div>,
    );
  }
  const position = matches.indexOf(current);
  return (
    <section className="log-panel" aria-label="Output">
      <div className="log-tools">
        <label>
          Search log{" "}
          <input
            type="search"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setCurrent(-1);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") goTo(nextMatch(matches, current, e.shiftKey ? -1 : 1));
            }}
          />
        </label>
        <button
          type="button"
          onClick={() => goTo(nextMatch(matches, current, -1))}
          disabled={!matches.length}
        >
          Previous match
        </button>
        <button type="button" onClick={() => goTo(nextMatch(matches, current, 1))} disabled={!matches.length}>
          Next match
        </button>
        <span className="muted" aria-live="polite">
          {query ? `${position >= 0 ? `${position + 1} of ` : ""}${matches.length} matching lines` : ""}
        </span>
        <span className="spacer" />
        <span className="muted">
          {buffer.length + buffer.dropped} lines{ended ? " · ended" : " · live"}
        </span>
        <label className="check">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => {
              setFollow(e.target.checked);
              if (e.target.checked) setCurrent(-1);
            }}
          />{" "}
          Follow
        </label>
      </div>
      <div ref={box} className="log" role="log" aria-label="Log" tabIndex={0} onScroll={onScroll}>
        <div style={{ height: totalHeight, position: "relative" }}>
          <div style={{ position: "absolute", top: offsetTop, left: 0, right: 0 }}>{rows}</div>
        </div>
      </div>
      <p className="legend-line muted">
        <span className="swatch stdout" /> stdout <span className="swatch stderr" /> stderr
      </p>
    </section>
  );
}
