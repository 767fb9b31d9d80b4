/**
 * Finding, reading and validating `rnx-config.yml`, and picking the node to talk to.
 *
 * Discovery order (the first that applies wins):
 *   1. `--config PATH`            must exist
 *   2. `$RNX_CONFIG`              must exist
 *   3. `./rnx-config.yml`
 *   4. `~/.rnx/rnx-config.yml`
 *   5. `/etc/joblet/rnx-config.yml`
 */
import { parseDocument } from "yaml";
import { type RnxConfig, RnxConfigSchema, type RnxNode } from "../agent/domain/rnx_config.ts";
import { JobletError } from "../agent/domain/errors.ts";
import { UsageError } from "./errors.ts";

export interface ConfigCandidate {
  path: string;
  /** Where the path came from, for messages. */
  origin: string;
  /** An explicitly named file must exist; the well-known locations are only tried. */
  required: boolean;
}

export interface DiscoveryInput {
  flag?: string;
  env: (name: string) => string | undefined;
  cwd: string;
}

/** The places rnx looks for its config, in order. */
export function configCandidates(input: DiscoveryInput): ConfigCandidate[] {
  if (input.flag !== undefined) return [{ path: input.flag, origin: "--config", required: true }];
  const fromEnv = input.env("RNX_CONFIG");
  if (fromEnv) return [{ path: fromEnv, origin: "$RNX_CONFIG", required: true }];
  const out: ConfigCandidate[] = [{
    path: joinPath(input.cwd, "rnx-config.yml"),
    origin: "./",
    required: false,
  }];
  const home = input.env("HOME");
  if (home) out.push({ path: joinPath(home, ".rnx/rnx-config.yml"), origin: "~/.rnx/", required: false });
  out.push({ path: "/etc/joblet/rnx-config.yml", origin: "/etc/joblet/", required: false });
  return out;
}

/** Parses and validates config text; errors name the file and the key path (or YAML line and column). */
export function parseConfig(text: string, path: string): RnxConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new JobletError("InvalidArgument", `Cannot read config ${path}: ${e.message}`);
  }
  const result = RnxConfigSchema.safeParse(doc.toJS());
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = i.path.length > 0 ? i.path.map(String).join(".") : "(top level)";
      return `  ${key}: ${i.message}`;
    });
    throw new JobletError("InvalidArgument", `Invalid config ${path}:\n${lines.join("\n")}`);
  }
  return result.data;
}

export interface NodeChoice {
  name: string;
  node: RnxNode;
}

/** The node `--node` names, else the `default` key, else the first node. */
export function pickNode(config: RnxConfig, wanted?: string): NodeChoice {
  const names = Object.keys(config.nodes);
  if (wanted !== undefined) {
    const node = config.nodes[wanted];
    if (!node) {
      throw new UsageError(`--node "${wanted}" is not in the config (known nodes: ${names.join(", ")})`);
    }
    return { name: wanted, node };
  }
  const name = config.default ?? names[0];
  return { name, node: config.nodes[name] };
}

export interface LoadedConfig {
  path: string;
  config: RnxConfig;
}

/** Reads the first config found by `configCandidates`; a missing config says how to get one. */
export async function loadConfig(
  input: DiscoveryInput,
  readText: (path: string) => Promise<string> = Deno.readTextFile,
): Promise<LoadedConfig> {
  const candidates = configCandidates(input);
  for (const c of candidates) {
    let text: string;
    try {
      text = await readText(c.path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound && !c.required) continue;
      if (err instanceof Deno.errors.NotFound) {
        throw new JobletError("NotFound", `Config file ${c.path} (from ${c.origin}) does not exist`);
      }
      throw new JobletError("Unavailable", `Cannot read config ${c.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return { path: c.path, config: parseConfig(text, c.path) };
  }
  throw new JobletError("NotFound", missingConfigMessage(candidates.map((c) => c.path)));
}

export function missingConfigMessage(searched: string[]): string {
  return [
    "No rnx config found. Looked in:",
    ...searched.map((p) => `  ${p}`),
    "To get one, start the agent with `deno task joblet serve` (it writes ~/.rnx/rnx-config.yml for you),",
    "or ask an admin for an entry from `joblet certs issue` and pass it with --config PATH or $RNX_CONFIG.",
  ].join("\n");
}

function joinPath(dir: string, rel: string): string {
  return dir.endsWith("/") ? dir + rel : `${dir}/${rel}`;
}
