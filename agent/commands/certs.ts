/**
 * `joblet certs issue`: issues a client certificate from the agent's CA and hands out a complete rnx config
 * for it (to --out, mode 0600, or to stdout). Run on the agent's host, as a user who can read <state>/pki/ca.key.
 *
 * Exit codes: 0 done, 2 usage error (unknown flag, bad --name/--role/--days), 1 anything else.
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { JobletError } from "../domain/errors.ts";
import { loadConfig } from "../config/load.ts";
import { parseHostPort } from "../config/listen.ts";
import {
  CA_DAYS,
  CLIENT_NAME,
  CLIENT_ROLES,
  type ClientRole,
  issueClientCert,
  notAfter,
  type Pem,
} from "../os/certs/pki.ts";
import { clientAddress } from "../os/certs/client_address.ts";
import { hostFacts, localHostname } from "../os/certs/host.ts";
import { renderRnxConfig, rnxConfigFor, rnxConfigOwner } from "../os/certs/rnx_file.ts";
import { writePrivateFile } from "../os/certs/private_file.ts";

export const CERTS_ISSUE_USAGE =
  "usage: joblet certs issue --name NAME --role admin|user|readonly [--out FILE [--force]] [--state-dir DIR]\n" +
  "                          [--config FILE] [--address HOST:PORT] [--node NAME] [--days N]";

export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const consoleIO: CommandIO = {
  stdout: (t) => Deno.stdout.writeSync(new TextEncoder().encode(t)),
  stderr: (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
};

/** `argv` is what follows `joblet certs issue`. Returns the exit code. */
export async function certsIssue(argv: string[], io: CommandIO = consoleIO): Promise<number> {
  const usage = (problem: string) => {
    io.stderr(`joblet certs issue: ${problem}\n${CERTS_ISSUE_USAGE}\n`);
    return 2;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        name: { type: "string" },
        role: { type: "string" },
        out: { type: "string" },
        force: { type: "boolean" },
        "state-dir": { type: "string" },
        config: { type: "string" },
        address: { type: "string" },
        node: { type: "string" },
        days: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  if (values.help) {
    io.stdout(`${CERTS_ISSUE_USAGE}\n`);
    return 0;
  }
  const { name, role } = values;
  if (name === undefined) return usage("--name is required");
  if (!CLIENT_NAME.test(name)) {
    return usage(`--name "${name}" must be 1–64 characters of letters, digits, '.', '_', '-', '@'`);
  }
  if (role === undefined) return usage(`--role is required (${CLIENT_ROLES.join(", ")})`);
  if (!CLIENT_ROLES.includes(role as ClientRole)) {
    return usage(`--role "${role}" must be one of ${CLIENT_ROLES.join(", ")}`);
  }
  let days: number | undefined;
  if (values.days !== undefined) {
    days = /^\d+$/.test(values.days) ? Number(values.days) : NaN;
    if (!(days >= 1 && days <= CA_DAYS)) {
      return usage(`--days "${values.days}" must be a whole number from 1 to ${CA_DAYS}`);
    }
  }

  try {
    const config = loadConfig({
      path: values.config,
      overrides: { stateDir: values["state-dir"], nodeName: values.node },
    });
    const ca = readCa(config.stateDir);
    const listen = values.address ?? config.listen;
    const target = clientAddress(parseAddress(listen, values.address !== undefined), localHostname());
    const pem = await issueClientCert(ca, { name, role: role as ClientRole, days });
    const yaml = renderRnxConfig(rnxConfigFor({
      nodeName: config.nodeName,
      address: target.address,
      serverName: target.serverName,
      ca: ca.cert,
      cert: pem.cert,
      key: pem.key,
    }));
    const summary =
      `issued CN=${name}, OU=${role} (valid until ${notAfter(pem.cert).toISOString().slice(0, 10)}) ` +
      `for node "${config.nodeName}" at ${target.address}`;
    if (values.out === undefined) {
      io.stdout(yaml);
      io.stderr(`${summary}\n`);
    } else {
      writeOut(values.out, yaml, values.force ?? false);
      io.stderr(`${summary}; wrote ${values.out} (give it to ${name} as ~/.rnx/rnx-config.yml)\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof JobletError)) throw e;
    io.stderr(`joblet certs issue: ${e.message}\n`);
    return 1;
  }
}

function parseAddress(text: string, fromFlag: boolean) {
  try {
    return parseHostPort(text);
  } catch (e) {
    const where = fromFlag ? "--address" : "the agent config's listen";
    throw new JobletError("InvalidArgument", `${where}: ${(e as Error).message}`);
  }
}

function readCa(stateDir: string): Pem {
  const dir = join(stateDir, "pki");
  const read = (file: string) => {
    const path = join(dir, file);
    try {
      return Deno.readTextFileSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new JobletError(
          "FailedPrecondition",
          `no CA at "${path}": start joblet once to create it, or pass the agent's --state-dir`,
        );
      }
      if (e instanceof Deno.errors.PermissionDenied) {
        throw new JobletError(
          "PermissionDenied",
          `cannot read "${path}": permission denied (run as root, e.g. with sudo)`,
        );
      }
      throw e;
    }
  };
  return { cert: read("ca.crt"), key: read("ca.key") };
}

function writeOut(path: string, text: string, force: boolean): void {
  if (!force) {
    try {
      Deno.lstatSync(path);
      throw new JobletError(
        "AlreadyExists",
        `--out "${path}" already exists (remove it, pick another path, or add --force)`,
      );
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  writePrivateFile(path, text, { owner: rnxConfigOwner(resolve(path), hostFacts()) });
}
