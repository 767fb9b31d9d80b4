/** React hooks shared by the pages: polled data, server-sent events, and history routing. */
import { useCallback, useEffect, useRef, useState } from "react";
import { errorText, get, type SseHandlers, subscribe } from "./api.ts";
import { parseRoute, type Route } from "./lib/route.ts";

export interface Loaded<T> {
  data: T | undefined;
  error: string;
  /** Fetch again now. */
  reload: () => void;
}

/** GETs `path` (again every `everyMs` if given, and whenever `path` changes); null path = nothing to load. */
export function useGet<T>(path: string | null, everyMs = 0): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const ctrl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      get<T>(path, ctrl.signal).then((d) => {
        setData(d);
        setError("");
      }, (e) => {
        if ((e as Error).name !== "AbortError") setError(errorText(e));
      }).finally(() => {
        if (everyMs > 0 && !ctrl.signal.aborted) timer = setTimeout(load, everyMs);
      });
    };
    load();
    return () => {
      ctrl.abort();
      clearTimeout(timer);
    };
  }, [path, everyMs, tick]);
  useEffect(() => setData(undefined), [path]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

/**
 * Subscribes to an SSE endpoint while mounted (and `path` is not null); handlers may change between renders
 * without reopening the stream. See `subscribe` for `open` and `onError`.
 */
export function useEvents(
  path: string | null,
  handlers: SseHandlers,
  onError?: (message?: string) => void,
): void {
  const ref = useRef({ handlers, onError });
  ref.current = { handlers, onError };
  const names = Object.keys(handlers).sort().join(",");
  useEffect(() => {
    if (path === null) return;
    const proxied = Object.fromEntries(
      names.split(",").map((n) => [n, (d: unknown) => ref.current.handlers[n]?.(d)]),
    );
    return subscribe(path, proxied, (m) => ref.current.onError?.(m));
  }, [path, names]);
}

/** The current route, following pushState navigation and the back button. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.pathname));
    addEventListener("popstate", on);
    addEventListener("joblet:navigate", on);
    return () => {
      removeEventListener("popstate", on);
      removeEventListener("joblet:navigate", on);
    };
  }, []);
  return route;
}

/** Goes to another page of the UI without reloading. */
export function navigate(href: string): void {
  if (href === location.pathname + location.search) return;
  history.pushState(null, "", href);
  dispatchEvent(new Event("joblet:navigate"));
  scrollTo(0, 0);
}

/** A value that re-renders the caller every `ms` (for durations of running jobs). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
