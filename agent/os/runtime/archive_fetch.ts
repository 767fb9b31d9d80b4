/**
 * Fetches a packed runtime from an http(s) URL as a stream (never whole in memory). The caller checks its
 * sha256; this only turns network and HTTP failures into errors a person can act on.
 */
import { invalidArgument, JobletError } from "../../domain/errors.ts";

export interface Fetched {
  chunks: AsyncIterable<Uint8Array>;
  /** Content-Length, when the server sent one. */
  size?: number;
}

export async function fetchArchive(url: string, signal?: AbortSignal): Promise<Fetched> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: "follow" });
  } catch (e) {
    signal?.throwIfAborted();
    throw new JobletError("Unavailable", `cannot fetch ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel().catch(() => {});
    throw invalidArgument(`cannot fetch ${url}: the server answered ${res.status} ${res.statusText}`.trim());
  }
  const length = Number(res.headers.get("content-length") ?? NaN);
  return { chunks: res.body, size: Number.isSafeInteger(length) ? length : undefined };
}
