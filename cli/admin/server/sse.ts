/**
 * Server-Sent Events from a gRPC server stream. The stream is opened when the response starts and cancelled
 * when the browser goes away (hono calls `onAbort` when Deno cancels the response body), so no agent stream
 * outlives its page. A comment line every `HEARTBEAT_MS` makes a vanished browser show up on a quiet stream.
 * `StreamTracker` counts open agent streams (tests read it to prove none leaks). A failure after the response
 * has started is sent as an `error` event with the usual error body.
 */
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { ClientReadableStream } from "@grpc/grpc-js";
import { isServiceError, rpcError } from "../../errors.ts";
import { toHttpError } from "./errors.ts";

export const HEARTBEAT_MS = 15_000;

export class StreamTracker {
  readonly #cancels = new Set<() => void>();
  /** How many agent streams are open. */
  get open(): number {
    return this.#cancels.size;
  }
  /** Registers an open stream; returns the function to call once it is closed. */
  opened(cancel: () => void): () => void {
    this.#cancels.add(cancel);
    return () => this.#cancels.delete(cancel);
  }
  /** Cancels every open stream (server shutdown). */
  cancelAll(): void {
    for (const cancel of [...this.#cancels]) cancel();
  }
}

export type Send = (event: string, data: unknown) => Promise<void>;

export function sender(sse: SSEStreamingApi): Send {
  return (event, data) => sse.writeSSE({ event, data: JSON.stringify(data) });
}

export interface StreamOptions<T> {
  tracker: StreamTracker;
  /** For error messages: the agent's address. */
  address: string;
  open(): ClientReadableStream<T>;
  /** Called for each message; may send events. */
  each(item: T, send: Send): Promise<void> | void;
  /** Called once the agent ends the stream (not when the browser left). */
  end?(send: Send): Promise<void>;
  log?(err: unknown): void;
}

/** Sends an `error` event for `err`. */
export async function sendError(send: Send, err: unknown, address: string, log?: (e: unknown) => void) {
  const e = isServiceError(err) ? rpcError(err, address) : err;
  await send("error", toHttpError(e, log).body);
}

export function sseFromCall<T>(c: Context, opts: StreamOptions<T>): Response {
  return streamSSE(c, async (sse) => {
    const send = sender(sse);
    const call = opts.open();
    const closed = opts.tracker.opened(() => sse.abort());
    call.on("error", () => {}); // errors also reach the loop below; this keeps a late one from going unhandled
    sse.onAbort(() => call.cancel());
    const heartbeat = setInterval(() => void sse.write(": keep-alive\n\n"), HEARTBEAT_MS);
    try {
      for await (const item of call as AsyncIterable<T>) {
        if (sse.aborted) break;
        await opts.each(item, send);
      }
      if (!sse.aborted && opts.end) await opts.end(send);
    } catch (err) {
      if (!sse.aborted) await sendError(send, err, opts.address, opts.log);
    } finally {
      clearInterval(heartbeat);
      call.cancel();
      closed();
    }
  });
}
