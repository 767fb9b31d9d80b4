/**
 * Handlers as plain functions: a unary RPC is an async function, a server stream an async generator that stops
 * when the client goes away, a client stream an async function over an async iterable. Each wrapper checks the
 * caller's permission first and maps errors through status.ts — the one interceptor-like place for every RPC.
 */
import type {
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServerReadableStream,
  ServerWritableStream,
} from "@grpc/grpc-js";
import { authorize, type Caller, callerOf, type Permission } from "./auth.ts";
import { toServiceError } from "./status.ts";
import { SendBrake } from "./send_brake.ts";

export interface CallContext {
  caller: Caller;
  /** Aborted when the client cancels or disconnects. */
  signal: AbortSignal;
}

export type Log = (msg: string) => void;

export function unary<Req, Res>(
  method: string,
  need: Permission,
  log: Log,
  fn: (req: Req, ctx: CallContext) => Promise<Res> | Res,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const ac = new AbortController();
    call.on("cancelled", () => ac.abort());
    (async () => {
      const caller = callerOf(call);
      authorize(caller, need, method);
      return await fn(call.request, { caller, signal: ac.signal });
    })().then(
      (res) => callback(null, res),
      (e) => callback(toServiceError(e, log) as never),
    );
  };
}

export function serverStream<Req, Res>(
  method: string,
  need: Permission,
  log: Log,
  fn: (req: Req, ctx: CallContext) => AsyncIterable<Res>,
  /** Approximate wire size of a message, for the send brake (send_brake.ts); omit for small messages. */
  sizeOf?: (msg: Res) => number,
): handleServerStreamingCall<Req, Res> {
  return (call: ServerWritableStream<Req, Res>) => {
    const ac = new AbortController();
    const abort = () => ac.abort();
    call.on("cancelled", abort);
    call.on("close", abort);
    call.on("error", abort);
    (async () => {
      const caller = callerOf(call);
      authorize(caller, need, method);
      const brake = sizeOf ? new SendBrake(call) : undefined;
      for await (const msg of fn(call.request, { caller, signal: ac.signal })) {
        if (ac.signal.aborted) break;
        if (!call.write(msg)) await drained(call, ac.signal);
        if (brake) await brake.sent(sizeOf!(msg), ac.signal);
      }
    })().then(
      () => {
        if (!ac.signal.aborted) call.end();
      },
      (e) => {
        // Not call.destroy(err): a destroyed Writable never runs _final, so grpc-js would send no status and
        // the client would wait for ever. Its own 'error' listener records the status and ends the call.
        if (!ac.signal.aborted) call.emit("error", toServiceError(e, log) as Error);
      },
    );
  };
}

export function clientStream<Req, Res>(
  method: string,
  need: Permission,
  log: Log,
  fn: (messages: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>,
): handleClientStreamingCall<Req, Res> {
  return (call: ServerReadableStream<Req, Res>, callback) => {
    const ac = new AbortController();
    call.on("cancelled", () => ac.abort());
    (async () => {
      const caller = callerOf(call);
      authorize(caller, need, method);
      return await fn(messagesOf(call, ac.signal), { caller, signal: ac.signal });
    })().then(
      (res) => callback(null, res),
      (e) => callback(toServiceError(e, log) as never),
    );
  };
}

function drained(call: { once(ev: "drain", fn: () => void): unknown }, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    call.once("drain", resolve);
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** The messages of a client stream; throws if the client cancels before ending the stream. */
async function* messagesOf<Req>(
  call: ServerReadableStream<Req, unknown>,
  signal: AbortSignal,
): AsyncIterable<Req> {
  for await (const msg of call as AsyncIterable<Req>) {
    if (signal.aborted) break;
    yield msg;
  }
  if (signal.aborted) throw new Error("the client cancelled the call");
}
