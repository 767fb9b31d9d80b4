/**
 * The browser's side of the admin API (docs/admin.md, "API"): JSON over fetch with the CSRF header on every
 * non-GET request, errors as `ApiError` carrying the agent's message (and workflow `issues`), live data over
 * EventSource, and POSTs that answer with an event stream (runtime installs) read through `SseParser`.
 */
import { SseParser } from "./lib/sse_parser.ts";
import type { Issue } from "./lib/yaml_issues.ts";

export type Role = "admin" | "user" | "readonly";

export interface NodeInfo {
  name: string;
  address: string;
  role: Role;
  default: boolean;
}

export interface Session {
  nodes: NodeInfo[];
  csrf: string;
  version: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

let csrf = "";

export async function loadSession(): Promise<Session> {
  const s = await request<Session>("GET", "/api/session");
  csrf = s.csrf;
  return s;
}

/** `/api/nodes/<node>/<path>` with the node name escaped. */
export function nodePath(node: string, path: string): string {
  return `/api/nodes/${encodeURIComponent(node)}/${path}`;
}

export function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>("GET", path, undefined, signal);
}

export function post<T>(path: string, body?: unknown): Promise<T> {
  return request<T>("POST", path, body);
}

export function del<T>(path: string): Promise<T> {
  return request<T>("DELETE", path);
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, signal, credentials: "same-origin" });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(
      0,
      "Network",
      `Cannot reach rnx admin (${(e as Error).message}); is it still running?`,
    );
  }
  return await readJson<T>(res);
}

async function readJson<T>(res: Response): Promise<T> {
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported below with the status
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; issues?: Issue[] } } | undefined)
      ?.error;
    throw new ApiError(
      res.status,
      err?.code ?? `HTTP ${res.status}`,
      err?.message ?? (text.slice(0, 200) || res.statusText),
      err?.issues ?? [],
    );
  }
  return data as T;
}

export type SseHandlers = Record<string, (data: unknown) => void>;

/**
 * Opens an EventSource and calls the handler named after each event with its parsed JSON data. The `open`
 * handler (no data) runs on every (re)connect: a reconnect replays a stream from its start. `onError` hears
 * of trouble: with the server's message when it sent an `error` event (`{"error":{code,message}}`, and the
 * stream is then closed), without one when the connection broke (EventSource reconnects by itself).
 * Returns the close function.
 */
export function subscribe(
  path: string,
  handlers: SseHandlers,
  onError?: (message?: string) => void,
): () => void {
  const es = new EventSource(path, { withCredentials: true });
  for (const [name, fn] of Object.entries(handlers)) {
    if (name === "open" || name === "error") continue;
    es.addEventListener(name, (ev) => fn(JSON.parse((ev as MessageEvent<string>).data)));
  }
  es.addEventListener("open", () => handlers.open?.(undefined));
  es.addEventListener("error", (ev) => {
    const data = (ev as MessageEvent<string>).data;
    if (typeof data !== "string" || data === "") return onError?.();
    let message = data;
    try {
      const parsed = JSON.parse(data) as { error?: { message?: string } | string };
      message = typeof parsed.error === "string" ? parsed.error : parsed.error?.message ?? data;
    } catch {
      // keep the raw text
    }
    es.close();
    onError?.(message);
  });
  return () => es.close();
}

/** A POST whose answer is an event stream; resolves when the stream ends. */
export async function postStream(path: string, handlers: SseHandlers, signal?: AbortSignal): Promise<void> {
  const res = await fetch(path, {
    method: "POST",
    headers: { "X-CSRF-Token": csrf, Accept: "text/event-stream" },
    signal,
    credentials: "same-origin",
  });
  if (!res.ok || !res.body) {
    await readJson(res);
    return;
  }
  const parser = new SseParser();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const ev of parser.push(value)) handlers[ev.event]?.(JSON.parse(ev.data));
  }
}

/** The message to show a person for any error. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
