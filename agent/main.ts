/**
 * joblet, the host agent. Composition root: config → detect host → build adapters → start servers.
 *
 *   joblet serve [--config FILE] [--state-dir DIR] [--listen HOST:PORT] [--rnx-config PATH] [--detach]
 *   joblet certs issue --name NAME --role admin|user|readonly [--out FILE]
 *   joblet install [--address HOST:PORT] [--server-name NAME]… [--prefix DIR] [--force] …
 *   joblet uninstall [--purge] [--yes] …
 *   joblet doctor [--config FILE] [--json]
 *   joblet version
 */
import { parseArgs } from "node:util";
import { API_VERSION, VERSION } from "./version.ts";
import { JobletError } from "./domain/errors.ts";
import { resolveConfig, serve, type ServeFlags } from "./serve.ts";
import { runningAgentPid } from "./pidfile.ts";
import { certsIssue } from "./commands/certs.ts";
import { detach, selfCommand } from "./detach.ts";
import { installCommand } from "./commands/install.ts";
import { uninstallCommand } from "./commands/uninstall.ts";
import { doctor } from "./commands/doctor.ts";

const USAGE =
  `usage: joblet serve [--config FILE] [--state-dir DIR] [--listen HOST:PORT] [--rnx-config PATH] [--detach]
       joblet certs issue --name NAME --role admin|user|readonly [--out FILE] [--state-dir DIR]
       joblet stop [--state-dir DIR] [--config FILE]
       joblet install [--address HOST:PORT] [--server-name NAME]... [--prefix DIR] [--force] [--no-start]
       joblet uninstall [--purge] [--yes]
       joblet doctor [--config FILE] [--json]
       joblet version`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return await serveCommand(rest);
    case "stop":
      return await stopCommand(rest);
    case "certs":
      if (rest[0] !== "issue") return usage(`unknown certs command ${JSON.stringify(rest[0] ?? "")}`);
      return await certsIssue(rest.slice(1));
    case "install":
      return await installCommand(rest);
    case "uninstall":
      return await uninstallCommand(rest);
    case "doctor":
      return doctor(rest);
    case "version":
    case "--version":
      console.log(`joblet ${VERSION} (API ${API_VERSION}, deno ${Deno.version.deno})`);
      return 0;
    case undefined:
    case "-h":
    case "--help":
    case "help":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      return usage(`unknown command ${JSON.stringify(command)}`);
  }
}

function usage(problem: string): number {
  console.error(`joblet: ${problem}\n${USAGE}`);
  return 2;
}

async function serveCommand(argv: string[]): Promise<number> {
  let flags: ServeFlags & { detach: boolean };
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        "state-dir": { type: "string" },
        listen: { type: "string" },
        "rnx-config": { type: "string" },
        detach: { type: "boolean", default: false },
      },
    });
    flags = {
      config: values.config,
      stateDir: values["state-dir"],
      listen: values.listen,
      rnxConfig: values["rnx-config"],
      detach: values.detach ?? false,
    };
  } catch (e) {
    return usage((e as Error).message);
  }
  if (Deno.uid() !== 0) return await asRoot(["serve", ...argv]);
  if (flags.detach) return await detach(argv.filter((a) => a !== "--detach"), flags);
  return await serve(flags);
}

/** `joblet stop`: SIGTERM to the agent serving the state dir (it stops its jobs first), then waits for it. */
async function stopCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: { config: { type: "string" }, "state-dir": { type: "string" } },
    }).values;
  } catch (e) {
    return usage((e as Error).message);
  }
  const config = resolveConfig({ config: values.config, stateDir: values["state-dir"] });
  const pid = runningAgentPid(config.stateDir);
  if (!pid) {
    console.log(`joblet is not running (state ${config.stateDir})`);
    return 0;
  }
  Deno.kill(pid, "SIGTERM");
  for (let i = 0; i < 600 && runningAgentPid(config.stateDir) === pid; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (runningAgentPid(config.stateDir) === pid) {
    console.error(`joblet: the agent (pid ${pid}) is still running after 60 s`);
    return 1;
  }
  console.log(`joblet stopped (pid ${pid})`);
  return 0;
}

/** The agent needs root (namespaces, mounts, cgroups): re-run this same command through sudo when we can. */
async function asRoot(args: string[]): Promise<number> {
  const sudo = ["/usr/bin/sudo", "/bin/sudo"].find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  if (!sudo) {
    console.error("joblet: the agent must run as root (it creates namespaces, mounts and cgroups)");
    return 1;
  }
  console.error("joblet: the agent needs root; running it with sudo");
  const status = await new Deno.Command(sudo, {
    args: ["--preserve-env=DENO_DIR,DENO_NO_UPDATE_CHECK", ...selfCommand(args)],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  return status.code;
}

if (import.meta.main) {
  Deno.env.set("DENO_NO_UPDATE_CHECK", "1");
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof JobletError) {
      console.error(`joblet: ${e.message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
