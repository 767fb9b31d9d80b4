/**
 * How many bytes a grpc-js call's connection has really written to the network: the `bytesWritten` of the TLS
 * socket under the call's HTTP/2 session (`http2Session.socket` is public Node API). grpc-js does not expose the
 * HTTP/2 stream of a call, so we look for it: a small, bounded walk over the call's own fields for an object with
 * an `http2Stream` (grpc-js 1.14: call.call.call.child.underlyingCalls[0].call.child.http2Stream). If a future
 * grpc-js hides it, this returns undefined and uploads rely on grpc-js's own backpressure only.
 * Used by stream_writer.ts; see there for why Deno needs it.
 */

interface SocketLike {
  bytesWritten?: number;
}

interface H2StreamLike {
  session?: { socket?: SocketLike };
}

const MAX_DEPTH = 8;

/** A function that reports the socket's bytesWritten once the call's HTTP/2 stream exists. */
export function socketBytesWritten(call: object): () => number | undefined {
  let socket: SocketLike | undefined;
  return () => {
    socket ??= findH2Stream(call)?.session?.socket;
    const n = socket?.bytesWritten;
    return typeof n === "number" ? n : undefined;
  };
}

export function findH2Stream(root: unknown): H2StreamLike | undefined {
  const seen = new Set<unknown>();
  const walk = (obj: unknown, depth: number): H2StreamLike | undefined => {
    if (obj === null || typeof obj !== "object" || seen.has(obj) || depth > MAX_DEPTH) return undefined;
    seen.add(obj);
    const h2 = (obj as { http2Stream?: H2StreamLike }).http2Stream;
    if (h2 && typeof h2 === "object") return h2;
    const fields = Array.isArray(obj)
      ? obj
      : ["call", "child", "underlyingCalls"].map((k) => (obj as never)[k]);
    for (const next of fields) {
      const found = walk(next, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(root, 0);
}
