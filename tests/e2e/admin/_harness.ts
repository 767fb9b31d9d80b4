/**
 * Browser tests of `rnx admin`: a real agent (TestAgent), `rnx admin --port 0` as a subprocess with the agent's
 * rnx config, and Debian's chromium driven by playwright-core, one browser per test file.
 *
 *   const h = await AdminHarness.start();           // agent + rnx admin + browser
 *   const page = await h.open("/jobs");              // waits for the main navigation
 *   await h.shot(page, "jobs");                      // screenshot into the artefact folder
 *   await h.close();
 *
 * playwright-core works under Deno 2.9.3 as it is: `launchPersistentContext` spawns chromium and talks CDP over
 * its pipe (no websocket, no `connectOverCDP` needed). Playwright refuses `--user-data-dir` in `args`, so the
 * fresh profile directory is given as `launchPersistentContext`'s first argument, which passes it as
 * `--user-data-dir`.
 */
import { join } from "node:path";
import { parse } from "yaml";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { skip } from "../../_requires.ts";
import { AGENT_MAIN, RNX_MAIN, TestAgent } from "../_agent.ts";

export const CHROMIUM = "/usr/bin/chromium";
/** The flags issue 9 asks for (a fresh --user-data-dir is added by launchPersistentContext). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const HERE = new URL(".", import.meta.url).pathname;

/** Where screenshots go: $JOBLET_TEST_ARTIFACTS, else tests/e2e/admin/artifacts/ (gitignored). */
export function artifactDir(): string {
  const dir = Deno.env.get("JOBLET_TEST_ARTIFACTS") || join(HERE, "artifacts");
  Deno.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * `ignore:` for the admin browser tests: they need what e2e tests need (root, cgroups) plus chromium; says
 * what is missing.
 */
export function skipAdmin(): boolean {
  if (skip("root", "cgroup")) return true;
  try {
    Deno.statSync(CHROMIUM);
    return false;
  } catch {
    console.warn(`skipping: needs ${CHROMIUM} (Debian package chromium: apt-get install -y chromium)`);
    return true;
  }
}

/** Starts chromium with a fresh profile; closing the context ends the browser and removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = Deno.makeTempDirSync({ prefix: "joblet-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      Deno.removeSync(profile, { recursive: true });
    },
  };
}

/** `rnx admin --port 0` with an rnx config; `url` is the address it printed (without ?token=). */
export class AdminServer {
  #child: Deno.ChildProcess;
  #output = "";
  url = "";

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
  }

  static async start(rnxConfig: string, extraArgs: string[] = []): Promise<AdminServer> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", RNX_MAIN, "admin", "--port", "0", ...extraArgs],
      env: { RNX_CONFIG: rnxConfig, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const server = new AdminServer(child);
    const decoder = new TextDecoder();
    let found!: (url: string) => void;
    const ready = new Promise<string>((r) => found = r);
    const onText = (t: string) => {
      server.#output += t;
      const m = server.#output.match(/https?:\/\/[^\s/]+:(\d+)\/?/);
      if (m && m[1] !== "0") found(m[0].replace(/\/$/, ""));
    };
    const pump = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s) onText(decoder.decode(chunk, { stream: true }));
    };
    void pump(child.stdout).catch(() => {});
    void pump(child.stderr).catch(() => {});
    const exited = child.status.then((s) => {
      throw new Error(`rnx admin exited (${s.code}) before printing its URL:\n${server.#output}`);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(
        () => rej(new Error(`rnx admin printed no http://HOST:PORT URL in 60 s:\n${server.#output}`)),
        60_000,
      );
    });
    try {
      server.url = await Promise.race([ready, exited, timeout]);
    } catch (e) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status.catch(() => {});
      throw e;
    } finally {
      clearTimeout(timer);
    }
    exited.catch(() => {});
    return server;
  }

  get output(): string {
    return this.#output;
  }

  async stop(): Promise<void> {
    try {
      this.#child.kill("SIGTERM");
    } catch { /* already gone */ }
    await this.#child.status;
  }
}

/** `joblet certs issue` for another user of `agent`; returns the path of the rnx config it wrote. */
export async function issueCert(agent: TestAgent, name: string, role: string): Promise<string> {
  const out = join(agent.stateDir, `${name}.yml`);
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      AGENT_MAIN,
      "certs",
      "issue",
      "--name",
      name,
      "--role",
      role,
      "--state-dir",
      agent.stateDir,
      "--address",
      `localhost:${agent.port}`,
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.code !== 0) {
    throw new Error(`joblet certs issue exited ${r.code}: ${new TextDecoder().decode(r.stderr)}`);
  }
  return out;
}

/** The default node's name in an rnx config (the name the UI puts in /jobs/:node/:id). */
export function defaultNode(rnxConfig: string): string {
  const cfg = parse(Deno.readTextFileSync(rnxConfig)) as { default?: string; nodes: Record<string, unknown> };
  return cfg.default ?? Object.keys(cfg.nodes)[0];
}

/** A real agent, `rnx admin` on it and a browser: what every admin test file starts with. */
export class AdminHarness {
  readonly agent: TestAgent;
  readonly admin: AdminServer;
  readonly context: BrowserContext;
  readonly node: string;
  readonly #closeBrowser: () => Promise<void>;
  readonly #extra: AdminServer[] = [];

  private constructor(
    agent: TestAgent,
    admin: AdminServer,
    browser: { context: BrowserContext; close(): Promise<void> },
  ) {
    this.agent = agent;
    this.admin = admin;
    this.context = browser.context;
    this.#closeBrowser = browser.close;
    this.node = defaultNode(agent.rnxConfig);
  }

  static async start(): Promise<AdminHarness> {
    const agent = await TestAgent.start();
    let admin: AdminServer | undefined;
    try {
      admin = await AdminServer.start(agent.rnxConfig);
      const browser = await launchBrowser();
      return new AdminHarness(agent, admin, browser);
    } catch (e) {
      await admin?.stop();
      await agent.stop();
      throw e;
    }
  }

  /** Another `rnx admin` on the same agent with another rnx config (e.g. a readonly certificate). */
  async adminWith(rnxConfig: string): Promise<AdminServer> {
    const s = await AdminServer.start(rnxConfig);
    this.#extra.push(s);
    return s;
  }

  /**
   * A new tab at `path` of `base` (default: this harness's rnx admin), once the main navigation is shown. Script
   * errors in the page are printed, so a failing test shows why the UI broke.
   */
  async open(path: string, base = this.admin.url): Promise<Page> {
    const page = await this.context.newPage();
    page.on("pageerror", (e) => console.warn(`page error on ${path}: ${e.message}`));
    await page.goto(base + path);
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    return page;
  }

  /** A full-page screenshot named `name`.png in the artefact folder. */
  async shot(page: Page, name: string): Promise<string> {
    const path = join(artifactDir(), `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  }

  async close(): Promise<void> {
    await this.#closeBrowser();
    for (const s of this.#extra) await s.stop();
    await this.admin.stop();
    await this.agent.stop();
  }
}

/** Polls `check` every 200 ms until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${last})` : ""}`);
}
