/**
 * Writing rnx client configs (agent/domain/rnx_config.ts) to disk.
 *
 * Ownership rule: the file is written 0600 (directories it creates 0700). When the agent runs as root *through
 * sudo* (uid 0 with SUDO_UID/SUDO_GID set, from a non-root user) and the file lies inside that user's home
 * directory (from /etc/passwd), the file and the directories created for it are chowned to SUDO_UID:SUDO_GID, so
 * that the user who typed `sudo joblet` can read their rnx config. Anywhere else, and when root logged in as
 * root, the file stays owned by the writing process.
 */
import { isMap, parseDocument, stringify } from "yaml";
import { failedPrecondition, invalidArgument } from "../../domain/errors.ts";
import { type RnxConfig, RnxConfigSchema, type RnxNode } from "../../domain/rnx_config.ts";
import { type HostFacts, hostFacts, parsePasswd, sudoUser } from "./host.ts";
import { type Owner, readIfExists, writePrivateFile } from "./private_file.ts";

export interface RnxEntry {
  nodeName: string;
  /** HOST:PORT as rnx dials it (no IPv6 literal: use a name). */
  address: string;
  /** The TLS name to verify when `address` is an IP. */
  serverName?: string;
  ca: string;
  cert: string;
  key: string;
}

const YAML_OPTS = { blockQuote: "literal" as const, lineWidth: 0 };

/**
 * Adds or replaces the node `entry.nodeName` in the rnx config at `path`, keeping the other nodes, the default
 * and comments; creates the file when absent (its default is then this node). Refuses to touch a file that is not
 * a valid rnx config. Mode 0600; ownership as described at the top of this file.
 */
export function writeRnxConfig(path: string, entry: RnxEntry, facts: HostFacts = hostFacts()): void {
  const node = toNode(entry);
  const existing = readIfExists(path);
  let text: string;
  if (existing === undefined || existing.trim() === "") {
    text = renderRnxConfig(
      validate({ version: 1, default: entry.nodeName, nodes: { [entry.nodeName]: node } }),
    );
  } else {
    const doc = parseDocument(existing);
    const current = doc.errors.length
      ? doc.errors[0].message
      : RnxConfigSchema.safeParse(doc.toJS(), { reportInput: true });
    if (typeof current === "string" || !current.success) {
      const why = typeof current === "string" ? current : issueText(current.error.issues[0]);
      throw failedPrecondition(
        `Cannot update "${path}": it is not a valid rnx config (${why}); fix or remove it`,
      );
    }
    const nodes = doc.get("nodes", true);
    if (isMap(nodes)) nodes.set(entry.nodeName, doc.createNode(node));
    if (current.data.default === undefined) doc.set("default", entry.nodeName);
    validate(doc.toJS());
    text = doc.toString(YAML_OPTS);
  }
  writePrivateFile(path, text, { owner: rnxConfigOwner(path, facts) });
}

/** A whole rnx config as YAML (PEMs as literal blocks). */
export function renderRnxConfig(config: RnxConfig): string {
  return stringify(validate(config), YAML_OPTS);
}

/** The rnx config entry for a node. */
export function rnxConfigFor(entry: RnxEntry): RnxConfig {
  return validate({ version: 1, default: entry.nodeName, nodes: { [entry.nodeName]: toNode(entry) } });
}

/**
 * `$HOME/.rnx/rnx-config.yml`; under sudo, in the invoking user's home (from /etc/passwd) instead of root's.
 * Without HOME, the home of the current uid from /etc/passwd.
 */
export function defaultRnxConfigPath(facts: HostFacts = hostFacts()): string {
  const home = sudoUser(facts)?.home ?? facts.env.HOME ??
    parsePasswd(facts.passwd).find((u) => u.uid === facts.uid)?.home;
  if (!home) {
    throw failedPrecondition(
      'Cannot find a home directory for the rnx config: HOME is unset and /etc/passwd has no entry (set rnx_config in joblet.yml, or "none")',
    );
  }
  return `${home.replace(/\/+$/, "")}/.rnx/rnx-config.yml`;
}

/** The config's `rnx_config` setting to a path: "" → the default path, "none" → null, else the path itself. */
export function resolveRnxConfigPath(setting: string, facts: HostFacts = hostFacts()): string | null {
  if (setting === "none") return null;
  return setting === "" ? defaultRnxConfigPath(facts) : setting;
}

/** Whom to chown an rnx config at `path` to (the sudo rule at the top of this file), or undefined. */
export function rnxConfigOwner(path: string, facts: HostFacts): Owner | undefined {
  const user = sudoUser(facts);
  if (!user) return undefined;
  const home = user.home.replace(/\/+$/, "");
  return path.startsWith(`${home}/`) ? { uid: user.uid, gid: user.gid } : undefined;
}

function toNode(e: RnxEntry): RnxNode {
  const name = e.serverName ? { server_name: e.serverName } : {};
  return { address: e.address, ...name, ca: e.ca, cert: e.cert, key: e.key };
}

function validate(config: unknown): RnxConfig {
  const r = RnxConfigSchema.safeParse(config, { reportInput: true });
  if (!r.success) throw invalidArgument(`Cannot write the rnx config: ${issueText(r.error.issues[0])}`);
  return r.data;
}

function issueText(issue: { path: PropertyKey[]; message: string; input?: unknown }): string {
  const where = issue.path.map(String).join(".");
  const value = issue.input === undefined || typeof issue.input === "object"
    ? ""
    : ` ${JSON.stringify(issue.input)}`;
  return `${where || "file"}${value}: ${issue.message}`;
}
