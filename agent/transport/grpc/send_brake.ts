/**
 * Backpressure for server streams that Deno's node:http2 does not give us: on Deno 2.9.3 a stream's write
 * callback (and so grpc-js's `write() === false` / "drain") fires as soon as a frame is queued, not when it is
 * sent, so a fast producer and a slow (or stalled) client would queue a whole log in the agent's memory. We watch
 * what the connection's socket has really written and hold the producer while more than `maxInFlight` bytes of
 * ours are still queued. The HTTP/2 stream sits a few fields into grpc-js's call objects
 * (ServerWritableStreamImpl.call → ServerInterceptingCall.nextCall → BaseServerInterceptingCall.stream); if a
 * future grpc-js hides it, the brake turns itself off and grpc-js's own backpressure is all there is.
 * (The same fix for uploads, client side: cli/stream_writer.ts.)
 */

interface SocketLike {
  bytesWritten?: number;
  destroyed?: boolean;
}

const MAX_DEPTH = 6;

function findSocket(root: unknown): SocketLike | undefined {
  const seen = new Set<unknown>();
  const walk = (obj: unknown, depth: number): SocketLike | undefined => {
    if (obj === null || typeof obj !== "object" || seen.has(obj) || depth > MAX_DEPTH) return undefined;
    seen.add(obj);
    const stream = (obj as { stream?: { session?: { socket?: SocketLike } } }).stream;
    const socket = stream?.session?.socket;
    if (socket && typeof socket.bytesWritten === "number") return socket;
    for (const key of ["call", "nextCall"]) {
      const found = walk((obj as Record<string, unknown>)[key], depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(root, 0);
}

export class SendBrake {
  readonly #socket: SocketLike | undefined;
  readonly #start: number;
  readonly #maxInFlight: number;
  #queued = 0;

  constructor(call: object, maxInFlight = 4 * 1024 * 1024) {
    this.#socket = findSocket(call);
    this.#start = this.#socket?.bytesWritten ?? 0;
    this.#maxInFlight = maxInFlight;
  }

  get active(): boolean {
    return this.#socket !== undefined;
  }

  /** Counts `bytes` handed to the stream; resolves once few enough of them wait to be sent. */
  async sent(bytes: number, signal: AbortSignal): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.#queued += bytes;
    let wait = 1;
    while (!signal.aborted && !socket.destroyed) {
      const onWire = (socket.bytesWritten ?? 0) - this.#start;
      if (this.#queued - onWire <= this.#maxInFlight) return;
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 50);
    }
  }
}
