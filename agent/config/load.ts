/**
 * Reads the agent config: an explicit `--config FILE` (which must exist), else /etc/joblet/joblet.yml when it
 * exists, else the defaults; then command-line overrides win. Every error names the file, the key path, the
 * line and column, the bad value and the rule:
 *
 *   /etc/joblet/joblet.yml: unknown key "jobs.stop_grase" at line 4, column 3 (known: stop_grace, host_binds, use_tini)
 *   /etc/joblet/joblet.yml: bad value for "jobs.stop_grace" at line 4, column 15: "10x" is not a duration (…)
 */
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { Document } from "yaml";
import type { z } from "zod";
import { invalidArgument } from "../domain/errors.ts";
import {
  absolutePath,
  type AgentConfig,
  ConfigFileSchema,
  fromFile,
  listenAddress,
  nodeName,
  rnxConfigSetting,
} from "./schema.ts";

export type { AgentConfig } from "./schema.ts";
export { DEFAULT_CONFIG } from "./schema.ts";

export const DEFAULT_CONFIG_PATH = "/etc/joblet/joblet.yml";

/** Settings the command line may override (`--state-dir`, `--listen`, `--rnx-config`, `--node`). */
export interface ConfigOverrides {
  stateDir?: string;
  listen?: string;
  rnxConfig?: string;
  nodeName?: string;
}

const FLAGS: Record<keyof ConfigOverrides, [string, z.ZodType]> = {
  stateDir: ["--state-dir", absolutePath],
  listen: ["--listen", listenAddress],
  rnxConfig: ["--rnx-config", rnxConfigSetting],
  nodeName: ["--node", nodeName],
};

export function loadConfig(
  opts: { path?: string; overrides?: ConfigOverrides; defaultPath?: string } = {},
): AgentConfig {
  const source = opts.path ?? opts.defaultPath ?? DEFAULT_CONFIG_PATH;
  let text: string | null = null;
  try {
    text = Deno.readTextFileSync(source);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) || opts.path !== undefined) {
      const why = e instanceof Deno.errors.NotFound
        ? "does not exist"
        : `cannot be read (${(e as Error).message})`;
      throw invalidArgument(`Cannot load the agent config: "${source}" ${why}`, e);
    }
  }
  const config = text === null ? fromFile({}, null) : parseConfigText(text, source);
  return applyOverrides(config, opts.overrides ?? {});
}

/** Parses and validates config YAML; `name` prefixes every error (the file path). */
export function parseConfigText(text: string, name: string): AgentConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw invalidArgument(`${name}: YAML syntax error ${at(lines, err.pos[0])}: ${err.message}`, err);
  }
  const raw = doc.toJS() ?? {};
  const result = ConfigFileSchema.safeParse(raw);
  if (!result.success) {
    throw invalidArgument(describe(result.error.issues[0], doc, lines, name), result.error);
  }
  return fromFile(result.data, name);
}

export function applyOverrides(config: AgentConfig, overrides: ConfigOverrides): AgentConfig {
  const out = { ...config };
  for (const key of Object.keys(FLAGS) as (keyof ConfigOverrides)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    const [flag, schema] = FLAGS[key];
    const r = schema.safeParse(value);
    if (!r.success) throw invalidArgument(`${flag}: ${r.error.issues[0].message}`);
    out[key] = r.data as string;
  }
  return out;
}

// ------------------------------------------------------------------------------------------- locating

function describe(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, name: string): string {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    const full = [...path, key].join(".");
    const offset = keyOffset(doc, issue.path, key);
    const known = knownKeys(path);
    return `${name}: unknown key "${full}"${offset === undefined ? "" : ` ${at(lines, offset)}`}` +
      (known ? ` (known: ${known})` : "");
  }
  const node = doc.getIn(issue.path, true) as { range?: [number, number, number] } | undefined;
  const where = node?.range ? ` ${at(lines, node.range[0])}` : "";
  if (path.length === 0) return `${name}: the file must be a mapping of settings (key: value)`;
  return `${name}: bad value for "${path.join(".")}"${where}: ${issue.message}`;
}

function keyOffset(doc: Document, path: PropertyKey[], key: string): number | undefined {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
}

function knownKeys(path: string[]): string | undefined {
  let schema: z.ZodType = ConfigFileSchema;
  for (const p of path) {
    const shape = objectShape(schema);
    if (!shape?.[p]) return undefined;
    schema = shape[p];
  }
  const shape = objectShape(schema);
  return shape ? Object.keys(shape).join(", ") : undefined;
}

/** The shape of a (possibly nullish-wrapped) zod object. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s = schema as z.ZodType & { unwrap?: () => z.ZodType; shape?: Record<string, z.ZodType> };
  while (!s.shape && typeof s.unwrap === "function") s = s.unwrap() as typeof s;
  return s.shape;
}

function at(lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `at line ${line}, column ${col}`;
}
