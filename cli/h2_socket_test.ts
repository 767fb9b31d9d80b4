import assert from "node:assert/strict";
import { findH2Stream, socketBytesWritten } from "./h2_socket.ts";

Deno.test("findH2Stream() finds the stream along grpc-js 1.14's call chain", () => {
  const h2 = { session: { socket: { bytesWritten: 42 } } };
  const call = { call: { call: { child: { underlyingCalls: [{ call: { child: { http2Stream: h2 } } }] } } } };
  assert.equal(findH2Stream(call), h2);
  assert.equal(socketBytesWritten(call)(), 42);
});

Deno.test("socketBytesWritten() is undefined until the stream exists, then follows the socket", () => {
  const holder: { call?: unknown } = {};
  const sent = socketBytesWritten(holder);
  assert.equal(sent(), undefined);
  const socket = { bytesWritten: 1 };
  holder.call = { child: { http2Stream: { session: { socket } } } };
  assert.equal(sent(), 1);
  socket.bytesWritten = 5;
  assert.equal(sent(), 5);
});

Deno.test("findH2Stream() stops on cycles", () => {
  const a: Record<string, unknown> = {};
  a.call = a;
  assert.equal(findH2Stream(a), undefined);
});
