/**
 * joblet, the host agent. Composition root: config → detect host → build adapters → start servers.
 *
 *   joblet serve [--config FILE] [--state-dir DIR] [--listen HOST:PORT] [--rnx-config PATH] [--detach]
 *   joblet certs issue --name NAME --role admin|user|readonly [--out FILE]
 *   joblet version
 */
import { parseArgs } from "node:util";
import { API_VERSION, VERSION } from "./version.ts";
import { JobletError } from "./domain/errors.ts";
import { serve, type ServeFlags } from "./serve.ts";
import { certsIssue } from "./commands/certs.ts";
import { detach } from "./detach.ts";

const USAGE =
  `usage: joblet serve [--config FILE] [--state-dir DIR] [--listen HOST:PORT] [--rnx-config PATH] [--detach]
       joblet certs issue --name NAME --role admin|user|readonly [--out FILE] [--state-dir DIR]
       joblet version`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return await serveCommand(rest);
    case "certs":
      if (rest[0] !== "issue") return usage(`unknown certs command ${JSON.stringify(rest[0] ?? "")}`);
      return await certsIssue(rest.slice(1));
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
  if (Deno.uid() !== 0) {
    console.error("joblet: the agent must run as root (it creates namespaces, mounts and cgroups); try sudo");
    return 1;
  }
  if (flags.detach) return await detach(argv.filter((a) => a !== "--detach"), flags);
  return await serve(flags);
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
