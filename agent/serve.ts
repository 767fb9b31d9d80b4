/**
 * `joblet serve`: wires the adapters into core and serves gRPC until SIGTERM/SIGINT.
 *
 * Signals (docs/operating.md):
 *   SIGTERM, SIGINT  health turns NOT_SERVING, the listener stops taking calls and gives in-flight calls 2 s,
 *                    running jobs are stopped (SIGTERM, SIGKILL after min(jobs.stop_grace, 5 s); they end
 *                    STOPPED, "stopped by agent shutdown"), the store is closed; the agent exits 0 within 10 s.
 *                    A second signal exits at once (the next start marks unfinished jobs FAILED).
 *   SIGHUP           reloads the config file (agent/reload.ts says what can change without a restart).
 */
import { join } from "node:path";
import { type AgentConfig, loadConfig } from "./config/load.ts";
import { ensurePki, resolveRnxConfigPath, writeRnxConfig } from "./os/certs/bootstrap.ts";
import { clientAddress } from "./os/certs/client_address.ts";
import { localHostname } from "./os/certs/host.ts";
import { formatHostPort, parseHostPort } from "./config/listen.ts";
import { SqliteJobStore } from "./os/store/sqlite_store.ts";
import { FileLogStore } from "./os/logs/file_log_store.ts";
import { Workspaces } from "./os/workspace/workspaces.ts";
import { Ext4DiskImages } from "./os/workspace/disk_image.ts";
import { createCgroupDriver } from "./os/cgroup/mod.ts";
import { NoCgroupDriver, refuseLimits } from "./os/cgroup/none.ts";
import type { CgroupDriver } from "./core/ports.ts";
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
import { type AgentLogger, createLogger, logFn } from "./logging/logger.ts";
import { loggingJobStore } from "./logging/job_events.ts";
import { API_SERVICES } from "./transport/grpc/server.ts";
import { HealthState, Serving } from "./transport/grpc/health.ts";
import { planReload } from "./reload.ts";
import { VolumeService } from "./core/volume_service.ts";
import { HostVolumeDriver } from "./os/volume/host_driver.ts";
import { jobResolvConf, NetworkService } from "./core/network_service.ts";
import { SqliteNetworkStore } from "./os/network/store.ts";
import { LinuxNetworkDriver } from "./os/network/linux_driver.ts";
import { RuntimeService } from "./core/runtime_service.ts";
import { HostRuntimeDriver } from "./os/runtime/host_driver.ts";
import { builtinSpecs } from "./os/runtime/builtin.ts";

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

/** The whole shutdown, from the signal to exit, fits in this (systemd's TimeoutStopSec is 20 s). */
export const SHUTDOWN_BUDGET_MS = 10_000;
/** In-flight calls get this long before the listener is closed under them. */
const DRAIN_MS = 2000;
/** Running jobs get at most this long between SIGTERM and SIGKILL at shutdown. */
const SHUTDOWN_JOB_GRACE_MS = 5000;

export async function serve(flags: ServeFlags): Promise<number> {
  let config = resolveConfig(flags);
  const logger = createLogger(config.log);
  const log = logFn(logger);
  const state = config.stateDir;
  Deno.mkdirSync(state, { recursive: true, mode: 0o700 });
  Deno.chmodSync(state, 0o700);
  const other = runningAgentPid(state);
  if (other) {
    throw new JobletError("FailedPrecondition", `another agent (pid ${other}) already serves ${state}`);
  }
  writePid(state);

  const pki = await ensurePki(state, { serverNames: config.serverNames });
  const store = loggingJobStore(SqliteJobStore.open(join(state, "joblet.db")), logger);
  const logs = new FileLogStore(join(state, "logs"), { maxBytesPerJob: config.logs.maxBytesPerJob });
  const cgroups = openCgroups(config.limits.disabled, logger);
  const volumes = new VolumeService({
    driver: new HostVolumeDriver({ root: join(state, "volumes"), log }),
    clock: systemClock,
    log,
  });
  const volumeCount = await volumes.start();
  if (volumeCount) log(`volumes: ${volumeCount} attached`);
  const netStore = SqliteNetworkStore.open(join(state, "network.db"));
  const networks = new NetworkService(
    netStore,
    new LinuxNetworkDriver({ store: netStore, hostsDir: join(state, "run", "hosts") }),
    {
      defaultNetwork: config.network.defaultNetwork,
      bridgeCidr: config.network.bridgeCidr,
      isolatedCidr: config.network.isolatedCidr,
      resolvConf: jobResolvConf(readOr("/etc/resolv.conf", ""), config.network.dns),
    },
    log,
  );
  await networks.recover();
  const runtimes = new RuntimeService(
    new HostRuntimeDriver({
      dir: join(state, "runtimes"),
      log,
      debCache: config.runtimes.debCache || undefined,
    }),
    builtinSpecs(),
  );
  const runtimeCount = runtimes.start();
  if (runtimeCount) log(`runtimes: ${runtimeCount} installed`);
  const launcher = new NamespaceLauncher({
    runDir: join(state, "run"),
    hostBinds: config.jobs.hostBinds,
    useTini: config.jobs.useTini,
  });
  // Unmounts what an earlier agent left mounted; keeps images of jobs.max_disk formatted ahead (ADR 0009).
  const workspaces = new Workspaces(state, {
    images: new Ext4DiskImages(),
    poolBytes: config.jobs.maxDiskBytes,
    log,
  });
  const jobs = new JobService(
    {
      store,
      logs,
      cgroups,
      launcher,
      workspaces,
      clock: systemClock,
      // Reads `config` at each call, so limits reloaded by SIGHUP apply to the next job.
      resolveLimits: (requested) =>
        cgroups.version === "none"
          ? refuseLimits(requested)
          : resolveLimits(requested, config.limits.bounds, { cpus: onlineCpus() }),
      log,
      volumes,
      networks,
      runtimes,
    },
    {
      stopGraceMs: config.jobs.stopGraceMs,
      retentionMs: config.logs.retentionMs,
      maxUploadFiles: 100_000,
      maxUploadBytes: 16 * 1024 ** 3,
      sampleIntervalMs: config.metrics.sampleIntervalMs,
      samplesKept: config.metrics.samplesKept,
      maxDiskBytes: config.jobs.maxDiskBytes,
    },
  );
  jobs.onFinished((job) => networks.ended(job.id));
  const recovered = await jobs.recover();
  if (recovered) {
    logger.warn("recovered jobs that ran when the agent stopped: marked FAILED (agent restarted)", {
      count: recovered,
    });
  }
  jobs.sweep();
  const sweeper = setInterval(() => jobs.sweep(), 60 * 60 * 1000);

  const info = { version: VERSION, apiVersion: API_VERSION, cgroupVersion: cgroups.version };
  const host = createHostMonitor();
  const health = new HealthState(API_SERVICES);
  const { server, port } = await startGrpcServer(config.listen, {
    caCert: pki.caCert,
    serverCert: pki.serverCert,
    serverKey: pki.serverKey,
  }, { jobs, host, info, log, logger, health, volumes, networks, runtimes });
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
    ? await startMetricsServer(config.metrics.listen, {
      host: host.sampler(),
      jobs,
      info,
      log,
      healthy: () => health.get("") === Serving.SERVING,
    })
    : undefined;
  if (metrics) log(`prometheus metrics on http://${metrics.address}/metrics, health on /healthz`);
  // "listening on HOST:PORT" is what `serve --detach` and the tests wait for: keep the words.
  log(`joblet ${VERSION} listening on ${address} (state ${state}, cgroup ${cgroups.version})`);

  const reload = () => {
    let next;
    try {
      next = resolveConfig(flags);
    } catch (e) {
      logger.error("SIGHUP: config not reloaded, the old settings stay", { error: (e as Error).message });
      return;
    }
    const plan = planReload(config, next);
    config = plan.config;
    const say = () =>
      logger.info("SIGHUP: config reloaded", {
        source: next.source ?? "(defaults)",
        applied: plan.applied.join(",") || "nothing changed",
        need_restart: plan.needRestart.join(",") || undefined,
      });
    // Say it under whichever of the old and new levels lets it through.
    const toldBefore = logger.enabled("info");
    if (toldBefore) say();
    logger.configure(config.log);
    if (!toldBefore && logger.enabled("info")) say();
  };
  Deno.addSignalListener("SIGHUP", reload);

  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  let stopping = false;
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => {
      if (stopping) {
        logger.warn(`${sig} again: exiting at once`);
        Deno.exit(1);
      }
      stopping = true;
      stop(sig);
    });
  }
  const sig = await stopped;
  const began = Date.now();
  const running = jobs.running().length;
  logger.info("shutting down", { signal: sig, running_jobs: running });
  Deno.removeSignalListener("SIGHUP", reload);
  health.set(Serving.NOT_SERVING);
  clearInterval(sweeper);
  jobs.shutdown(); // no scheduled job starts any more; workflows continue at the next start
  const finished = await withDeadline(SHUTDOWN_BUDGET_MS - 500, async () => {
    await stopGrpcServer(server, DRAIN_MS);
    await metrics?.shutdown();
    const grace = Math.min(config.jobs.stopGraceMs, SHUTDOWN_JOB_GRACE_MS);
    await Promise.all(jobs.running().map(({ id }) => jobs.stop(id, grace, "agent shutdown").catch(() => {})));
  });
  if (!finished) logger.warn("shutdown: jobs or calls still open at the deadline; exiting anyway");
  await networks.shutdown().catch((e) =>
    logger.error("shutdown: network cleanup failed", { error: String(e) })
  );
  await workspaces.stopPool().catch((e) =>
    logger.error("shutdown: workspace pool cleanup failed", { error: String(e) })
  );
  netStore.close();
  store.close();
  removePid(state);
  logger.info("stopped", { signal: sig, ms: Date.now() - began, stopped_jobs: running });
  return 0;
}

/** Runs `fn`, giving up waiting after `ms`; true when it finished in time. */
/**
 * The cgroup driver for this host. Without usable cgroups the agent refuses to start, unless the config says
 * `limits: { disabled: true }`: then jobs run without limits or accounting (os/cgroup/none.ts).
 */
function openCgroups(disabled: boolean, logger: AgentLogger): CgroupDriver {
  try {
    return createCgroupDriver({ namespace: "joblet" });
  } catch (e) {
    if (!disabled) {
      throw new JobletError(
        "FailedPrecondition",
        `${
          (e as Error).message
        }. To run jobs without cgroup limits on this host, set "limits: { disabled: true }" ` +
          `in the config`,
      );
    }
    logger.warn("no usable cgroups: jobs run WITHOUT limits (limits.disabled is set)", { cause: String(e) });
    return new NoCgroupDriver();
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return fallback;
  }
}

async function withDeadline(ms: number, fn: () => Promise<void>): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => timer = setTimeout(() => r(false), ms));
  try {
    return await Promise.race([fn().then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
