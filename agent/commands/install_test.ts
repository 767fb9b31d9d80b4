import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { join } from "node:path";
import { install } from "./install.ts";
import { uninstall } from "./uninstall.ts";
import {
  DEFAULT_LAYOUT,
  type InstallLayout,
  renderConfig,
  renderLauncher,
  renderUnit,
} from "./install_files.ts";
import { parseConfigText } from "../config/load.ts";

function tempLayout(): InstallLayout {
  return { ...DEFAULT_LAYOUT, root: Deno.makeTempDirSync({ prefix: "joblet-install-" }) };
}

const mode = (p: string) => Deno.statSync(p).mode! & 0o7777;
const exists = (p: string) => {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
};

Deno.test("install into an empty root writes program, config, state, PKI, rnx config and unit; a rerun changes nothing", async () => {
  const l = tempLayout();
  const src = join(l.root, "joblet-build");
  Deno.writeFileSync(src, new TextEncoder().encode("#!fake binary v1"));
  const lines: string[] = [];
  const opts = {
    layout: l,
    address: "0.0.0.0:50051",
    serverNames: ["node-1.example.com"],
    force: false,
    start: false,
    program: { kind: "binary" as const, joblet: src },
    denoDir: "/root/.cache/deno",
    say: (s: string) => lines.push(s),
  };
  try {
    const first = await install(opts);
    const at = (p: string) => join(l.root, p);
    assertEquals(Deno.readTextFileSync(at("/usr/local/bin/joblet")), "#!fake binary v1");
    assertEquals(mode(at("/usr/local/bin/joblet")), 0o755);
    assertEquals(mode(at("/var/lib/joblet")), 0o700);
    assertEquals(mode(at("/var/lib/joblet/pki/ca.key")), 0o600);
    assertEquals(mode(at("/root/.rnx/rnx-config.yml")), 0o600);
    assertMatch(Deno.readTextFileSync(at("/etc/systemd/system/joblet.service")), /^Delegate=yes$/m);
    const config = parseConfigText(Deno.readTextFileSync(at("/etc/joblet/joblet.yml")), "joblet.yml");
    assertEquals([config.listen, config.serverNames, config.stateDir], [
      "0.0.0.0:50051",
      ["node-1.example.com"],
      "/var/lib/joblet",
    ]);
    assert(first.includes("/usr/local/bin/joblet") && first.includes("/var/lib/joblet/pki/ca.crt"));
    assertMatch(lines.join("\n"), /joblet installed under/);

    lines.length = 0;
    assertEquals(await install(opts), []);
    assertMatch(lines.join("\n"), /nothing changed/);

    // Upgrade: a new build replaces the program and nothing else; the CA stays.
    const ca = Deno.readTextFileSync(at("/var/lib/joblet/pki/ca.crt"));
    Deno.writeFileSync(src, new TextEncoder().encode("#!fake binary v2"));
    assertEquals(await install(opts), ["/usr/local/bin/joblet"]);
    assertEquals(Deno.readTextFileSync(at("/var/lib/joblet/pki/ca.crt")), ca);
  } finally {
    Deno.removeSync(l.root, { recursive: true });
  }
});

Deno.test("install keeps an edited config unless --force, which keeps the old one as .bak", async () => {
  const l = tempLayout();
  const src = join(l.root, "joblet-build");
  Deno.writeFileSync(src, new Uint8Array([1]));
  const lines: string[] = [];
  const opts = {
    layout: l,
    address: "127.0.0.1:50051",
    serverNames: [],
    force: false,
    start: false,
    program: { kind: "binary" as const, joblet: src },
    denoDir: "/d",
    say: (s: string) => lines.push(s),
  };
  const cfg = join(l.root, "etc/joblet/joblet.yml");
  try {
    await install(opts);
    Deno.writeTextFileSync(cfg, "listen: 127.0.0.1:7000\n");
    assertEquals(await install(opts), []);
    assertMatch(lines.join("\n"), /exists and differs .* kept it \(--force rewrites it\)/);
    await install({ ...opts, force: true });
    assertEquals(Deno.readTextFileSync(`${cfg}.bak`), "listen: 127.0.0.1:7000\n");
    assertMatch(Deno.readTextFileSync(cfg), /^listen: "127.0.0.1:50051"$/m);
  } finally {
    Deno.removeSync(l.root, { recursive: true });
  }
});

Deno.test("uninstall removes program and unit and keeps state; --purge removes state, config, rnx config and joblet cgroups", async () => {
  const l = tempLayout();
  const at = (p: string) => join(l.root, p);
  const src = join(l.root, "bundle", "joblet.js");
  Deno.mkdirSync(join(l.root, "bundle"));
  Deno.writeTextFileSync(src, "console.log('joblet')");
  Deno.writeTextFileSync(join(l.root, "bundle", "rnx.js"), "console.log('rnx')");
  const opts = {
    layout: l,
    address: "127.0.0.1:50051",
    serverNames: [],
    force: false,
    start: false,
    program: {
      kind: "bundle" as const,
      deno: "/usr/bin/deno",
      joblet: src,
      rnx: join(l.root, "bundle", "rnx.js"),
    },
    denoDir: "/d",
    say: () => {},
  };
  try {
    await install(opts);
    assertMatch(
      Deno.readTextFileSync(at("/usr/local/bin/rnx")),
      /exec \/usr\/bin\/deno run -A --no-prompt --no-config \/usr\/local\/lib\/joblet\/rnx.js "\$@"/,
    );
    assert(exists(at("/usr/local/lib/joblet/joblet.js")));
    await uninstall({ layout: l, purge: false, systemd: false, say: () => {} });
    for (
      const p of [
        "/usr/local/bin/joblet",
        "/usr/local/bin/rnx",
        "/usr/local/lib/joblet",
        "/etc/systemd/system/joblet.service",
      ]
    ) {
      assertEquals([p, exists(at(p))], [p, false]);
    }
    assert(exists(at("/var/lib/joblet/pki/ca.crt")) && exists(at("/etc/joblet/joblet.yml")));

    Deno.mkdirSync(at("/sys/fs/cgroup/system.slice/joblet.service/joblet-agent"), { recursive: true });
    Deno.mkdirSync(at("/sys/fs/cgroup/memory/joblet/job-1"), { recursive: true });
    Deno.mkdirSync(at("/sys/fs/cgroup/memory/other"), { recursive: true });
    await uninstall({ layout: l, purge: true, systemd: false, say: () => {} });
    for (
      const p of [
        "/var/lib/joblet",
        "/etc/joblet",
        "/root/.rnx/rnx-config.yml",
        "/sys/fs/cgroup/memory/joblet",
        "/sys/fs/cgroup/system.slice/joblet.service",
      ]
    ) {
      assertEquals([p, exists(at(p))], [p, false]);
    }
    assert(exists(at("/sys/fs/cgroup/memory/other")));
  } finally {
    Deno.removeSync(l.root, { recursive: true });
  }
});

Deno.test("renderUnit() delegates cgroups, kills only the agent, restarts always and reloads with SIGHUP", () => {
  const unit = renderUnit(DEFAULT_LAYOUT);
  for (
    const line of [
      "ExecStart=/usr/local/bin/joblet serve --config /etc/joblet/joblet.yml",
      "ExecReload=/bin/kill -HUP $MAINPID",
      "Delegate=yes",
      "KillMode=process",
      "Restart=always",
      "After=network-online.target",
      "LimitNOFILE=1048576",
      "WantedBy=multi-user.target",
    ]
  ) assert(unit.split("\n").includes(line), line);
});

Deno.test("renderConfig() is a valid config whose commented keys are the defaults", () => {
  const text = renderConfig(DEFAULT_LAYOUT, { address: "[::]:50051", serverNames: ["a", "10.0.0.1"] });
  const c = parseConfigText(text, "joblet.yml");
  assertEquals([c.listen, c.serverNames, c.rnxConfig], [
    "[::]:50051",
    ["a", "10.0.0.1"],
    "/root/.rnx/rnx-config.yml",
  ]);
  const uncommented = text.split("\n").map((l) => l.replace(/^# ?/, "")).filter((l) =>
    !/^(joblet|After|`|anything)/.test(l)
  );
  const all = parseConfigText(uncommented.join("\n"), "all.yml");
  const defaults = parseConfigText("", "d.yml");
  assertEquals({ ...all, listen: "", serverNames: [], source: null }, {
    ...defaults,
    stateDir: all.stateDir,
    rnxConfig: all.rnxConfig,
    listen: "",
    serverNames: [],
    source: null,
  });
});

Deno.test("renderLauncher() runs a source tree with its deno.json and quotes odd paths", () => {
  const text = renderLauncher({
    program: "joblet",
    deno: "/usr/bin/deno",
    main: "/home/me/my repo/agent/main.ts",
    denoConfig: "/home/me/my repo/deno.json",
    denoDir: "/root/.cache/deno",
  });
  assertMatch(
    text,
    /exec \/usr\/bin\/deno run -A --no-prompt --config '\/home\/me\/my repo\/deno.json' '\/home\/me\/my repo\/agent\/main.ts' "\$@"/,
  );
  assertMatch(text, /export DENO_DIR="\$\{DENO_DIR:-\/root\/.cache\/deno\}"/);
});
