/**
 * A Context for command tests: a config with one node, captured output, and a connection whose service
 * clients are the fakes a test passes (answering like grpc-js clients: callbacks and Readables).
 */
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { Connection } from "../client.ts";
import type { Context } from "../context.ts";
import { parseConfig } from "../config.ts";
import { MemorySink } from "../io.ts";
import { runRnx } from "../program.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----";
const CONFIG = parseConfig(
  JSON.stringify({
    version: 1,
    nodes: { lab: { address: "localhost:50051", ca: PEM, cert: PEM, key: KEY } },
  }),
  "test.yml",
);

export function grpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

export interface FakeServices {
  jobs?: Record<string, unknown>;
  monitor?: Record<string, unknown>;
}

/** Runs rnx with `argv` against the fake services; stdout may pretend to be a terminal. */
export async function runFake(argv: string[], services: FakeServices, opts: { terminal?: boolean } = {}) {
  const stdout = new MemorySink(opts.terminal ?? false);
  const stderr = new MemorySink();
  const connections: string[] = [];
  const ctx: Context = {
    io: {
      stdout,
      stderr,
      env: () => undefined,
      cwd: () => "/nowhere",
      now: () => Date.UTC(2024, 0, 2, 3, 5),
    },
    loadConfig: () => Promise.resolve({ path: "test.yml", config: CONFIG }),
    connect: (nodeName) => {
      connections.push(nodeName);
      return {
        jobs: services.jobs ?? {},
        system: {},
        monitor: services.monitor ?? {},
        address: CONFIG.nodes[nodeName].address,
        nodeName,
        close: () => {},
      } as unknown as Connection;
    },
    exitCode: 0,
  };
  const code = await runRnx(argv, ctx);
  return { code, out: stdout.text(), err: stderr.text(), connections };
}
