import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { loadConfig, parseConfigText } from "./load.ts";
import { DEFAULT_CONFIG } from "./schema.ts";

const FULL = `
state_dir: /srv/joblet
listen: "[::1]:6000"
server_names: [node-1.example.com, 10.0.0.5]
rnx_config: none
node_name: node-1
jobs:
  stop_grace: 1m30s
  host_binds: [/usr, /opt/tools]
  use_tini: false
  max_disk: 2GB
logs:
  max_bytes_per_job: 512MB
  retention: 0
limits:
  default_max_cpu: 100
  default_max_memory: 512
  default_max_iobps: 10MB/s
  default_max_pids: 1000
  default_timeout: 1h
  min_cpu: 5
  max_cpu: 400
  max_memory: 8GB
  max_iobps: 100MB
  max_pids: 10000
  max_timeout: 1d
metrics:
  listen: 127.0.0.1:9464
  sample_interval: 2s
  samples_kept: 100
runtimes:
  deb_cache: /var/cache/joblet/debs
log:
  format: json
  level: debug
`;

Deno.test("parseConfigText() maps snake_case YAML to AgentConfig with units converted", () => {
  assertEquals(parseConfigText(FULL, "joblet.yml"), {
    stateDir: "/srv/joblet",
    listen: "[::1]:6000",
    serverNames: ["node-1.example.com", "10.0.0.5"],
    rnxConfig: "none",
    nodeName: "node-1",
    jobs: {
      stopGraceMs: 90_000,
      hostBinds: ["/usr", "/opt/tools"],
      useTini: false,
      maxDiskBytes: 2 * 1024 ** 3,
    },
    logs: { maxBytesPerJob: 512 * 1024 * 1024, retentionMs: 0 },
    limits: {
      disabled: false,
      bounds: {
        defaults: {
          cpuPercent: 100,
          memoryBytes: 512 * 1024 ** 2,
          ioBps: 10 * 1024 ** 2,
          pids: 1000,
          timeoutMs: 3_600_000,
        },
        minCpuPercent: 5,
        maxCpuPercent: 400,
        maxMemoryBytes: 8 * 1024 ** 3,
        maxIoBps: 100 * 1024 ** 2,
        maxPids: 10_000,
        maxTimeoutMs: 86_400_000,
      },
    },
    metrics: { listen: "127.0.0.1:9464", sampleIntervalMs: 2000, samplesKept: 100 },
    network: DEFAULT_CONFIG.network,
    runtimes: { debCache: "/var/cache/joblet/debs" },
    log: { format: "json", level: "debug" },
    source: "joblet.yml",
  });
});

Deno.test("parseConfigText() fills what the file leaves out, and empty values, from the defaults", () => {
  const c = parseConfigText("listen: 0.0.0.0:7000\njobs:\n  stop_grace:\nlogs:\n", "f.yml");
  assertEquals(c, { ...DEFAULT_CONFIG, listen: "0.0.0.0:7000", source: "f.yml" });
  assertEquals(parseConfigText("", "f.yml"), { ...DEFAULT_CONFIG, source: "f.yml" });
  assertEquals(
    parseConfigText("logs:\n  max_bytes_per_job: 1073741824\n", "f.yml").logs.maxBytesPerJob,
    1024 ** 3,
  );
});

Deno.test("an unknown key is named with its path and line", () => {
  assertThrows(
    () => parseConfigText("state_dir: /x\njobs:\n  use_tini: true\n  stop_grase: 10s\n", "joblet.yml"),
    /^JobletError: joblet.yml: unknown key "jobs.stop_grase" at line 4, column 3 \(known: stop_grace, host_binds, use_tini, max_disk\)$/,
  );
  assertThrows(
    () => parseConfigText("lisen: x\n", "joblet.yml"),
    /unknown key "lisen" at line 1, column 1 \(known: state_dir/,
  );
});

Deno.test("a bad value names key, value, rule and line", () => {
  const bad = (yaml: string, re: RegExp) => assertThrows(() => parseConfigText(yaml, "joblet.yml"), re);
  bad(
    "jobs:\n  stop_grace: 10x\n",
    /joblet.yml: bad value for "jobs.stop_grace" at line 2, column 15: "10x" is not a duration \(use a number with ms/,
  );
  bad("jobs:\n  stop_grace: 10\n", /"jobs.stop_grace" at line 2, column 15: 10 has no unit/);
  bad("listen: localhost\n", /"listen" at line 1, column 9: "localhost" is not an address \(use HOST:PORT/);
  bad("listen: localhost:99999\n", /port 99999 must be 0–65535/);
  bad("state_dir: var/lib\n", /"state_dir" at line 1, column 12: "var\/lib" must be an absolute path/);
  bad(
    "jobs:\n  host_binds: [/usr, opt]\n",
    /"jobs.host_binds.1" at line 2, column 22: "opt" must be an absolute path/,
  );
  bad("jobs:\n  use_tini: 3\n", /"jobs.use_tini" at line 2, column 13: 3 must be true or false/);
  bad(
    "jobs:\n  max_disk: 10XB\n",
    /"jobs.max_disk" at line 2, column 13: max_disk "10XB" is not a size \(use MB, GB or TB/,
  );
  bad("jobs:\n  max_disk: 1MB\n", /max_disk "1MB" is too small \(at least 8MB\)/);
  bad("logs:\n  max_bytes_per_job: 12XB\n", /"logs.max_bytes_per_job" .*"12XB" is not a size/);
  bad("logs:\n  max_bytes_per_job: 0\n", /"logs.max_bytes_per_job" .*0 must be more than 0 bytes/);
  bad("node_name: 'my node'\n", /"node_name" .*"my node" must be 1–63 letters/);
  bad("server_names: [ok, 'bad name']\n", /"server_names.1" .*"bad name" must be a host name/);
  bad("rnx_config: rel/path\n", /"rnx_config" .*"rel\/path" must be an absolute path, "" .* or "none"/);
  bad("jobs: 5\n", /"jobs" at line 1, column 7: 5 must be a mapping of stop_grace/);
  bad("- a\n- b\n", /joblet.yml: the file must be a mapping/);
  bad("log:\n  format: xml\n", /"log.format" at line 2, column 11: "xml" must be text or json/);
});

Deno.test("a YAML syntax error keeps line and column", () => {
  assertThrows(
    () => parseConfigText("jobs:\n  use_tini: [true\n", "joblet.yml"),
    /joblet.yml: YAML syntax error at line \d+, column \d+/,
  );
  assertThrows(
    () => parseConfigText("listen: a:1\nlisten: b:2\n", "joblet.yml"),
    /YAML syntax error at line 2, column 1: .*unique/i,
  );
});

Deno.test("loadConfig() uses the defaults when the default file is absent", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assertEquals(loadConfig({ defaultPath: `${dir}/none.yml` }), DEFAULT_CONFIG);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadConfig() reads the default file when present, and overrides win over it", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/joblet.yml`, "state_dir: /srv/a\nlisten: 127.0.0.1:1\nnode_name: a\n");
    const c = loadConfig({
      defaultPath: `${dir}/joblet.yml`,
      overrides: { listen: "[::]:2", rnxConfig: "none" },
    });
    assertEquals([c.stateDir, c.listen, c.rnxConfig, c.nodeName, c.source], [
      "/srv/a",
      "[::]:2",
      "none",
      "a",
      `${dir}/joblet.yml`,
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadConfig() insists that an explicit path exists", () => {
  assertThrows(
    () => loadConfig({ path: "/nonexistent/joblet.yml" }),
    /Cannot load the agent config: "\/nonexistent\/joblet.yml" does not exist/,
  );
});

Deno.test("a bad override names the flag, the value and the rule", () => {
  assertThrows(
    () => loadConfig({ defaultPath: "/nonexistent/x.yml", overrides: { stateDir: "rel" } }),
    /--state-dir: "rel" must be an absolute path/,
  );
  assertThrows(
    () => loadConfig({ defaultPath: "/nonexistent/x.yml", overrides: { listen: "::1:5" } }),
    /--listen: "::1:5" is not an address/,
  );
});

Deno.test("the default config is itself valid", () => {
  assert(DEFAULT_CONFIG.jobs.hostBinds.every((p) => p.startsWith("/")));
  assertEquals(DEFAULT_CONFIG.logs.retentionMs, 7 * 86_400_000);
});

Deno.test("limits: defaults when absent, disabled only when the file says so", () => {
  assertEquals(parseConfigText("", "f.yml").limits, DEFAULT_CONFIG.limits);
  assertEquals(DEFAULT_CONFIG.limits.bounds.defaults.pids, 4096);
  assertEquals(DEFAULT_CONFIG.limits.bounds.maxPids, 65_536);
  assertEquals(parseConfigText("limits:\n  disabled: true\n", "f.yml").limits.disabled, true);
});

Deno.test("limits: a bad value names the key, the value and the flag's rule", () => {
  assertThrows(
    () => parseConfigText("limits:\n  max_iobps: 1.5GB/s\n", "joblet.yml"),
    /joblet.yml: bad value for "limits.max_iobps" at line 2, column 14: "1.5GB\/s" is not a whole number \(write 1536MB\/s instead\)/,
  );
  assertThrows(
    () => parseConfigText("limits:\n  default_max_cpu: abc\n", "joblet.yml"),
    /bad value for "limits.default_max_cpu" at line 2, column 20: "abc" is not a percentage/,
  );
  assertThrows(
    () => parseConfigText("limits:\n  max_pids: 100\n", "joblet.yml"),
    /bad value for "limits.default_max_pids": 4096 is above max_pids \(100\): a default or minimum must fit the bound/,
  );
  assertThrows(
    () => parseConfigText("limits:\n  max_pid: 100\n", "joblet.yml"),
    /unknown key "limits.max_pid" at line 2, column 3 \(known: disabled, default_max_cpu, /,
  );
});
