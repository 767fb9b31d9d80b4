/**
 * The standard gRPC health service (grpc.health.v1, proto/health.proto), so stock probes can ask the agent whether
 * it serves: `grpc_health_probe -addr … -tls -tls-ca-cert ca.crt -tls-client-cert admin.crt -tls-client-key …`.
 * The listener is mTLS like every other service, so a probe needs a client certificate from this agent's CA; any
 * role may ask. "" is the agent as a whole; each registered API service has its own entry. On shutdown every
 * entry turns NOT_SERVING before the listener closes, so load balancers and probes stop sending calls first.
 */
import { type handleServerStreamingCall, type handleUnaryCall, status as grpcStatus } from "@grpc/grpc-js";
import {
  type HealthCheckRequest,
  HealthCheckResponse,
  HealthCheckResponse_ServingStatus as Serving,
  type HealthListRequest,
  type HealthListResponse,
  type HealthServer,
} from "../../../proto/gen/health.ts";

export { HealthService } from "../../../proto/gen/health.ts";
export { Serving };

export class HealthState {
  readonly #statuses = new Map<string, Serving>();
  readonly #watchers = new Set<(service: string, s: Serving) => void>();

  constructor(services: string[]) {
    for (const s of ["", ...services]) this.#statuses.set(s, Serving.SERVING);
  }

  get(service: string): Serving | undefined {
    return this.#statuses.get(service);
  }

  all(): Map<string, Serving> {
    return new Map(this.#statuses);
  }

  /** Sets one service, or with no name every service (the agent as a whole). */
  set(s: Serving, service?: string): void {
    const names = service === undefined ? [...this.#statuses.keys()] : [service];
    for (const name of names) {
      if (this.#statuses.get(name) === s) continue;
      this.#statuses.set(name, s);
      for (const w of this.#watchers) w(name, s);
    }
  }

  /** Calls `fn` on each change until the returned function is called. */
  watch(fn: (service: string, s: Serving) => void): () => void {
    this.#watchers.add(fn);
    return () => this.#watchers.delete(fn);
  }
}

export function healthHandlers(state: HealthState): HealthServer {
  const check: handleUnaryCall<HealthCheckRequest, HealthCheckResponse> = (call, callback) => {
    const s = state.get(call.request.service);
    if (s === undefined) {
      callback({ code: grpcStatus.NOT_FOUND, details: `unknown service "${call.request.service}"` });
      return;
    }
    callback(null, { status: s });
  };
  const list: handleUnaryCall<HealthListRequest, HealthListResponse> = (_call, callback) => {
    const statuses: Record<string, HealthCheckResponse> = {};
    for (const [name, s] of state.all()) statuses[name] = { status: s };
    callback(null, { statuses });
  };
  const watch: handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse> = (call) => {
    const wanted = call.request.service;
    let last: Serving | undefined;
    const send = (s: Serving) => {
      if (s === last) return;
      last = s;
      call.write(HealthCheckResponse.fromPartial({ status: s }));
    };
    send(state.get(wanted) ?? Serving.SERVICE_UNKNOWN);
    const stop = state.watch((name, s) => name === wanted && send(s));
    const end = () => stop();
    call.on("cancelled", end);
    call.on("close", end);
    call.on("error", end);
  };
  return { check, list, watch };
}
