/**
 * The run-job form's values → the `spec` JSON of `POST /api/nodes/:node/jobs` (same spellings as rnx's flags;
 * the server parses them with rnx's own code and answers with rnx's messages). Here only what the form itself
 * must split: a shell-like argument line, KEY=VALUE lines, and empty fields left out.
 */
export interface RunForm {
  command: string;
  /** Arguments as one line, split like a shell does: spaces, 'single' and "double" quotes, backslash. */
  args: string;
  /** One KEY=VALUE per line. */
  env: string;
  secretEnv: string;
  name: string;
  maxCpu: string;
  maxMemory: string;
  maxIobps: string;
  cpuCores: string;
  maxPids: string;
  timeout: string;
  maxDisk: string;
  maxNetBw: string;
  network: string;
  /** Volume names, each optionally with ":ro". */
  volumes: string[];
  runtime: string;
  schedule: string;
}

export const EMPTY_FORM: RunForm = {
  command: "",
  args: "",
  env: "",
  secretEnv: "",
  name: "",
  maxCpu: "",
  maxMemory: "",
  maxIobps: "",
  cpuCores: "",
  maxPids: "",
  timeout: "",
  maxDisk: "",
  maxNetBw: "",
  network: "",
  volumes: [],
  runtime: "",
  schedule: "",
};

const OPTIONAL = [
  "name",
  "maxCpu",
  "maxMemory",
  "maxIobps",
  "cpuCores",
  "maxPids",
  "timeout",
  "maxDisk",
  "maxNetBw",
  "network",
  "runtime",
  "schedule",
] as const;

/** Splits an argument line like sh does (no expansion). Throws on an unclosed quote. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && (line[i + 1] === '"' || line[i + 1] === "\\")) {
        word += line[++i];
      } else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== null) out.push(word);
      word = null;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote) throw new Error(`Arguments: the ${quote} quote opened here is never closed: ${line}`);
  if (word !== null) out.push(word);
  return out;
}

/** KEY=VALUE lines → an object; blank lines are skipped. Throws naming the field and the bad line. */
export function parseAssignments(field: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`${field}: "${line}" is not NAME=VALUE (one per line)`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

/** The spec JSON for the server; throws an Error with a message for the form when a field cannot be read. */
export function toSpec(form: RunForm): Record<string, unknown> {
  const command = form.command.trim();
  if (!command) throw new Error("Command: give the program to run, e.g. python3");
  const spec: Record<string, unknown> = {
    command,
    args: splitArgs(form.args),
    env: parseAssignments("Environment", form.env),
    secretEnv: parseAssignments("Secret environment", form.secretEnv),
  };
  for (const k of OPTIONAL) if (form[k].trim()) spec[k] = form[k].trim();
  if (form.volumes.length) spec.volumes = [...form.volumes];
  return spec;
}

/**
 * Where an upload lands in /work: a folder picked with webkitdirectory keeps its relative path
 * ("data/train/a.csv"), a single file its name.
 */
export function uploadPath(file: { name: string; webkitRelativePath?: string }): string {
  return file.webkitRelativePath || file.name;
}
