/**
 * The agent's configuration: the YAML schema (snake_case keys, every key optional), the defaults, and the
 * camelCase `AgentConfig` the rest of the agent receives. Durations are milliseconds and sizes bytes by then.
 *
 * ```yaml
 * state_dir: /var/lib/joblet          # records, logs, workspaces, pki
 * listen: 127.0.0.1:50051             # HOST:PORT (IPv6 as [::1]:50051)
 * server_names: []                    # extra SANs for the server certificate
 * rnx_config: ""                      # where to write the local user's rnx config ("" = default, "none" = don't)
 * node_name: local                    # name of this node in the written rnx config
 * jobs:
 *   stop_grace: 10s                   # SIGTERM → SIGKILL
 *   host_binds: [/usr, /bin, /lib, /lib64, /sbin, /etc/ssl, /etc/ca-certificates, /usr/share/ca-certificates]
 *   use_tini: true
 *   max_disk: 1GiB                    # size of each job's /work (uploads included; --max-disk per job): an ext4
 *                                     #   image on a loop device, ENOSPC past it; 0 = no limit (plain directory,
 *                                     #   for hosts without loop devices). docs/adr/0009-workspace-quota.md
 * logs:
 *   max_bytes_per_job: 1GiB           # 512MB, 1GiB, 1073741824 (1024-based)
 *   retention: 7d                     # finished jobs' logs + records older than this are removed; 0 = keep
 * limits:                             # written as for the rnx flags (docs/limits.md); 0 = unlimited / no bound
 *   disabled: false                   # true: run jobs without cgroup limits (hosts without usable cgroups)
 *   default_max_cpu: 0                # % of one core for jobs without --max-cpu
 *   default_max_memory: 0             # for jobs without --max-memory (a bare number is MB)
 *   default_max_iobps: 0              # for jobs without --max-iobps (a bare number is bytes/s)
 *   default_max_pids: 4096            # for jobs without --max-pids
 *   default_timeout: 0                # for jobs without --timeout
 *   min_cpu: 1                        # lowest --max-cpu other than 0
 *   max_cpu: 0                        # highest --max-cpu; 0 = 100 × the host's cores
 *   max_memory: 0                     # highest --max-memory, --max-iobps, --max-pids, --timeout;
 *   max_iobps: 0                      #   0 = no bound. With a bound, 0 (unlimited) is refused and
 *   max_pids: 65536                   #   a default of 0 becomes the bound.
 *   max_timeout: 0
 * metrics:
 *   listen: ""                        # HOST:PORT for Prometheus GET /metrics (plain HTTP), e.g. 127.0.0.1:9464; "" = off
 *   sample_interval: 5s               # how often a running job's cgroup is sampled
 *   samples_kept: 720                 # samples kept per job (720 × 5 s = 1 h)
 * network:                           # docs/networks.md
 *   default: bridge                   # network of jobs without --network: bridge, isolated, none or a custom one
 *   bridge_cidr: 172.20.0.0/16        # the `bridge` network (bridge joblet0)
 *   isolated_cidr: 172.21.0.0/16      # the `isolated` network (bridge joblet-iso)
 *   dns: []                           # jobs' nameservers; [] = the host's resolv.conf minus loopback ones
 * runtimes:                           # docs/runtimes.md
 *   deb_cache: ""                     # dir that keeps downloaded .debs between runtime installs; "" = none
 * log:
 *   format: text                      # text (one line per event, key=value) or json (JSON lines)
 *   level: info                       # debug, info, warn, error
 * ```
 * A key left empty (`listen:`) means the default.
 */
import { z } from "zod";
import { parseDuration, parseSize } from "../domain/units.ts";
import {
  DEFAULT_LIMIT_BOUNDS,
  type LimitBounds,
  parseCpuPercent,
  parseIoBps,
  parseMemory,
  parsePids,
} from "../domain/limits.ts";
import { NODE_NAME } from "../domain/rnx_config.ts";
import { DEFAULT_MAX_DISK_BYTES, parseMaxDisk } from "../domain/workspace.ts";
import { isHostName, parseHostPort } from "./listen.ts";
import { DEFAULT_NETWORK_CONFIG, type NetworkConfig, networkFromFile, networkSection } from "./network.ts";

export interface AgentConfig {
  /** Absolute. Holds records, logs, workspaces and pki/. */
  stateDir: string;
  /** HOST:PORT, validated by parseHostPort (IPv6 in brackets). */
  listen: string;
  /** Extra SANs for the server certificate, besides localhost, 127.0.0.1, ::1 and the host name. */
  serverNames: string[];
  /** Where to write the local user's rnx config: "" = the default path, "none" = do not write one. */
  rnxConfig: string;
  /** This node's name in written rnx configs. */
  nodeName: string;
  jobs: {
    /** Milliseconds between SIGTERM and SIGKILL when a job is stopped. */
    stopGraceMs: number;
    /** Host directories bind-mounted read-only into each job's root. Absolute. */
    hostBinds: string[];
    useTini: boolean;
    /** Size of a job's /work without --max-disk (an ext4 image on a loop device); 0 = a plain directory. */
    maxDiskBytes: number;
  };
  logs: {
    maxBytesPerJob: number;
    /** Finished jobs' logs and records older than this are removed; 0 = keep forever. */
    retentionMs: number;
  };
  limits: {
    /** Run jobs without cgroup limits: only for hosts without usable cgroups, and only when the file says so. */
    disabled: boolean;
    bounds: LimitBounds;
  };
  metrics: {
    /** HOST:PORT of the Prometheus endpoint; "" = off. */
    listen: string;
    sampleIntervalMs: number;
    samplesKept: number;
  };
  /** Jobs' networks (docs/networks.md); a change needs a restart. */
  network: NetworkConfig;
  /** Runtime installs (docs/runtimes.md). debCache: where .debs are kept between installs; "" = nowhere. */
  runtimes: { debCache: string };
  /** The agent's own log on stderr (agent/logging/logger.ts); reloaded on SIGHUP. */
  log: { format: "text" | "json"; level: "debug" | "info" | "warn" | "error" };
  /** The file the config was read from, or null when only defaults (and overrides) apply. */
  source: string | null;
}

export const DEFAULT_CONFIG: AgentConfig = {
  stateDir: "/var/lib/joblet",
  listen: "127.0.0.1:50051",
  serverNames: [],
  rnxConfig: "",
  nodeName: "local",
  jobs: {
    stopGraceMs: 10_000,
    hostBinds: [
      "/usr",
      "/bin",
      "/lib",
      "/lib64",
      "/sbin",
      "/etc/ssl",
      "/etc/ca-certificates",
      "/usr/share/ca-certificates",
    ],
    useTini: true,
    // Images of this size are kept formatted ahead, so the default costs ≈ a mount per job start (ADR 0009).
    maxDiskBytes: DEFAULT_MAX_DISK_BYTES,
  },
  logs: { maxBytesPerJob: 1024 ** 3, retentionMs: 7 * 86_400_000 },
  limits: { disabled: false, bounds: DEFAULT_LIMIT_BOUNDS },
  metrics: { listen: "", sampleIntervalMs: 5000, samplesKept: 720 },
  network: DEFAULT_NETWORK_CONFIG,
  runtimes: { debCache: "" },
  log: { format: "text", level: "info" },
  source: null,
};

// ------------------------------------------------------------------------------------------ field rules

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
/** zod `error` option: the value, then the rule. */
const rule = (text: string) => ({ error: (iss: { input: unknown }) => `${show(iss.input)} ${text}` });

/** Runs a parser that throws a message naming value and rule; turns the throw into a zod issue. */
const parsed = <T>(parse: (v: string | number) => T) => (v: string | number, ctx: z.RefinementCtx) => {
  try {
    return parse(v);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message, input: v });
    return z.NEVER;
  }
};

export const absolutePath = z.string(rule("must be a path")).refine(
  (s) => s.startsWith("/"),
  rule("must be an absolute path (start with /)"),
);

export const listenAddress = z.string(rule("must be HOST:PORT, e.g. 127.0.0.1:50051")).transform(
  parsed((v) => {
    parseHostPort(String(v));
    return String(v);
  }),
);

export const rnxConfigSetting = z.string(rule('must be a path, "" or "none"')).refine(
  (s) => s === "" || s === "none" || s.startsWith("/"),
  rule('must be an absolute path, "" (the default path) or "none" (write no rnx config)'),
);

export const nodeName = z.string(rule("must be a node name")).regex(
  NODE_NAME,
  rule("must be 1–63 letters, digits, '.', '_', '-', starting with a letter or digit"),
);

const duration = z.union([z.string(), z.number()], rule("must be a duration, e.g. 10s, 5m, 1h30m")).transform(
  parsed((v) => {
    if (typeof v === "number" && v !== 0) {
      throw new Error(`${v} has no unit (use ms, s, m, h or d, e.g. 10s)`);
    }
    return parseDuration(String(v));
  }),
);

const size = z.union([z.string(), z.number()], rule("must be a size, e.g. 512MB, 1GiB")).transform(
  parsed((v) => {
    const bytes = parseSize(String(v));
    if (bytes === 0) throw new Error(`${show(v)} must be more than 0 bytes`);
    return bytes;
  }),
);

/** A limit written as for its rnx flag: the flag's own parser, with "--max-cpu …" dropped from the message. */
const limit = (parse: (text: string) => number) =>
  z.union([z.string(), z.number()], rule("must be a number or a string")).transform(
    parsed((v) => {
      try {
        return parse(String(v));
      } catch (e) {
        throw new Error((e as Error).message.replace(/^--[a-z-]+ /, ""));
      }
    }),
  );

const limitsSection = z.strictObject({
  disabled: z.boolean(rule("must be true or false")).nullish(),
  default_max_cpu: limit(parseCpuPercent).nullish(),
  default_max_memory: limit(parseMemory).nullish(),
  default_max_iobps: limit(parseIoBps).nullish(),
  default_max_pids: limit(parsePids).nullish(),
  default_timeout: duration.nullish(),
  min_cpu: limit(parseCpuPercent).nullish(),
  max_cpu: limit(parseCpuPercent).nullish(),
  max_memory: limit(parseMemory).nullish(),
  max_iobps: limit(parseIoBps).nullish(),
  max_pids: limit(parsePids).nullish(),
  max_timeout: duration.nullish(),
}, rule("must be a mapping of disabled, default_max_*, min_cpu and max_* settings")).superRefine((l, ctx) => {
  const d = DEFAULT_LIMIT_BOUNDS;
  const pairs: [string, number, string, number][] = [
    ["default_max_cpu", l.default_max_cpu ?? d.defaults.cpuPercent, "max_cpu", l.max_cpu ?? d.maxCpuPercent],
    ["default_max_memory", l.default_max_memory ?? 0, "max_memory", l.max_memory ?? d.maxMemoryBytes],
    ["default_max_iobps", l.default_max_iobps ?? 0, "max_iobps", l.max_iobps ?? d.maxIoBps],
    ["default_max_pids", l.default_max_pids ?? d.defaults.pids, "max_pids", l.max_pids ?? d.maxPids],
    ["default_timeout", l.default_timeout ?? 0, "max_timeout", l.max_timeout ?? d.maxTimeoutMs],
    ["min_cpu", l.min_cpu ?? d.minCpuPercent, "max_cpu", l.max_cpu ?? d.maxCpuPercent],
  ];
  for (const [key, value, maxKey, max] of pairs) {
    if (max > 0 && value > max) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        input: value,
        message: `${show(value)} is above ${maxKey} (${show(max)}): a default or minimum must fit the bound`,
      });
    }
  }
  if (l.min_cpu === 0) {
    ctx.addIssue({ code: "custom", path: ["min_cpu"], input: 0, message: "0 must be at least 1 (percent)" });
  }
});

const serverName = z.string(rule("must be a host name or IP address")).refine(
  isHostName,
  rule("must be a host name (letters, digits, '-', '.') or an IP address"),
);

const list = <T extends z.ZodType>(item: T) => z.array(item, rule("must be a list, e.g. [a, b]")).nullish();

/** The YAML file, snake_case as written. Unknown keys are errors; null (an empty value) means "default". */
export const ConfigFileSchema = z.strictObject({
  state_dir: absolutePath.nullish(),
  listen: listenAddress.nullish(),
  server_names: list(serverName),
  rnx_config: rnxConfigSetting.nullish(),
  node_name: nodeName.nullish(),
  jobs: z.strictObject({
    stop_grace: duration.nullish(),
    host_binds: list(absolutePath),
    use_tini: z.boolean(rule("must be true or false")).nullish(),
    max_disk: z.union([z.string(), z.number()], rule("must be a size, e.g. 1GiB, or 0")).transform(
      parsed((v) => String(v).trim() === "0" ? 0 : parseMaxDisk(String(v), "max_disk")),
    ).nullish(),
  }, rule("must be a mapping of stop_grace, host_binds, use_tini, max_disk")).nullish(),
  logs: z.strictObject({
    max_bytes_per_job: size.nullish(),
    retention: duration.nullish(),
  }, rule("must be a mapping of max_bytes_per_job, retention")).nullish(),
  limits: limitsSection.nullish(),
  metrics: z.strictObject({
    listen: z.union([z.literal(""), listenAddress], rule('must be HOST:PORT, or "" for off')).nullish(),
    sample_interval: duration.nullish(),
    samples_kept: z.number(rule("must be a number")).int(rule("must be a whole number")).min(
      1,
      rule("must be at least 1"),
    ).max(100_000, rule("must be at most 100000")).nullish(),
  }, rule("must be a mapping of listen, sample_interval, samples_kept")).nullish(),
  network: networkSection.nullish(),
  runtimes: z.strictObject({
    deb_cache: z.union(
      [z.literal(""), z.string().startsWith("/", rule("must be an absolute path"))],
      rule(
        'must be an absolute path, or "" for none',
      ),
    ).nullish(),
  }, rule("must be a mapping of deb_cache")).nullish(),
  log: z.strictObject({
    format: z.enum(["text", "json"], rule("must be text or json")).nullish(),
    level: z.enum(["debug", "info", "warn", "error"], rule("must be debug, info, warn or error")).nullish(),
  }, rule("must be a mapping of format, level")).nullish(),
}, rule("must be a mapping of settings (key: value)"));

export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Fills what the file leaves out from the defaults. */
export function fromFile(file: ConfigFile, source: string | null): AgentConfig {
  const d = DEFAULT_CONFIG;
  return {
    stateDir: file.state_dir ?? d.stateDir,
    listen: file.listen ?? d.listen,
    serverNames: file.server_names ?? d.serverNames,
    rnxConfig: file.rnx_config ?? d.rnxConfig,
    nodeName: file.node_name ?? d.nodeName,
    jobs: {
      stopGraceMs: file.jobs?.stop_grace ?? d.jobs.stopGraceMs,
      hostBinds: file.jobs?.host_binds ?? d.jobs.hostBinds,
      useTini: file.jobs?.use_tini ?? d.jobs.useTini,
      maxDiskBytes: file.jobs?.max_disk ?? d.jobs.maxDiskBytes,
    },
    logs: {
      maxBytesPerJob: file.logs?.max_bytes_per_job ?? d.logs.maxBytesPerJob,
      retentionMs: file.logs?.retention ?? d.logs.retentionMs,
    },
    limits: limitsFromFile(file.limits ?? {}),
    metrics: {
      listen: file.metrics?.listen ?? d.metrics.listen,
      sampleIntervalMs: file.metrics?.sample_interval ?? d.metrics.sampleIntervalMs,
      samplesKept: file.metrics?.samples_kept ?? d.metrics.samplesKept,
    },
    network: networkFromFile(file.network ?? {}),
    runtimes: { debCache: file.runtimes?.deb_cache ?? d.runtimes.debCache },
    log: { format: file.log?.format ?? d.log.format, level: file.log?.level ?? d.log.level },
    source,
  };
}

function limitsFromFile(l: NonNullable<ConfigFile["limits"]>): AgentConfig["limits"] {
  const d = DEFAULT_LIMIT_BOUNDS;
  return {
    disabled: l.disabled ?? false,
    bounds: {
      defaults: {
        cpuPercent: l.default_max_cpu ?? d.defaults.cpuPercent,
        memoryBytes: l.default_max_memory ?? d.defaults.memoryBytes,
        ioBps: l.default_max_iobps ?? d.defaults.ioBps,
        pids: l.default_max_pids ?? d.defaults.pids,
        timeoutMs: l.default_timeout ?? d.defaults.timeoutMs,
      },
      minCpuPercent: l.min_cpu ?? d.minCpuPercent,
      maxCpuPercent: l.max_cpu ?? d.maxCpuPercent,
      maxMemoryBytes: l.max_memory ?? d.maxMemoryBytes,
      maxIoBps: l.max_iobps ?? d.maxIoBps,
      maxPids: l.max_pids ?? d.maxPids,
      maxTimeoutMs: l.max_timeout ?? d.maxTimeoutMs,
    },
  };
}
