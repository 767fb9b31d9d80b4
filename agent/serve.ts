/** `joblet serve`: wires the adapters into core and serves gRPC until SIGTERM/SIGINT. */
import { join } from "node:path";
import { type AgentConfig, loadConfig } from "./config/load.ts";
import { ensurePki, resolveRnxConfigPath, writeRnxConfig } from "./os/certs/bootstrap.ts";
import { clientAddress } from "./os/certs/client_address.ts";
import { localHostname } from "./os/certs/host.ts";
import { formatHostPort, parseHostPort } from "./config/listen.ts";
import { SqliteJobStore } from "./os/store/sqlite_store.ts";
import { FileLogStore } from "./os/logs/file_log_store.ts";
import { Workspaces } from "./os/workspace/workspaces.ts";
import { createCgroupDriver } from "./os/cgroup/mod.ts";
import { NamespaceLauncher } from "./os/isolation/launcher.ts";
import { JobService } from "./core/job_service.ts";
import { systemClock } from "./core/ports.ts";
import { startGrpcServer, stopGrpcServer } from "./transport/grpc/server.ts";
import { API_VERSION, VERSION } from "./version.ts";
import { removePid, runningAgentPid, writePid } from "./pidfile.ts";
import { JobletError } from "./domain/errors.ts";
import { resolveLimits } from "./domain/limits.ts";
import { createHostMonitor } from "./os/metrics/mod.ts";
import { startMetricsServer } from "./transport/http/server.ts";

/** CPUs the host has online (cores 0 … n-1 exist for --cpu-cores). */
function onlineCpus(): number {
  return navigator.hardwareConcurrency || 1;
}

export interface ServeFlags {
  config?: string;
  stateDir?: string;
  listen?: string;
  rnxConfig?: string;
}

export function resolveConfig(flags: ServeFlags): AgentConfig {
  return loadConfig({
    path: flags.config,
    overrides: { stateDir: flags.stateDir, listen: flags.listen, rnxConfig: flags.rnxConfig },
  });
}

const log = (msg: string) => console.error(`${new Date().toISOString()} ${msg}`);

export async function serve(flags: ServeFlags): Promise<number> {
  const config = resolveConfig(flags);
  const state = config.stateDir;
  Deno.mkdirSync(state, { recursive: true, mode: 0o700 });
  Deno.chmodSync(state, 0o700);
  const other = runningAgentPid(state);
  if (other) {
    throw new JobletError("FailedPrecondition", `another agent (pid ${other}) already serves ${state}`);
  }
  writePid(state);

  const pki = await ensurePki(state, { serverNames: config.serverNames });
  const store = SqliteJobStore.open(join(state, "joblet.db"));
  const logs = new FileLogStore(join(state, "logs"), { maxBytesPerJob: config.logs.maxBytesPerJob });
  const cgroups = createCgroupDriver({ namespace: "joblet" });
  const launcher = new NamespaceLauncher({
    runDir: join(state, "run"),
    hostBinds: config.jobs.hostBinds,
    useTini: config.jobs.useTini,
  });
  const jobs = new JobService(
    {
      store,
      logs,
      cgroups,
      launcher,
      workspaces: new Workspaces(state),
      clock: systemClock,
      resolveLimits: (requested) => resolveLimits(requested, config.limits.bounds, { cpus: onlineCpus() }),
      log,
    },
    {
      stopGraceMs: config.jobs.stopGraceMs,
      retentionMs: config.logs.retentionMs,
      maxUploadFiles: 100_000,
      maxUploadBytes: 16 * 1024 ** 3,
      sampleIntervalMs: config.metrics.sampleIntervalMs,
      samplesKept: config.metrics.samplesKept,
    },
  );
  const recovered = await jobs.recover();
  if (recovered) {
    log(`marked ${recovered} job(s) that ran when the agent stopped as FAILED (agent restarted)`);
  }
  jobs.sweep();
  const sweeper = setInterval(() => jobs.sweep(), 60 * 60 * 1000);

  const info = { version: VERSION, apiVersion: API_VERSION, cgroupVersion: cgroups.version };
  const host = createHostMonitor();
  const { server, port } = await startGrpcServer(config.listen, {
    caCert: pki.caCert,
    serverCert: pki.serverCert,
    serverKey: pki.serverKey,
  }, { jobs, host, info, log });
  const listen = parseHostPort(config.listen);
  const address = formatHostPort({ host: listen.host, port });

  const rnxPath = resolveRnxConfigPath(config.rnxConfig);
  if (rnxPath) {
    const client = clientAddress({ host: listen.host, port }, localHostname());
    writeRnxConfig(rnxPath, {
      nodeName: config.nodeName,
      address: client.address,
      serverName: client.serverName,
      ca: pki.caCert,
      cert: pki.adminCert,
      key: pki.adminKey,
    });
    log(`rnx config: ${rnxPath}`);
  }
  const metrics = config.metrics.listen
    ? await startMetricsServer(config.metrics.listen, { host: host.sampler(), jobs, info, log })
    : undefined;
  if (metrics) log(`prometheus metrics on http://${metrics.address}/metrics`);
  log(`joblet ${VERSION} listening on ${address} (state ${state}, cgroup ${cgroups.version})`);

  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  for (const sig of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(sig, () => stop(sig));
  const sig = await stopped;
  log(`${sig}: stopping running jobs and shutting down`);
  clearInterval(sweeper);
  await stopGrpcServer(server, 2000);
  await metrics?.shutdown();
  await jobs.stopAll("agent shutdown");
  store.close();
  removePid(state);
  return 0;
}
