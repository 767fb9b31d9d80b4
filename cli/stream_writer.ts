/**
 * Feeding a gRPC client stream from an async source while honouring backpressure, so a large upload is read from
 * disk only as fast as the network takes it (a few MiB in flight, never the whole file).
 *
 * Two brakes:
 * 1. The Node way: when `write()` returns false, wait for "drain".
 * 2. A transport brake, because (1) is not enough on Deno 2.9.3: its node:http2 calls a stream's write callback
 *    as soon as the data is queued, before HTTP/2 flow control lets it out, so grpc-js keeps draining and the
 *    queue grows without bound (measured: 512 MiB "written" in 1.5 s to a server that read nothing for 4 s,
 *    client RSS ~700 MB). `sentBytes()` reports what really left the process (the TLS socket's bytesWritten,
 *    see h2_socket.ts); we pause while more than `maxInFlight` bytes are handed over but not yet sent.
 */

/** The part of a grpc-js ClientWritableStream (a Node Writable in object mode) this needs. */
export interface WritableLike<T> {
  write(item: T): boolean;
  end(): void;
  once(event: "drain", listener: () => void): unknown;
  removeListener(event: "drain", listener: () => void): unknown;
}

export interface TransportBrake<T> {
  /** Bytes an item puts on the wire (its payload is enough; framing is small). */
  sizeOf(item: T): number;
  /** Bytes that have left the process so far, or undefined while unknown (then only brake 1 applies). */
  sentBytes(): number | undefined;
  /** Most bytes handed over but not yet sent (default 8 MiB). */
  maxInFlight?: number;
  /** How often to look again while waiting (default 5 ms). */
  pollMs?: number;
}

/**
 * Writes every item, then ends the stream. Stops early, without ending, once `stop` settles (the call failed or
 * finished), and returns false in that case; the source is then closed (`return()`), which closes open files.
 */
export async function writeAll<T>(
  stream: WritableLike<T>,
  items: AsyncIterable<T> | Iterable<T>,
  stop: Promise<unknown>,
  brake?: TransportBrake<T>,
): Promise<boolean> {
  let stopped = false;
  const stopSignal = stop.then(() => (stopped = true), () => (stopped = true));
  const maxInFlight = brake?.maxInFlight ?? 8 * 1024 * 1024;
  const pollMs = brake?.pollMs ?? 5;
  let handed = 0;
  let base: { handed: number; sent: number } | undefined;

  for await (const item of items) {
    if (stopped) return false;
    const accepted = stream.write(item);
    if (brake) {
      handed += brake.sizeOf(item);
      for (;;) {
        const sent = brake.sentBytes();
        if (sent === undefined) break;
        // Count from the first moment the socket is known; earlier traffic (handshake, headers) cancels out.
        base ??= { handed: handed - brake.sizeOf(item), sent };
        if ((handed - base.handed) - (sent - base.sent) <= maxInFlight) break;
        await Promise.race([new Promise((r) => setTimeout(r, pollMs)), stopSignal]);
        if (stopped) return false;
      }
    }
    if (!accepted) {
      let onDrain = () => {};
      const drained = new Promise<void>((resolve) => (onDrain = resolve));
      stream.once("drain", onDrain);
      await Promise.race([drained, stopSignal]);
      stream.removeListener("drain", onDrain);
      if (stopped) return false;
    }
  }
  if (stopped) return false;
  stream.end();
  return true;
}
